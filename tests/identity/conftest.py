"""Identity on its own: the real app on a real database, over in-process HTTP, with real tokens."""

import httpx
import pytest

from services.identity.cli import create_platform_admin
from services.identity.main import create_app
from services.identity.settings import IdentitySettings

BASE = "/api/identity/v1"
SERVICE_SECRET = "identity-test-service-secret"
ADMIN_EMAIL = "root@example.org"
PASSWORD = "correct horse battery"


class IdentityApi:
    """The calls tests make again and again, each one asserting it worked."""

    def __init__(self, client: httpx.AsyncClient, settings: IdentitySettings) -> None:
        self.client = client
        self.settings = settings
        self._admin: dict[str, str] | None = None

    async def token(self, email: str, password: str = PASSWORD) -> str:
        response = await self.client.post(f"{BASE}/token", data={
            "grant_type": "password", "username": email, "password": password})
        assert response.status_code == 200, response.text
        return response.json()["access_token"]

    async def login(self, email: str, password: str = PASSWORD) -> dict[str, str]:
        return {"Authorization": f"Bearer {await self.token(email, password)}"}

    async def admin(self) -> dict[str, str]:
        if self._admin is None:
            await create_platform_admin(self.settings, email=ADMIN_EMAIL, password=PASSWORD)
            self._admin = await self.login(ADMIN_EMAIL)
        return self._admin

    async def post(self, path: str, headers: dict[str, str] | None, body: dict,
                   expect: int = 201) -> dict:
        response = await self.client.post(f"{BASE}{path}", json=body, headers=headers)
        assert response.status_code == expect, response.text
        return response.json()

    async def organization(self, name: str, kind: str, **fields) -> dict:
        return await self.post("/organizations", await self.admin(),
                               {"name": name, "kind": kind, **fields})

    async def person(self, email: str, full_name: str = "Pat Doe", role: str = "teacher",
                     **place) -> dict:
        return await self.post("/people", await self.admin(),
                               {"email": email, "full_name": full_name, "role": role, **place})

    async def member(self, organization_id: str, person_id: str, role: str) -> dict:
        return await self.post(f"/organizations/{organization_id}/members", await self.admin(),
                               {"person_id": person_id, "role": role})

    async def user(self, email: str, *, organization_id: str | None = None,
                   role: str | None = None) -> dict[str, str]:
        """A signed-in person, holding `role` in the organization when given."""
        person = await self.person(email)
        await self.post("/accounts", None, {"email": email, "password": PASSWORD,
                                            "full_name": "Pat Doe"})
        if organization_id and role:
            await self.member(organization_id, person["id"], role)
        return await self.login(email)

    async def service_headers(self) -> dict[str, str]:
        response = await self.client.post(f"{BASE}/token", data={
            "grant_type": "client_credentials", "client_id": "reach",
            "client_secret": SERVICE_SECRET})
        assert response.status_code == 200, response.text
        return {"Authorization": f"Bearer {response.json()['access_token']}"}


@pytest.fixture
def identity_settings(database_urls, tmp_path) -> IdentitySettings:
    # Alone, identity has no scheduling feed to read.
    return IdentitySettings(database_url=database_urls["identity"], var_dir=tmp_path,
                            service_secret=SERVICE_SECRET, consume_feeds=False)


@pytest.fixture
async def identity_app(identity_settings):
    app = create_app(identity_settings)
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture
async def client(identity_app):
    transport = httpx.ASGITransport(app=identity_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://identity") as client:
        yield client


@pytest.fixture
def api(client, identity_settings) -> IdentityApi:
    return IdentityApi(client, identity_settings)
