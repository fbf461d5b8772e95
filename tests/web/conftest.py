"""Web pages tested through the real in-process suite: the gateway in front of web and the
services. A `Visitor` is one browser: its own cookie jar, and the CSRF token of the last page."""

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from html import unescape

import httpx
import pytest

from tests.support.stack import BASE_URL, InProcessStack

ADMIN = ("root@web.test", "root-password-123")
PASSWORD = "teacher-password"
CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


class Visitor:
    def __init__(self, stack: InProcessStack, address: str = "127.0.0.1") -> None:
        transport = httpx.ASGITransport(app=stack.gateway, client=(address, 123))
        self.client = httpx.AsyncClient(transport=transport, base_url=BASE_URL)
        self.csrf: str | None = None

    async def get(self, path: str, **kwargs) -> httpx.Response:
        response = await self.client.get(path, **kwargs)
        found = CSRF_FIELD.search(response.text)
        if found:
            self.csrf = unescape(found.group(1))
        return response

    async def post(self, path: str, data: dict | None = None, **kwargs) -> httpx.Response:
        """A form post as the page would send it, carrying the token of the last page read."""
        if self.csrf is None:
            await self.get("/login")
        return await self.client.post(path, data={"csrf_token": self.csrf, **(data or {})},
                                      **kwargs)

    async def login(self, email: str, password: str = PASSWORD) -> httpx.Response:
        await self.get("/login")
        response = await self.post("/login", {"email": email, "password": password})
        assert response.status_code == 303, response.text
        await self.get("/")  # the new session has a new CSRF token
        return response

    async def aclose(self) -> None:
        await self.client.aclose()


@dataclass
class Network:
    """A network with a leader, a network admin and teachers, all with accounts."""

    id: str
    district_id: str
    school_id: str
    leader: dict
    admin: dict
    teachers: list[dict] = field(default_factory=list)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def api_post(stack: InProcessStack, path: str, token: str | None, **kwargs) -> dict:
    headers = bearer(token) if token else {}
    response = await stack.client.post(path, headers=headers, **kwargs)
    assert response.status_code in (200, 201), response.text
    return response.json()


async def person_with_account(stack, root: str, email: str, name: str, **where) -> dict:
    person = await api_post(stack, "/api/identity/v1/people", root,
                            json={"email": email, "full_name": name, "role": "teacher", **where})
    await stack.create_account(email, PASSWORD, name)
    return person


async def seed_network(stack: InProcessStack, *, teachers: int = 3) -> Network:
    root = await stack.token(*ADMIN)
    network = await api_post(stack, "/api/identity/v1/organizations", root,
                             json={"name": "Bay Teacher Network", "kind": "network"})
    district = await api_post(stack, "/api/identity/v1/organizations", root,
                              json={"name": "Oakland Unified", "kind": "district",
                                    "county": "Alameda"})
    school = await api_post(stack, "/api/identity/v1/organizations", root,
                            json={"name": "Lincoln Elementary", "kind": "school",
                                  "parent_id": district["id"]})
    where = {"school": "Lincoln Elementary", "district": "Oakland Unified", "county": "Alameda"}
    leader = await person_with_account(stack, root, "leader@web.test", "Maria Lopez")
    admin = await person_with_account(stack, root, "admin@web.test", "Ana Network")
    for person, role in ((leader, "leader"), (admin, "network_admin")):
        await api_post(stack, f"/api/identity/v1/organizations/{network['id']}/members", root,
                       json={"person_id": person["id"], "role": role})
    seeded = Network(network["id"], district["id"], school["id"], leader, admin)
    for n in range(teachers):
        seeded.teachers.append(await person_with_account(
            stack, root, f"teacher{n}@web.test", f"Teacher {n}", **where))
        # The network knows its teachers (as if from a sign-in sheet): its admins see them.
        await api_post(stack, "/api/identity/v1/people/matches", root, json={
            "network_id": network["id"], "email": f"teacher{n}@web.test",
            "full_name": f"Teacher {n}", "role": "teacher"})
    return seeded


def under_way() -> datetime:
    """A start an hour ago: people are checked in only from shortly before a session starts."""
    return datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)


async def seed_event(stack: InProcessStack, network: Network, *, capacity: int = 2,
                     starts: datetime | None = None, title: str = "Argument writing") -> dict:
    """A published workshop series with one session led by the network's leader."""
    root = await stack.token(*ADMIN)
    starts = starts or datetime.now(UTC) + timedelta(days=7)
    event = await api_post(stack, "/api/scheduling/v1/events", root, json={
        "network_id": network.id, "kind": "workshop_series", "title": title,
        "subjects": ["ELA"], "grade_min": "6", "grade_max": "8",
        "timezone": "America/Los_Angeles", "credit_hours": 3, "status": "published"})
    session = await api_post(stack, f"/api/scheduling/v1/events/{event['id']}/sessions", root,
                             json={"title": "Session I", "starts_at": starts.isoformat(),
                                   "ends_at": (starts + timedelta(hours=2)).isoformat(),
                                   "capacity": capacity,
                                   "facilitator_ids": [network.leader["id"]]})
    return {**event, "sessions": [session]}


@pytest.fixture
async def stack(sqlite_databases, tmp_path):
    # Web's behaviour does not depend on the services' database; SQLite keeps these fast.
    async with InProcessStack(sqlite_databases.fresh(tmp_path / "db"), var_dir=tmp_path) as stack:
        await stack.create_admin(*ADMIN)
        yield stack


@pytest.fixture
async def network(stack) -> Network:
    return await seed_network(stack)


@pytest.fixture
async def visitor(stack):
    visitor = Visitor(stack)
    yield visitor
    await visitor.aclose()


@pytest.fixture
async def another_visitor(stack):
    visitor = Visitor(stack)
    yield visitor
    await visitor.aclose()
