"""Identity's tokens against the attacks of RFC 8725, its keys at rest and their rotation, on a
real database (SQLite and PostgreSQL), through identity's own HTTP routes."""

import base64
import hashlib
import hmac
import json
import time
from datetime import timedelta

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from sqlalchemy import text

from services.identity.cli import rotate_signing_keys
from services.identity.main import create_app
from services.identity.tokens import repository
from services.identity.tokens.keys import KeyCipher, KeyEncryptionError
from shared.db import utcnow
from tests.identity.conftest import ADMIN_EMAIL, BASE
from tests.support.stack import CLIENT_SECRETS, ROOT_LOGIN, bearer, eventually, reach_summary
from tests.support.tokens import TestKeys


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unsigned(token: str) -> tuple[dict, dict]:
    return jwt.get_unverified_header(token), jwt.decode(token, options={"verify_signature": False})


async def _signing_key(identity_app):
    async with identity_app.state.sessions() as db:
        return await identity_app.state.key_ring.current(db)


async def _sql(db, statement: str, **params):
    # Straight at the table, as a database dump or an operator would see it.
    return await (await db.connection()).execute(text(statement), params)


async def _me(client: httpx.AsyncClient, token: str) -> httpx.Response:
    return await client.get(f"{BASE}/me", headers=bearer(token))


class TestForgedTokensAreRefused:
    @pytest.fixture
    async def genuine(self, api):
        await api.admin()
        token = await api.token(ADMIN_EMAIL)
        assert (await _me(api.client, token)).status_code == 200
        return token

    async def _refused(self, client, token: str) -> dict:
        response = await _me(client, token)
        assert response.status_code == 401, response.text
        assert response.headers["content-type"] == "application/problem+json"
        return response.json()

    async def test_alg_none(self, client, genuine):
        header, claims = _unsigned(genuine)
        forged = (f"{_b64(json.dumps({**header, 'alg': 'none'}).encode())}."
                  f"{_b64(json.dumps(claims).encode())}.")
        await self._refused(client, forged)

    async def test_hs256_signed_with_the_published_public_key(self, client, genuine):
        header, claims = _unsigned(genuine)
        jwks = (await client.get(f"{BASE}/jwks.json")).json()
        public = jwt.PyJWK.from_dict(next(k for k in jwks["keys"] if k["kid"] == header["kid"]))
        public_pem = public.key.public_bytes(serialization.Encoding.PEM,
                                             serialization.PublicFormat.SubjectPublicKeyInfo)
        signing_input = (f"{_b64(json.dumps({**header, 'alg': 'HS256'}).encode())}."
                         f"{_b64(json.dumps(claims).encode())}")
        signature = hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest()
        await self._refused(client, f"{signing_input}.{_b64(signature)}")

    async def test_a_tampered_payload(self, client, genuine):
        encoded_header, _, signature = genuine.split(".")
        _, claims = _unsigned(genuine)
        claims["sub"] = "someone-else"
        await self._refused(client,
                            f"{encoded_header}.{_b64(json.dumps(claims).encode())}.{signature}")

    async def test_an_unknown_key_id(self, client, genuine):
        _, claims = _unsigned(genuine)
        stranger = TestKeys()
        token = jwt.encode(claims, stranger.private_key, algorithm="ES256",
                           headers={"kid": stranger.kid, "typ": "at+jwt"})
        assert "unknown key" in (await self._refused(client, token))["detail"]

    @pytest.mark.parametrize("change", [
        {"aud": ["scheduling", "evidence", "reach"]},  # everything but identity
        {"iss": "someone-else"},
        {"exp": -60},  # times as seconds from when the test runs, not from collection
        {"nbf": 600},
        {"iat": 600},
    ], ids=["wrong-aud", "wrong-iss", "expired", "nbf-future", "iat-future"])
    async def test_claims_identity_would_never_sign_as_they_are(self, client, identity_app,
                                                                 genuine, change):
        # Signed with identity's real key: only the claims are wrong.
        key = await _signing_key(identity_app)
        _, claims = _unsigned(genuine)
        change = {name: int(time.time()) + value if name in ("exp", "nbf", "iat") else value
                  for name, value in change.items()}
        token = jwt.encode({**claims, **change}, key.private_key, algorithm="ES256",
                           headers={"kid": key.kid, "typ": "at+jwt"})
        await self._refused(client, token)

    @pytest.mark.parametrize("typ", ["JWT", None])
    async def test_a_token_not_typed_at_jwt(self, client, identity_app, genuine, typ):
        key = await _signing_key(identity_app)
        _, claims = _unsigned(genuine)
        headers = {"kid": key.kid, "typ": typ}
        token = jwt.encode(claims, key.private_key, algorithm="ES256", headers=headers)
        if typ is None:  # PyJWT adds "typ": "JWT" unless told otherwise
            token = jwt.api_jws.encode(json.dumps(claims).encode(), key.private_key,
                                       algorithm="ES256", headers={"kid": key.kid, "typ": None})
            assert "typ" not in jwt.get_unverified_header(token)
        await self._refused(client, token)

    async def test_identitys_own_tokens_carry_type_audience_and_id(self, api, genuine):
        header, claims = _unsigned(genuine)
        assert header["typ"] == "at+jwt" and header["alg"] == "ES256"
        assert claims["aud"] == ["identity", "scheduling", "evidence", "reach"]
        assert claims["jti"] != _unsigned(await api.token(ADMIN_EMAIL))[1]["jti"]


class TestKeysAtRest:
    async def test_the_private_key_is_stored_sealed_never_as_pem(self, api, identity_app,
                                                                 identity_settings):
        await api.admin()
        await api.token(ADMIN_EMAIL)
        async with identity_app.state.sessions() as db:
            rows = (await _sql(db, "SELECT private_key, private_pem FROM signing_key")).all()
        assert rows
        for sealed, plain in rows:
            assert plain is None
            assert "PRIVATE KEY" not in sealed and "BEGIN" not in sealed
            pem = KeyCipher(identity_settings.key_encryption_key)._fernet.decrypt(sealed.encode())
            assert pem.startswith(b"-----BEGIN PRIVATE KEY-----")

    async def test_another_key_encryption_key_does_not_open_them(self, api, identity_app):
        await api.admin()
        await api.token(ADMIN_EMAIL)
        async with identity_app.state.sessions() as db:
            (row,) = await repository.every(db)
        with pytest.raises(KeyEncryptionError):
            KeyCipher("another-key-of-at-least-thirty-two-characters").open(row)

    async def test_a_key_kept_in_plain_text_is_sealed_at_start_up(self, api, identity_app,
                                                                  identity_settings):
        await api.admin()
        old_token = await api.token(ADMIN_EMAIL)
        key = await _signing_key(identity_app)
        pem = key.private_key.private_bytes(serialization.Encoding.PEM,
                                            serialization.PrivateFormat.PKCS8,
                                            serialization.NoEncryption()).decode()
        async with identity_app.state.sessions() as db:  # as the key was before 0003
            await _sql(db, "UPDATE signing_key SET private_pem = :pem, private_key = NULL", pem=pem)
            await db.commit()

        restarted = create_app(identity_settings)
        async with restarted.router.lifespan_context(restarted):
            async with restarted.state.sessions() as db:
                (row,) = await repository.every(db)
            assert row.private_pem is None and "PRIVATE KEY" not in row.private_key
            principal = await restarted.state.verifier.verify(old_token)
        assert principal.is_platform_admin

    async def test_identity_refuses_to_start_without_a_key_encryption_key(self,
                                                                         identity_settings):
        from shared.settings import InsecureSettings

        for value in ("", "replace-with-a-long-random-string"):
            with pytest.raises(InsecureSettings, match="IDENTITY_KEY_ENCRYPTION_KEY"):
                create_app(identity_settings.model_copy(update={
                    "key_encryption_key": value, "allow_empty_secrets": False}))


class TestRotation:
    @pytest.fixture
    def identity_settings(self, identity_settings):
        # Each process re-reads its keys at once and a new key signs as soon as it is published,
        # so the test sees a rotation without waiting.
        return identity_settings.model_copy(update={"key_cache_seconds": 0.0,
                                                    "key_publish_seconds": 0.0})

    async def _kids(self, client) -> set[str]:
        return {key["kid"] for key in (await client.get(f"{BASE}/jwks.json")).json()["keys"]}

    async def test_old_tokens_verify_until_the_old_key_retires_then_it_is_gone(
            self, api, client, identity_app, identity_settings):
        await api.admin()
        old_token = await api.token(ADMIN_EMAIL)
        old_kid = jwt.get_unverified_header(old_token)["kid"]

        new_kid, retires_at = await rotate_signing_keys(identity_settings)

        assert new_kid != old_kid
        assert retires_at - utcnow() >= timedelta(seconds=identity_settings.max_token_ttl)
        new_token = await api.token(ADMIN_EMAIL)
        assert jwt.get_unverified_header(new_token)["kid"] == new_kid
        assert await self._kids(client) == {old_kid, new_kid}
        assert (await _me(client, old_token)).status_code == 200
        assert (await _me(client, new_token)).status_code == 200

        # The retirement time comes (as it would once every token the old key signed expired).
        async with identity_app.state.sessions() as db:
            await _sql(db, "UPDATE signing_key SET retired_at = :at WHERE id = :kid",
                       at=utcnow() - timedelta(seconds=1), kid=old_kid)
            await db.commit()

        assert await self._kids(client) == {new_kid}

        async def old_token_refused() -> bool:
            return (await _me(client, old_token)).status_code == 401

        await eventually(old_token_refused, timeout=5)
        assert (await _me(client, new_token)).status_code == 200

    async def test_a_second_rotation_keeps_the_first_retirement(self, api, identity_app,
                                                                identity_settings):
        await api.admin()
        first_kid = jwt.get_unverified_header(await api.token(ADMIN_EMAIL))["kid"]
        _, first_retirement = await rotate_signing_keys(identity_settings)
        await rotate_signing_keys(identity_settings)
        async with identity_app.state.sessions() as db:
            retired = {row.id: row.retired_at for row in await repository.every(db)}
        assert retired[first_kid] == first_retirement



class TestAudiences:
    async def test_a_partner_token_is_for_reach_alone(self, stack):
        root = bearer(await stack.token(*ROOT_LOGIN))

        async def create(path: str, body: dict) -> dict:
            response = await stack.client.post(f"{BASE}{path}", json=body, headers=root)
            assert response.status_code == 201, response.text
            return response.json()

        network = await create("/organizations", {"name": "Golden State", "kind": "network"})
        partner = await create("/organizations", {"name": "Teachers Union", "kind": "partner",
                                                  "parent_id": network["id"]})
        key = (await create(f"/organizations/{partner['id']}/api-keys", {}))["key"]
        as_partner = bearer(key)  # the gateway trades it at identity for a partner token

        refused = {
            "identity": await stack.client.get(f"{BASE}/organizations", headers=as_partner),
            "scheduling": await stack.client.get("/api/scheduling/v1/events", headers=as_partner),
            "evidence": await stack.client.get("/api/evidence/v1/artifacts",
                                               params={"session_id": "s1"}, headers=as_partner),
        }
        for service, response in refused.items():
            assert response.status_code == 401, (service, response.text)
            assert response.json()["code"] == "unauthorized", service

        reach = await reach_summary(stack.client, as_partner, {
            "network_id": network["id"], "from": "2026-01-01", "to": "2026-12-31"})
        assert reach.status_code == 200, reach.text

    @pytest.mark.parametrize("client_id,allowed,refused", [
        # Identity reads every feed for the refused attempts it audits.
        ("identity", ["scheduling", "evidence", "reach"], ["identity"]),
        ("scheduling", ["identity"], ["scheduling", "evidence", "reach"]),
        ("reach", ["identity", "scheduling"], ["evidence", "reach"]),
        # Evidence: identity alone, for its ended sessions; identity's feed refuses it (403).
        ("evidence", [], ["scheduling", "evidence", "reach"]),
    ])
    async def test_a_service_token_reaches_only_the_services_it_calls(self, stack, client_id,
                                                                      allowed, refused):
        answer = await stack.client.post(f"{BASE}/token", data={
            "grant_type": "client_credentials", "client_id": client_id,
            "client_secret": CLIENT_SECRETS[client_id]})
        assert answer.status_code == 200, answer.text
        headers = bearer(answer.json()["access_token"])
        for service in allowed:
            feed = await stack.client.get(f"/api/{service}/v1/feed", headers=headers)
            assert feed.status_code == 200, (service, feed.text)
        for service in refused:
            feed = await stack.client.get(f"/api/{service}/v1/feed", headers=headers)
            assert feed.status_code == 401, (service, feed.text)


class TestPublishBeforeSigning:
    @pytest.fixture
    def identity_settings(self, identity_settings):
        return identity_settings.model_copy(update={"key_cache_seconds": 0.0,
                                                    "key_publish_seconds": 600.0})

    async def test_a_new_key_is_published_before_it_signs(self, api, client, identity_settings):
        await api.admin()
        old_kid = jwt.get_unverified_header(await api.token(ADMIN_EMAIL))["kid"]
        new_kid, retires_at = await rotate_signing_keys(identity_settings)
        jwks = (await client.get(f"{BASE}/jwks.json")).json()
        assert {key["kid"] for key in jwks["keys"]} == {old_kid, new_kid}
        # Services that fetched the keys just before may refuse an unknown kid for their
        # cooldown: the old key signs on until the new one has been published long enough.
        assert jwt.get_unverified_header(await api.token(ADMIN_EMAIL))["kid"] == old_kid
        assert retires_at - utcnow() >= timedelta(seconds=600 + identity_settings.max_token_ttl)


def test_cascade_keys_rotate_on_the_embedded_suite(tmp_path, monkeypatch, capsys):
    import asyncio

    from services.cli import identity_settings, main

    monkeypatch.setenv("CASCADE_VAR_DIR", str(tmp_path))
    for name in ("IDENTITY_DATABASE_URL", "IDENTITY_KEY_ENCRYPTION_KEY"):
        monkeypatch.delenv(name, raising=False)
    assert main(["keys", "rotate"]) == 0
    assert main(["keys", "rotate"]) == 0
    assert "is published now and signs in 15 s" in capsys.readouterr().out

    settings = identity_settings()  # the key encryption key `cascade run` keeps in var/
    assert (tmp_path / "identity-key-encryption-key").read_text() == settings.key_encryption_key

    async def stored():
        from shared.db import create_engine, session_factory

        engine = create_engine(settings.db_url, schema="identity")
        async with session_factory(engine)() as db:
            rows = await repository.every(db)
        await engine.dispose()
        return rows

    first, second = asyncio.run(stored())
    assert first.retired_at is not None and second.retired_at is None
    cipher = KeyCipher(settings.key_encryption_key)
    assert cipher.open(first) and cipher.open(second)
