import asyncio
import base64
import hashlib
import hmac
import json
import time

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization

from shared.auth import KeysUnavailable, TokenVerifier
from shared.errors import Unauthorized
from tests.support.tokens import TestKeys


def counting_verifier(*key_sets: TestKeys, audience: str = "scheduling", cooldown: float = 0.0,
                      max_age: float = 300.0, local_key=None):
    """A verifier whose JWKS is whatever keys are current, counting how often it is fetched."""
    state = {"keys": list(key_sets), "fetches": 0}

    async def fetch():
        state["fetches"] += 1
        return {"keys": [k for keys in state["keys"] for k in keys.jwks()["keys"]]}

    verifier = TokenVerifier(fetch_jwks=fetch, issuer="cascade-identity", audience=audience,
                             refetch_cooldown=cooldown, max_age=max_age, local_key=local_key)
    return verifier, state


class TestTokenVerifier:
    async def test_a_valid_token_describes_the_caller(self):
        keys = TestKeys()
        verifier, state = counting_verifier(keys)
        principal = await verifier.verify(keys.token(person_id="p1", roles={"net": ["leader"]}))
        assert principal.person_id == "p1"
        assert principal.has_role("net", "leader") and not principal.has_role("other", "leader")
        await verifier.verify(keys.token())
        assert state["fetches"] == 1  # keys are cached

    async def test_an_unknown_key_id_fetches_the_keys_again(self):
        old, new = TestKeys(), TestKeys()
        verifier, state = counting_verifier(old)
        await verifier.verify(old.token())
        state["keys"] = [old, new]  # identity rotated
        principal = await verifier.verify(new.token(person_id="p2"))
        assert principal.person_id == "p2" and state["fetches"] == 2

    async def test_refetching_is_limited_by_the_cooldown(self):
        known, stranger = TestKeys(), TestKeys()
        verifier, state = counting_verifier(known, cooldown=60)
        await verifier.verify(known.token())
        for _ in range(5):
            with pytest.raises(Unauthorized):
                await verifier.verify(stranger.token())
        assert state["fetches"] == 1

    @pytest.mark.parametrize("claims, message", [
        ({"ttl": -30}, "expired"),
        ({"aud": ["reach"]}, "not valid"),
        ({"iss": "someone-else"}, "not valid"),
    ])
    async def test_expired_foreign_or_misaddressed_tokens_are_refused(self, claims, message):
        keys = TestKeys()
        verifier, _ = counting_verifier(keys)
        with pytest.raises(Unauthorized, match=message):
            await verifier.verify(keys.token(**claims))

    async def test_garbage_is_refused_without_a_fetch(self):
        verifier, state = counting_verifier(TestKeys())
        with pytest.raises(Unauthorized):
            await verifier.verify("not-a-jwt")
        assert state["fetches"] == 0


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _forged(header: dict, payload: dict, sign) -> str:
    signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(payload).encode())}"
    return f"{signing_input}.{_b64(sign(signing_input.encode()))}"


def _payload(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


class TestTokenAttacks:
    """RFC 8725's attacks on a verifier that trusts one ES256 key: each one refused."""

    @pytest.fixture
    def verifier(self, keys):
        return counting_verifier(keys)[0]

    async def test_alg_none_is_refused(self, keys, verifier):
        token = _forged({"alg": "none", "typ": "at+jwt", "kid": keys.kid},
                        _payload(keys.token(admin=True)), lambda _: b"")
        with pytest.raises(Unauthorized):
            await verifier.verify(token)
        with pytest.raises(Unauthorized):
            await verifier.verify(token.rpartition(".")[0] + ".")

    async def test_hs256_signed_with_the_public_key_is_refused(self, keys, verifier):
        public_pem = keys.private_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        token = _forged({"alg": "HS256", "typ": "at+jwt", "kid": keys.kid},
                        _payload(keys.token(admin=True)),
                        lambda data: hmac.new(public_pem, data, hashlib.sha256).digest())
        with pytest.raises(Unauthorized, match="not valid"):
            await verifier.verify(token)

    @pytest.mark.parametrize("header", [{"typ": "JWT"}, {"typ": None}, {"typ": "id+jwt"}])
    async def test_a_token_not_typed_as_an_access_token_is_refused(self, keys, verifier, header):
        token = keys.token(header=header)
        if header["typ"] is None:  # no typ at all
            token = _forged({"alg": "ES256", "kid": keys.kid}, _payload(token),
                            lambda data: _es256(keys, data))
        with pytest.raises(Unauthorized, match="not an access token"):
            await verifier.verify(token)

    async def test_the_media_type_form_of_the_access_token_type_is_accepted(self, keys, verifier):
        principal = await verifier.verify(keys.token(header={"typ": "application/at+jwt"},
                                                     person_id="p1"))
        assert principal.person_id == "p1"

    @pytest.mark.parametrize("claim", ["nbf", "iat"])
    async def test_a_token_not_yet_valid_is_refused(self, keys, verifier, claim):
        # The time is taken when the test runs: taken at collection, a long suite outlived it.
        with pytest.raises(Unauthorized):
            await verifier.verify(keys.token(**{claim: int(time.time()) + 600}))

    async def test_a_token_without_a_jti_is_refused(self, keys, verifier):
        payload = _payload(keys.token())
        del payload["jti"]
        token = _forged({"alg": "ES256", "typ": "at+jwt", "kid": keys.kid}, payload,
                        lambda data: _es256(keys, data))
        with pytest.raises(Unauthorized, match="not valid"):
            await verifier.verify(token)

    async def test_a_tampered_payload_is_refused(self, keys, verifier):
        header, payload, signature = keys.token(person_id="p1").split(".")
        claims = _payload(keys.token(person_id="p1"))
        claims["admin"] = True
        tampered = f"{header}.{_b64(json.dumps(claims).encode())}.{signature}"
        with pytest.raises(Unauthorized, match="not valid"):
            await verifier.verify(tampered)

    async def test_a_key_id_the_issuer_never_published_is_refused(self, keys, verifier):
        stranger = TestKeys()
        with pytest.raises(Unauthorized, match="unknown key"):
            await verifier.verify(stranger.token(header={"kid": keys.kid + "x"}))
        with pytest.raises(Unauthorized, match="not valid"):
            # A stranger's key naming a published kid fails the signature instead.
            await verifier.verify(stranger.token(header={"kid": keys.kid}))


def _es256(keys: TestKeys, data: bytes) -> bytes:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

    r, s = decode_dss_signature(keys.private_key.sign(data, ec.ECDSA(hashes.SHA256())))
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")


class TestKeyRefresh:
    async def test_known_keys_are_fetched_again_after_max_age(self):
        old, new = TestKeys(), TestKeys()
        verifier, state = counting_verifier(old, max_age=0.05)
        await verifier.verify(old.token())
        state["keys"] = [new]  # identity retired the old key
        await verifier.verify(old.token())  # still within max_age: no fetch
        assert state["fetches"] == 1
        await asyncio.sleep(0.06)
        with pytest.raises(Unauthorized, match="unknown key"):
            await verifier.verify(old.token())
        assert state["fetches"] == 2
        assert (await verifier.verify(new.token(person_id="p3"))).person_id == "p3"

    async def test_a_failed_fetch_waits_out_the_cooldown_too(self):
        stranger = TestKeys()
        calls = {"n": 0}

        async def down() -> dict:
            calls["n"] += 1
            raise httpx.ConnectError("identity is down")

        verifier = TokenVerifier(fetch_jwks=down, issuer="cascade-identity",
                                 audience="scheduling", refetch_cooldown=60)
        for _ in range(5):
            with pytest.raises(KeysUnavailable):
                await verifier.verify(stranger.token())
        assert calls["n"] == 1

    async def test_while_identity_is_down_the_last_keys_keep_verifying(self):
        keys = TestKeys()
        state = {"up": True}

        async def fetch() -> dict:
            if not state["up"]:
                raise httpx.ConnectError("identity is down")
            return keys.jwks()

        verifier = TokenVerifier(fetch_jwks=fetch, issuer="cascade-identity",
                                 audience="scheduling", refetch_cooldown=0, max_age=0)
        await verifier.verify(keys.token())
        state["up"] = False
        assert (await verifier.verify(keys.token(person_id="p4"))).person_id == "p4"

    async def test_a_local_key_is_asked_first(self):
        local, published = TestKeys(), TestKeys()
        verifier, state = counting_verifier(published, local_key=lambda kid: (
            local.private_key.public_key() if kid == local.kid else None))
        assert (await verifier.verify(local.token(person_id="p5"))).person_id == "p5"
        assert state["fetches"] == 0
        assert (await verifier.verify(published.token(person_id="p6"))).person_id == "p6"
        assert state["fetches"] == 1
