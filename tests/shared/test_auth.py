import pytest

from shared.auth import TokenVerifier
from shared.errors import Unauthorized
from tests.support.tokens import TestKeys


def counting_verifier(*key_sets: TestKeys, audience: str = "scheduling", cooldown: float = 0.0):
    """A verifier whose JWKS is whatever keys are current, counting how often it is fetched."""
    state = {"keys": list(key_sets), "fetches": 0}

    async def fetch():
        state["fetches"] += 1
        return {"keys": [k for keys in state["keys"] for k in keys.jwks()["keys"]]}

    verifier = TokenVerifier(fetch_jwks=fetch, issuer="cascade-identity", audience=audience,
                             refetch_cooldown=cooldown)
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
