"""The scheduling service alone, on a real database, through in-process HTTP."""

import json
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from services.scheduling.main import create_app
from services.scheduling.settings import SchedulingSettings

API = "/api/scheduling/v1"


@dataclass
class Directory:
    """Identity as scheduling sees it through the gateway: people, organizations and the service
    token (identity itself is another service; whole-stack tests use the real one)."""

    people: dict[str, dict[str, str]] = field(default_factory=dict)
    organizations: dict[str, dict[str, str]] = field(default_factory=dict)
    authorizations: list[str | None] = field(default_factory=list)
    # Every request after the service token's, as identity received it (raw path included).
    requests: list[httpx.Request] = field(default_factory=list)
    # When set, what identity answers to every lookup: a status, or None for no answer at all.
    failure: tuple[int | None] | None = None
    # Leader memberships granted (POST .../members), by id: identity's own rules are tested
    # against the real identity (tests/stack); here grants succeed unless refusing is set.
    memberships: dict[str, dict] = field(default_factory=dict)
    refusing: int | None = None

    def network(self, network_id: str) -> str:
        self.organizations.setdefault(network_id, {"id": network_id, "name": network_id,
                                                   "kind": "network"})
        return network_id

    def person(self, person_id: str, **fields: str) -> str:
        """Someone identity knows; with no name or email unless given."""
        self.people.setdefault(person_id, {"id": person_id, **fields})
        return person_id

    def _members(self, request: httpx.Request) -> httpx.Response:
        if self.refusing:
            return httpx.Response(self.refusing, json={"code": "forbidden", "detail": "No."})
        if request.method == "DELETE":
            found = self.memberships.pop(request.url.path.rsplit("/", 1)[1], None)
            return httpx.Response(204 if found else 404)
        membership = {"id": uuid.uuid4().hex[:26], **json.loads(request.content),
                      "organization_id": request.url.path.split("/")[5]}
        self.memberships[membership["id"]] = membership
        return httpx.Response(201, json=membership)

    def handle(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path == "/api/identity/v1/token":
            return httpx.Response(200, json={"access_token": "scheduling-service-token",
                                             "token_type": "bearer", "expires_in": 300})
        if path == "/api/identity/v1/feed":  # identity asks for no mail in these tests
            return httpx.Response(200, json={"events": [], "next_cursor": "0",
                                             "has_more": False})
        self.authorizations.append(request.headers.get("authorization"))
        self.requests.append(request)
        if self.failure is not None:
            [status] = self.failure
            if status is None:
                raise httpx.ConnectError("identity is down", request=request)
            return httpx.Response(status, json={"detail": f"identity says {status}"})
        if "/members" in path and request.method in ("POST", "DELETE"):
            return self._members(request)
        if path == "/api/identity/v1/people" and request.method == "GET":
            email, ids = request.url.params.get("email"), request.url.params.get("ids")
            if ids is not None:
                found = [self.people[i] for i in ids.split(",") if i in self.people]
                return httpx.Response(200, json={"items": found, "next_cursor": None})
            found = [p for p in self.people.values() if email and p.get("email") == email]
            return httpx.Response(200, json={"items": found[:1], "next_cursor": None})
        for prefix, records in (("/api/identity/v1/people/", self.people),
                                ("/api/identity/v1/organizations/", self.organizations)):
            if path.startswith(prefix) and path.removeprefix(prefix) in records:
                return httpx.Response(200, json=records[path.removeprefix(prefix)])
        return httpx.Response(404, json={"code": "not_found"})


@pytest.fixture
def directory() -> Directory:
    return Directory()


@pytest.fixture
async def app(database_urls, keys, directory):
    app = create_app(SchedulingSettings(database_url=database_urls["scheduling"]),
                     verifier=keys.verifier("scheduling"),
                     gateway_transport=httpx.MockTransport(directory.handle))
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture
async def client(app):
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://scheduling") as client:
        yield client


def problem(response: httpx.Response, status: int) -> dict:
    """The RFC 9457 body of an error answer, after checking its status and media type."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    return response.json()


def new_person() -> str:
    return uuid.uuid4().hex


class Scheduling:
    """Builds the usual fixtures of a test through the public API."""

    def __init__(self, client: httpx.AsyncClient, keys, directory: Directory) -> None:
        self.client, self.keys, self.directory = client, keys, directory
        self.network = directory.network("net-" + uuid.uuid4().hex[:8])
        self.leader_id = directory.person(new_person())
        self.leader = keys.headers(person_id=self.leader_id, roles={self.network: ["leader"]},
                                   name="Lee Leader")

    def person(self, person_id: str | None = None, **claims: Any) -> dict[str, str]:
        """A signed-in person, whom identity knows."""
        return self.keys.headers(person_id=self.directory.person(person_id or new_person()),
                                 **claims)

    def new_person(self) -> str:
        """The id of someone identity knows (the module's new_person() is anyone's id)."""
        return self.directory.person(new_person())

    def network_of(self, network_id: str | None = None) -> str:
        """Another network identity knows."""
        return self.directory.network(network_id or "net-" + uuid.uuid4().hex[:8])

    async def event(self, *, headers: dict | None = None, **fields: Any) -> dict:
        body = {"network_id": self.network, "kind": "workshop_series", "title": "Argument writing",
                "subjects": ["ELA"], "grade_min": "3", "grade_max": "8",
                "timezone": "America/Los_Angeles", "credit_hours": 6, "status": "published",
                **fields}
        response = await self.client.post(f"{API}/events", json=body,
                                          headers=headers or self.leader)
        assert response.status_code == 201, response.text
        return response.json()

    async def session(self, event_id: str, *, capacity: int = 10, **fields: Any) -> dict:
        body = {"title": "Session I", "starts_at": "2026-03-04T16:00:00-08:00",
                "ends_at": "2026-03-04T18:00:00-08:00", "capacity": capacity,
                "facilitator_ids": [self.leader_id], **fields}
        response = await self.client.post(f"{API}/events/{event_id}/sessions", json=body,
                                          headers=self.leader)
        assert response.status_code == 201, response.text
        return response.json()

    async def register(self, session_id: str, headers: dict, *, person_id: str | None = None,
                       key: str | None = None) -> httpx.Response:
        extra = {"Idempotency-Key": key} if key else {}
        body = {"person_id": person_id} if person_id else None
        return await self.client.post(f"{API}/sessions/{session_id}/registrations", json=body,
                                      headers={**headers, **extra})

    async def get_session(self, session_id: str) -> dict:
        response = await self.client.get(f"{API}/sessions/{session_id}", headers=self.leader)
        assert response.status_code == 200, response.text
        return response.json()

    async def roster(self, session_id: str) -> list[dict]:
        response = await self.client.get(f"{API}/sessions/{session_id}/registrations",
                                         params={"limit": 200}, headers=self.leader)
        assert response.status_code == 200, response.text
        return response.json()["items"]

    async def feed(self) -> list[dict]:
        response = await self.client.get(f"{API}/feed", params={"limit": 1000},
                                         headers=self.keys.headers(kind="service",
                                                                   sub="service:reach"))
        assert response.status_code == 200, response.text
        return response.json()["events"]


@pytest.fixture
def api(client, keys, directory) -> Scheduling:
    return Scheduling(client, keys, directory)
