"""The partner key exchange against the real identity service on a real database (SQLite and
PostgreSQL): a key made by a network admin reaches a service as identity's partner JWT."""

import httpx
import pytest

from tests.gateway.conftest import echo_app, gateway_client, header
from tests.identity.conftest import (  # noqa: F401 (fixtures)
    IdentityApi,
    api,
    client,
    identity_app,
    identity_settings,
)


@pytest.fixture
async def gateway(identity_app):  # noqa: F811
    wired = {"identity": httpx.ASGITransport(app=identity_app),
             "reach": httpx.ASGITransport(app=echo_app("reach"))}
    async with gateway_client(transports=wired) as caller:
        yield caller


async def partner_key(api: IdentityApi) -> tuple[str, str]:  # noqa: F811
    network = await api.organization("Golden State Network", "network")
    partner = await api.organization("Teachers Union", "partner", parent_id=network["id"])
    created = await api.post(f"/organizations/{partner['id']}/api-keys", await api.admin(), {})
    return created["key"], partner["id"]


async def test_a_partner_key_reaches_the_service_as_identitys_partner_token(
        gateway, api):  # noqa: F811
    key, partner_id = await partner_key(api)
    response = await gateway.get("/api/reach/v1/reach", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200
    (authorization,) = header(response.json(), "authorization")
    principal = await api.verifier("reach").verify(authorization.removeprefix("Bearer "))
    assert principal.kind == "partner" and principal.organization_id == partner_id


async def test_an_unknown_key_is_refused_at_the_gateway(gateway, api):  # noqa: F811
    key, _ = await partner_key(api)
    response = await gateway.get("/api/reach/v1/reach",
                                 headers={"Authorization": f"Bearer {key}x"})
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_api_key"
