import httpx
import jwt
import pytest

from services.identity.main import create_app
from shared.auth import TokenVerifier
from tests.identity.conftest import ADMIN_EMAIL, BASE, PASSWORD
from tests.support.stack import CLIENT_SECRETS

PROBLEM = "application/problem+json"


def _jwks_from(client):
    async def fetch() -> dict:
        response = await client.get(f"{BASE}/jwks.json")
        response.raise_for_status()
        return response.json()

    return fetch


class TestPasswordGrant:
    async def test_right_password_gives_a_bearer_token_for_any_case_of_the_email(self, api):
        await api.admin()
        response = await api.client.post(f"{BASE}/token", data={
            "grant_type": "password", "username": ADMIN_EMAIL.upper(), "password": PASSWORD})
        assert response.status_code == 200
        body = response.json()
        assert body["token_type"] == "bearer" and body["expires_in"] == 300
        assert response.headers["cache-control"] == "no-store"
        claims = jwt.decode(body["access_token"], options={"verify_signature": False})
        assert claims["kind"] == "user" and claims["admin"] is True
        assert claims["email"] == ADMIN_EMAIL and claims["exp"] - claims["iat"] == 300
        assert claims["sid"] and body["refresh_token"].startswith("crt_")

    @pytest.mark.parametrize("username,password", [
        (ADMIN_EMAIL, "wrong password!"),
        ("nobody@example.org", PASSWORD),
    ])
    async def test_wrong_password_or_unknown_email_is_401_problem(self, api, username, password):
        await api.admin()
        response = await api.client.post(f"{BASE}/token", data={
            "grant_type": "password", "username": username, "password": password})
        assert response.status_code == 401
        assert response.headers["content-type"] == PROBLEM
        assert response.json()["code"] == "invalid_grant"

    async def test_missing_fields_and_unknown_grants_are_400_problems(self, client):
        missing = await client.post(f"{BASE}/token", data={"grant_type": "password"})
        unknown = await client.post(f"{BASE}/token", data={"grant_type": "implicit"})
        assert missing.status_code == 400 and missing.json()["code"] == "invalid_request"
        assert unknown.status_code == 400 and unknown.json()["code"] == "unsupported_grant_type"
        assert unknown.headers["content-type"] == PROBLEM


class TestJwks:
    async def test_a_token_verifies_against_the_published_keys_and_names_roles(self, api):
        network = await api.organization("Golden State Network", "network")
        headers = await api.user("lead@example.org", organization_id=network["id"], role="leader")
        verifier = TokenVerifier(fetch_jwks=_jwks_from(api.client), issuer="cascade-identity",
                                 audience="scheduling")
        principal = await verifier.verify(headers["Authorization"].removeprefix("Bearer "))
        assert principal.kind == "user" and principal.email == "lead@example.org"
        assert principal.roles == {network["id"]: frozenset({"leader"})}
        assert principal.has_role(network["id"], "leader")
        assert not principal.is_platform_admin

    async def test_keys_survive_a_restart_of_the_service(self, api, identity_settings):
        await api.admin()
        token = await api.token(ADMIN_EMAIL)
        restarted = create_app(identity_settings)
        async with restarted.router.lifespan_context(restarted):
            principal = await restarted.state.verifier.verify(token)
        assert principal.is_platform_admin


class TestClientCredentials:
    # Named, not shown: the secret is new in every process, and pytest-xdist's processes must
    # collect the same test names.
    @pytest.mark.parametrize("secret,status", [(CLIENT_SECRETS["scheduling"], 200),
                                               ("not-it", 401), ("", 401)],
                             ids=["its-own", "another", "none"])
    async def test_only_the_clients_own_secret_gives_a_service_token(self, client, secret,
                                                                      status):
        response = await client.post(f"{BASE}/token", data={
            "grant_type": "client_credentials", "client_id": "scheduling",
            "client_secret": secret})
        assert response.status_code == status
        if status == 200:
            claims = jwt.decode(response.json()["access_token"],
                                options={"verify_signature": False})
            assert claims["sub"] == "service:scheduling" and claims["kind"] == "service"
            assert claims["aud"] == ["identity"]  # the one service scheduling calls
        else:
            assert response.json()["code"] == "invalid_client"

    @pytest.mark.parametrize("client_id,audience", [
        ("scheduling", ["identity"]), ("reach", ["identity", "scheduling"]),
        ("evidence", ["identity", "scheduling"])])
    async def test_a_service_token_names_only_the_services_its_client_calls(
            self, client, client_id, audience):
        response = await client.post(f"{BASE}/token", data={
            "grant_type": "client_credentials", "client_id": client_id,
            "client_secret": CLIENT_SECRETS[client_id]})
        assert response.status_code == 200, response.text
        claims = jwt.decode(response.json()["access_token"], options={"verify_signature": False})
        assert claims["aud"] == audience and claims["sub"] == f"service:{client_id}"

    @pytest.mark.parametrize("client_id,secret_of", [
        ("scheduling", "reach"), ("reach", "scheduling"), ("evidence", "reach"),
        ("identity", "scheduling")])
    async def test_one_services_secret_cannot_mint_a_token_for_another(self, client, client_id,
                                                                       secret_of):
        response = await client.post(f"{BASE}/token", data={
            "grant_type": "client_credentials", "client_id": client_id,
            "client_secret": CLIENT_SECRETS[secret_of]})
        assert response.status_code == 401 and response.json()["code"] == "invalid_client"

    async def test_no_configured_clients_refuses_every_client(self, identity_settings):
        app = create_app(identity_settings.model_copy(update={"service_clients": {}}))
        async with app.router.lifespan_context(app), httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://identity") as client:
            for secret in ("", CLIENT_SECRETS["reach"]):
                response = await client.post(f"{BASE}/token", data={
                    "grant_type": "client_credentials", "client_id": "reach",
                    "client_secret": secret})
                assert response.status_code == 401 and response.json()["code"] == "invalid_client"
