"""Each refusal of a cross-network attempt leaves one row in the audit log of the network whose
object was refused (issue 7): identity writes its own; scheduling, evidence and reach publish an
`access.denied` event that identity reads from their feeds. Anonymous refusals and refusals of
ids that name nothing leave none, and a feed read again writes no second row."""

from datetime import UTC, datetime, timedelta

import jwt
from sqlalchemy import update

from services.identity.affiliations.models import FeedCursor
from tests.support.stack import ROOT_LOGIN, bearer, eventually, reach_summary

IDENTITY = "/api/identity/v1"
SCHEDULING = "/api/scheduling/v1"
UNKNOWN = "01jnothing0000000000000000"


async def _post(stack, path, token, **kwargs):
    response = await stack.client.post(path, headers=bearer(token), **kwargs)
    assert response.status_code in (200, 201), response.text
    return response.json()


async def _network_admin(stack, root: str, email: str, network: dict) -> str:
    person = await _post(stack, f"{IDENTITY}/people", root,
                         json={"email": email, "full_name": "Admin", "role": "teacher"})
    await stack.create_account(email, "long-password-1", "Admin")
    await _post(stack, f"{IDENTITY}/organizations/{network['id']}/members", root,
                json={"person_id": person["id"], "role": "network_admin"})
    return await stack.token(email, "long-password-1")


def _subject(token: str) -> str:
    return jwt.decode(token, options={"verify_signature": False})["sub"]


class World:
    """Network A with an event (published, with a session and an artifact), a draft and one
    of its people; network B, whose admin tries A's things."""

    async def build(self, stack):
        self.stack = stack
        root = self.root = await stack.token(*ROOT_LOGIN)
        self.a = await _post(stack, f"{IDENTITY}/organizations", root,
                             json={"name": "Bay Network", "kind": "network"})
        self.b = await _post(stack, f"{IDENTITY}/organizations", root,
                             json={"name": "Valley Network", "kind": "network"})
        self.a_admin = await _network_admin(stack, root, "admin-a@stack.test", self.a)
        self.b_admin = await _network_admin(stack, root, "admin-b@stack.test", self.b)
        event = {"network_id": self.a["id"], "kind": "workshop_series", "title": "Argument",
                 "subjects": ["ELA"], "grade_min": "6", "grade_max": "8",
                 "timezone": "America/Los_Angeles", "credit_hours": 3}
        self.event = await _post(stack, f"{SCHEDULING}/events", root,
                                 json={**event, "status": "published"})
        self.draft = await _post(stack, f"{SCHEDULING}/events", root,
                                 json={**event, "status": "draft"})
        starts = datetime.now(UTC) + timedelta(days=3)
        self.session = await _post(stack, f"{SCHEDULING}/events/{self.event['id']}/sessions",
                                   root, json={"title": "Session I",
                                               "starts_at": starts.isoformat(),
                                               "ends_at": (starts + timedelta(hours=2)).isoformat(),
                                               "capacity": 20})
        self.artifact = await _post(
            stack, "/api/evidence/v1/artifacts", root,
            data={"kind": "agenda", "title": "Agenda", "session_id": self.session["id"]},
            files={"file": ("agenda.pdf", b"%PDF-1.7 agenda", "application/pdf")})
        self.teacher = await _post(stack, f"{IDENTITY}/people", root, json={
            "email": "teacher@stack.test", "full_name": "Teacher", "role": "teacher"})
        await _post(stack, f"{IDENTITY}/organizations/{self.a['id']}/members", root,
                    json={"person_id": self.teacher["id"], "role": "member"})
        return self

    async def as_b(self, method: str, path: str, **kwargs):
        return await self.stack.client.request(method, path, headers=bearer(self.b_admin),
                                               **kwargs)

    async def denied_in_a(self) -> list[dict]:
        response = await self.stack.client.get(f"{IDENTITY}/audit", headers=bearer(self.a_admin),
                                               params={"organization_id": self.a["id"],
                                                       "limit": 200, "denied": "true"})
        assert response.status_code == 200, response.text
        rows = response.json()["items"]
        assert all(e["action"].endswith(".denied") for e in rows)
        return rows


async def test_the_admin_of_another_network_is_refused_in_every_service_and_audited(stack):
    world = await World().build(stack)
    window = {"from": "2026-01-01", "to": "2026-12-31"}
    # Without a credential, or on an id that names nothing: refused, and nothing is written.
    anonymous = await stack.client.get(f"{SCHEDULING}/events/{world.draft['id']}")
    assert anonymous.status_code == 404
    for method, path, kwargs in [
            ("PATCH", f"{SCHEDULING}/events/{UNKNOWN}", {"json": {"title": "Mine"}}),
            ("GET", f"{IDENTITY}/people/{UNKNOWN}", {}),
            ("GET", f"{IDENTITY}/audit", {"params": {"organization_id": UNKNOWN}}),
            ("GET", "/api/reach/v1/summary", {"params": {"network_id": UNKNOWN, **window}}),
            ("GET", f"/api/evidence/v1/artifacts/{UNKNOWN}", {})]:
        assert (await world.as_b(method, path, **kwargs)).status_code in (403, 404), path

    # Each of A's things, tried by B's admin: (method, route, actual path, kwargs, status).
    attempts = [
        ("PATCH", f"{SCHEDULING}/events/{{event_id}}", f"{SCHEDULING}/events/{world.event['id']}",
         {"json": {"title": "Taken over"}}, 403, ("event", world.event["id"])),
        ("GET", f"{SCHEDULING}/events/{{event_id}}", f"{SCHEDULING}/events/{world.draft['id']}",
         {}, 404, ("event", world.draft["id"])),
        ("POST", f"{SCHEDULING}/sessions/{{session_id}}/cancel",
         f"{SCHEDULING}/sessions/{world.session['id']}/cancel", {}, 403,
         ("session", world.session["id"])),
        ("GET", f"{SCHEDULING}/sessions/{{session_id}}/registrations",
         f"{SCHEDULING}/sessions/{world.session['id']}/registrations", {}, 403,
         ("session", world.session["id"])),
        ("GET", "/api/reach/v1/summary", "/api/reach/v1/summary",
         {"params": {"network_id": world.a["id"], **window}}, 403, ("network", world.a["id"])),
        ("GET", "/api/evidence/v1/artifacts/{artifact_id}",
         f"/api/evidence/v1/artifacts/{world.artifact['id']}", {}, 403,
         ("artifact", world.artifact["id"])),
        ("GET", f"{IDENTITY}/people/{{person_id}}", f"{IDENTITY}/people/{world.teacher['id']}",
         {}, 404, ("person", world.teacher["id"])),
        ("GET", f"{IDENTITY}/audit", f"{IDENTITY}/audit",
         {"params": {"organization_id": world.a["id"]}}, 403, ("organization", world.a["id"])),
        ("GET", f"{IDENTITY}/organizations/{{organization_id}}/members",
         f"{IDENTITY}/organizations/{world.a['id']}/members", {}, 403,
         ("organization", world.a["id"])),
        ("POST", f"{IDENTITY}/organizations", f"{IDENTITY}/organizations",
         {"json": {"name": "B's partner in A", "kind": "partner", "parent_id": world.a["id"]}},
         403, ("organization", world.a["id"])),
        ("POST", f"{IDENTITY}/people/{{person_id}}/sessions/revoke",
         f"{IDENTITY}/people/{world.teacher['id']}/sessions/revoke", {}, 403,
         ("person", world.teacher["id"])),
    ]
    for method, _route, path, kwargs, status, _target in attempts:
        response = await world.as_b(method, path, **kwargs)
        assert response.status_code == status, (path, response.text)

    async def all_in() -> list[dict]:
        rows = await world.denied_in_a()
        return rows if len(rows) >= len(attempts) else []

    rows = await eventually(all_in)
    seen = sorted((r["details"]["method"], r["details"]["path"], r["target_type"], r["target_id"])
                  for r in rows)
    assert seen == sorted((m, route, *target) for m, route, _p, _k, _s, target in attempts)
    assert {r["actor_subject"] for r in rows} == {_subject(world.b_admin)}
    assert {r["organization_id"] for r in rows} == {world.a["id"]}
    actions = {r["details"]["path"]: r["action"] for r in rows}
    assert actions[f"{SCHEDULING}/events/{{event_id}}"] in ("event.update.denied",
                                                            "event.get.denied")
    assert actions[f"{SCHEDULING}/sessions/{{session_id}}/cancel"] == "session.cancel.denied"
    changes = await stack.client.get(f"{IDENTITY}/audit", headers=bearer(world.a_admin), params={
        "organization_id": world.a["id"], "limit": 200, "denied": "false"})
    assert changes.json()["items"] and not [
        e for e in changes.json()["items"] if e["action"].endswith(".denied")]
    # B's own log holds none of them: they are A's to read.
    b_log = await stack.client.get(f"{IDENTITY}/audit", headers=bearer(world.b_admin),
                                   params={"organization_id": world.b["id"], "limit": 200})
    assert not [e for e in b_log.json()["items"] if e["action"].endswith(".denied")]

    # Identity reads scheduling's feed again from its start: no second row.
    identity = stack.apps["identity"]
    async with identity.state.sessions() as db:
        position = (await db.get(FeedCursor, "scheduling")).position
        await db.exec(update(FeedCursor).where(FeedCursor.feed == "scheduling")
                      .values(position="0"))
        await db.commit()

    async def read_again() -> bool:
        async with identity.state.sessions() as db:
            return int((await db.get(FeedCursor, "scheduling")).position) >= int(position)

    await eventually(read_again)
    assert len(await world.denied_in_a()) == len(attempts)


async def test_a_partner_of_another_network_asking_for_its_reach_is_audited(stack):
    world = await World().build(stack)
    partner = await _post(stack, f"{IDENTITY}/organizations", world.root, json={
        "name": "Valley Union", "kind": "partner", "parent_id": world.b["id"]})
    key = (await _post(stack, f"{IDENTITY}/organizations/{partner['id']}/api-keys",
                       world.root, json={}))["key"]
    window = {"from": "2026-01-01", "to": "2026-12-31"}
    own = await reach_summary(stack.client, bearer(key), {"network_id": world.b["id"], **window})
    assert own.status_code == 200, own.text
    theirs = await stack.client.get("/api/reach/v1/summary", headers=bearer(key),
                                    params={"network_id": world.a["id"], **window})
    assert theirs.status_code == 403
    [row] = await eventually(world.denied_in_a)
    assert row["actor_subject"].startswith("apikey:")
    assert (row["action"], row["target_type"], row["details"]["path"]) == (
        "summary.get.denied", "network", "/api/reach/v1/summary")

    # The partner's own query is in its network's log too: who asked what, never an answer.
    async def queries_in_b():
        response = await stack.client.get(f"{IDENTITY}/audit", headers=bearer(world.b_admin),
                                          params={"organization_id": world.b["id"],
                                                  "limit": 200, "denied": "false"})
        return [e for e in response.json()["items"] if e["action"] == "reach.query"] or None

    [query] = await eventually(queries_in_b)
    assert query["actor_subject"].startswith("apikey:")
    assert query["details"]["path"] == "/api/reach/v1/summary"
    assert query["details"]["from"] == "2026-01-01" and query["details"]["filters"] == {}
