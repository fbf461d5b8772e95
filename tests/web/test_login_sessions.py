"""Web's memory of access tokens per session handle: how long it trusts one, and its bounds."""

import jwt

from web.login_sessions import EXPIRY_MARGIN_SECONDS, AccessTokens


class Clock:
    now = 0.0

    def __call__(self) -> float:
        return self.now


def token(sid: str, sub: str = "account-1") -> str:
    return jwt.encode({"sid": sid, "sub": sub}, "k" * 32, algorithm="HS256")


class TestAccessTokens:
    def test_a_token_is_used_for_the_revocation_bound_at_most(self):
        clock = Clock()
        tokens = AccessTokens(max_age=30, clock=clock)
        tokens.put("crt_a", token("a"), expires_in=300)
        clock.now = 29.9
        assert tokens.get("crt_a") == token("a")
        clock.now = 30
        assert tokens.get("crt_a") is None

    def test_a_token_is_not_used_in_its_last_seconds(self):
        clock = Clock()
        tokens = AccessTokens(max_age=600, clock=clock)
        tokens.put("crt_a", token("a"), expires_in=300)
        clock.now = 300 - EXPIRY_MARGIN_SECONDS
        assert tokens.get("crt_a") is None

    def test_past_its_size_the_entries_closest_to_their_end_go_first(self):
        clock = Clock()
        tokens = AccessTokens(max_age=600, max_entries=2, clock=clock)
        tokens.put("crt_short", token("s"), expires_in=60)
        tokens.put("crt_long", token("l"), expires_in=300)
        tokens.put("crt_new", token("n"), expires_in=300)
        assert len(tokens) == 2
        assert tokens.get("crt_short") is None and tokens.get("crt_long") is not None

    def test_ended_sessions_and_a_changed_password_are_forgotten_at_once(self):
        tokens = AccessTokens()
        tokens.put("crt_a", token("a"), expires_in=300)
        tokens.put("crt_b", token("b"), expires_in=300)
        tokens.put("crt_c", token("c"), expires_in=300)
        tokens.put("crt_x", token("x", sub="account-2"), expires_in=300)
        tokens.drop_session("a")
        assert tokens.get("crt_a") is None and tokens.get("crt_b") is not None
        tokens.drop_account("account-1", except_session_id="c")
        assert tokens.get("crt_b") is None and tokens.get("crt_c") is not None
        assert tokens.get("crt_x") is not None
