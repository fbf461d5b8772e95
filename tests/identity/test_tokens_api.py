import httpx
import jwt
import pytest

from services.identity.main import create_app
from services.identity.tokens.keys import KeyEncryptionError
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
        ("evidence", ["identity"])])
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


class TestChangingTheKeyEncryptionKey:
    """A new IDENTITY_KEY_ENCRYPTION_KEY left the sealed signing keys unreadable (identity
    refused to start); with the old one as IDENTITY_PREVIOUS_KEY_ENCRYPTION_KEY they open, are
    sealed again with the new one, and the old one may go (the review of hole 10)."""

    @staticmethod
    async def verify_after_restart(settings, token: str) -> bool:
        restarted = create_app(settings)
        async with restarted.router.lifespan_context(restarted):
            return (await restarted.state.verifier.verify(token)).is_platform_admin

    async def test_the_keys_are_sealed_again_with_the_new_key(self, api, identity_settings):
        await api.admin()
        token = await api.token(ADMIN_EMAIL)
        new_key = "a new key encryption key, long and random"
        changed = identity_settings.model_copy(update={"key_encryption_key": new_key})
        with pytest.raises(KeyEncryptionError, match="PREVIOUS_KEY_ENCRYPTION_KEY"):
            await self.verify_after_restart(changed, token)
        during = changed.model_copy(update={
            "previous_key_encryption_key": identity_settings.key_encryption_key})
        assert await self.verify_after_restart(during, token)
        # Sealed with the new key now: it alone opens them, the old one no longer does.
        assert await self.verify_after_restart(changed, token)
        with pytest.raises(KeyEncryptionError):
            await self.verify_after_restart(identity_settings, token)


class TestTheDocumentSaysWhatTheRoutesTake:
    """Found by the contract test (its KNOWN_FAILURES): the token form's grant_type was any
    string in the schema, and an organization's `verified` took "yes" for true."""

    async def test_grant_type_is_documented_as_the_grants_the_token_route_takes(self, client):
        doc = (await client.get(f"{BASE}/openapi.json")).json()
        body = doc["paths"][f"{BASE}/token"]["post"]["requestBody"]["content"][
            "application/x-www-form-urlencoded"]["schema"]["$ref"].split("/")[-1]
        grant_type = doc["components"]["schemas"][body]["properties"]["grant_type"]
        assert grant_type["enum"] == ["password", "refresh_token", "client_credentials",
                                      "api_key"]

    @pytest.mark.parametrize("value", ["yes", "true", 1, "on"])
    async def test_verified_is_a_json_boolean_only(self, api, value):
        district = await api.organization("Oakland Unified", "district")
        path = f"{BASE}/organizations/{district['id']}"
        refused = await api.client.patch(path, headers=await api.admin(),
                                         json={"verified": value})
        assert refused.status_code == 422, refused.text
        assert refused.json()["code"] == "invalid_input"
        taken = await api.client.patch(path, headers=await api.admin(), json={"verified": True})
        assert taken.status_code == 200 and taken.json()["verified"] is True
