"""Every identity write honours Idempotency-Key, as scheduling's do: a retried grant, person,
organization or API key does its work once (the retry gets the first answer back, marked
Idempotent-Replayed), and the same key sent with a different request is refused with 422."""

from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import func
from sqlmodel import select

from services.identity.audit.models import AuditEntry
from tests.identity.conftest import BASE


@dataclass
class Write:
    """One request, a different one under the same key (another body or another target)."""

    method: str
    path: str
    body: Any
    other_path: str
    other_body: Any

    def send(self, client, headers: dict, *, other: bool = False):
        path, body = (self.other_path, self.other_body) if other else (self.path, self.body)
        return client.request(self.method, f"{BASE}{path}", json=body, headers=headers)


async def _write(route: str, api) -> Write:
    """The route under test, with what it needs built through the API first."""
    network = await api.organization("Golden State Network", "network")
    nid = network["id"]
    if route == "organization-create":
        body = {"name": "Oakland Unified", "kind": "district", "county": "Alameda",
                "attributes": {"frpl_pct": 71}}
        return Write("POST", "/organizations", body, "/organizations", {**body, "name": "Other"})
    if route == "organization-update":
        return Write("PATCH", f"/organizations/{nid}", {"name": "Renamed"}, f"/organizations/{nid}",
                     {"name": "Other"})
    if route == "person-create":
        body = {"email": "maria@example.org", "full_name": "Maria Lopez", "role": "teacher"}
        return Write("POST", "/people", body, "/people", {**body, "email": "ana@example.org"})
    person = await api.person("maria@example.org")
    if route == "person-update":
        return Write("PATCH", f"/people/{person['id']}", {"full_name": "Maria L."},
                     f"/people/{person['id']}", {"full_name": "Other"})
    members = f"/organizations/{nid}/members"
    if route == "membership-grant":
        body = {"person_id": person["id"], "role": "leader", "starts_on": "2026-07-01"}
        return Write("POST", members, body, members, {**body, "role": "analyst"})
    if route == "membership-update":
        membership = await api.member(nid, person["id"], "leader")
        path = f"{members}/{membership['id']}"
        return Write("PATCH", path, {"ends_on": "2027-06-30"}, path, {"ends_on": "2028-06-30"})
    partner = await api.organization("Teachers Union", "partner", parent_id=nid)
    keys = f"/organizations/{partner['id']}/api-keys"
    if route == "api-key-create":
        other = await api.organization("University", "partner", parent_id=nid)
        return Write("POST", keys, None, f"/organizations/{other['id']}/api-keys", None)
    assert route == "api-key-revoke"
    first = await api.post(keys, await api.admin(), {})
    second = await api.post(keys, await api.admin(), {})
    return Write("DELETE", f"/api-keys/{first['id']}", None, f"/api-keys/{second['id']}", None)


async def _audited(app) -> int:
    """Every identity write leaves one audit entry, so their number says whether work was done."""
    async with app.state.sessions() as db:
        return (await db.exec(select(func.count()).select_from(AuditEntry))).one()


ROUTES = ["organization-create", "organization-update", "person-create", "person-update",
          "membership-grant", "membership-update", "api-key-create", "api-key-revoke"]


@pytest.mark.parametrize("route", ROUTES)
async def test_a_retry_replays_the_first_answer_without_doing_the_work_again(route, api,
                                                                              identity_app):
    write = await _write(route, api)
    headers = {**await api.admin(), "Idempotency-Key": f"retry-{route}"}
    before = await _audited(identity_app)
    first = await write.send(api.client, headers)
    assert first.status_code in (200, 201, 204), first.text
    assert "idempotent-replayed" not in first.headers
    done_once = await _audited(identity_app)
    assert done_once == before + 1

    again = await write.send(api.client, headers)
    assert again.status_code == first.status_code
    assert again.headers["idempotent-replayed"] == "true"
    if route != "api-key-create":
        assert again.content == first.content
    assert await _audited(identity_app) == done_once

    reused = await write.send(api.client, headers, other=True)
    assert reused.status_code == 422, reused.text
    assert reused.json()["code"] == "idempotency_key_reused"
    assert await _audited(identity_app) == done_once


async def test_a_replayed_api_key_answer_never_holds_the_key(api):
    network = await api.organization("Golden State Network", "network")
    partner = await api.organization("Teachers Union", "partner", parent_id=network["id"])
    headers = {**await api.admin(), "Idempotency-Key": "key-once"}
    path = f"{BASE}/organizations/{partner['id']}/api-keys"
    first = await api.client.post(path, headers=headers)
    again = await api.client.post(path, headers=headers)
    assert first.json()["key"].startswith("csk_")
    assert again.json() == {**first.json(), "key": None}
    assert again.headers["cache-control"] == first.headers["cache-control"] == "no-store"
    listed = await api.client.get(path, headers=await api.admin())
    assert [k["id"] for k in listed.json()["items"]] == [first.json()["id"]]


async def test_the_same_key_from_another_caller_is_their_own_request(api):
    """Keys are per caller: another admin's request under the same key is done, not replayed."""
    network = await api.organization("Golden State Network", "network")
    person = await api.person("maria@example.org")
    other_admin = await api.user("admin2@example.org", organization_id=network["id"],
                                 role="network_admin")
    members = f"{BASE}/organizations/{network['id']}/members"
    key = {"Idempotency-Key": "same"}
    first = await api.client.post(members, headers={**await api.admin(), **key},
                                  json={"person_id": person["id"], "role": "leader"})
    second = await api.client.post(members, headers={**other_admin, **key},
                                   json={"person_id": person["id"], "role": "analyst"})
    assert (first.status_code, second.status_code) == (201, 201)
    assert "idempotent-replayed" not in second.headers


# Writes that need no key: a token grant and its revocation; the public routes with no caller
# to key a record to, whose single-use mailed link is what stops a second effect (sign-up,
# confirmation, reset, an invitation's preview and acceptance); and writes that come out the
# same however often they run (matching a person by email, ending a session, a password change,
# whose retry no longer knows the current password).
NOT_KEYED = {(method, f"/api/identity/v1{path}") for method, path in (
    ("POST", "/token"), ("POST", "/token/revoke"), ("POST", "/accounts"),
    ("POST", "/accounts/confirmations"), ("POST", "/password-resets"),
    ("POST", "/password-resets/completions"), ("POST", "/invitations/previews"),
    ("POST", "/invitations/acceptances"), ("POST", "/people/matches"),
    ("DELETE", "/me/sessions/{session_id}"), ("POST", "/me/password"),
    ("POST", "/people/{person_id}/sessions/revoke"),
)}


async def test_every_identity_write_declares_the_idempotency_key(api):
    """A new write route without Idempotency-Key fails here (as an invitation route would)."""
    document = (await api.client.get("/api/identity/v1/openapi.json")).json()
    missing, checked = [], 0
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if method not in ("post", "patch", "put", "delete"):
                continue
            if (method.upper(), path) in NOT_KEYED:
                continue
            headers = {p["name"].lower() for p in operation.get("parameters", [])
                       if p["in"] == "header"}
            checked += 1
            if "idempotency-key" not in headers:
                missing.append(f"{method.upper()} {path}")
    assert missing == []
    assert checked >= len(ROUTES) + 1  # with DELETE .../members/{id}
