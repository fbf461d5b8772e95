"""The verifier's short cache of ended sessions: its bound, and what it does when identity is
silent. (The whole stack's version, with identity's real list: tests/stack/test_sessions.py.)"""

from datetime import UTC, datetime

import httpx
import pytest

from shared.errors import Unauthorized
from shared.revocations import OVERLAP, RevocationsUnavailable, RevokedSessions
from tests.support.tokens import TestKeys


class Identity:
    """Identity's list of ended sessions as the verifier reads it, with a clock we move."""

    def __init__(self) -> None:
        self.ended: list[str] = []
        self.asked: list[datetime | None] = []
        self.down = False
        self.now = 0.0

    async def fetch(self, since: datetime | None) -> dict:
        self.asked.append(since)
        if self.down:
            raise httpx.ConnectError("identity is down")
        return {"items": [{"id": sid, "revoked_at": "2026-12-01T20:00:00+00:00"}
                          for sid in self.ended],
                "as_of": datetime(2026, 12, 1, 20, 0, tzinfo=UTC).isoformat()}

    def clock(self) -> float:
        return self.now


def verifier_with(identity: Identity, keys: TestKeys, *, max_age: float = 30.0):
    verifier = keys.verifier("scheduling")
    verifier.revocations = RevokedSessions(identity.fetch, max_age=max_age, clock=identity.clock)
    return verifier


class TestRevokedSessions:
    async def test_an_ended_session_is_refused_once_the_cache_is_older_than_its_bound(self):
        identity, keys = Identity(), TestKeys()
        verifier = verifier_with(identity, keys, max_age=30)
        token = keys.token(sid="session-1")
        assert (await verifier.verify(token)).session_id == "session-1"
        identity.ended.append("session-1")
        identity.now = 29.9
        await verifier.verify(token)  # within the bound the copy may still be old
        identity.now = 30.0
        with pytest.raises(Unauthorized, match="session of this access token has ended"):
            await verifier.verify(token)
        assert len(identity.asked) == 2

    async def test_each_read_asks_from_a_little_before_the_last_answer(self):
        identity, keys = Identity(), TestKeys()
        verifier = verifier_with(identity, keys, max_age=1)
        await verifier.verify(keys.token(sid="s"))
        identity.now = 5
        await verifier.verify(keys.token(sid="s"))
        assert identity.asked == [None, datetime(2026, 12, 1, 20, 0, tzinfo=UTC) - OVERLAP]

    async def test_tokens_without_a_session_are_not_checked(self):
        identity, keys = Identity(), TestKeys()
        identity.down = True
        verifier = verifier_with(identity, keys)
        await verifier.verify(keys.token(kind="service"))
        assert identity.asked == []

    async def test_a_stale_copy_with_identity_down_refuses_with_503_not_trust(self):
        identity, keys = Identity(), TestKeys()
        verifier = verifier_with(identity, keys, max_age=30)
        await verifier.verify(keys.token(sid="s"))
        identity.down, identity.now = True, 31
        with pytest.raises(RevocationsUnavailable) as raised:
            await verifier.verify(keys.token(sid="s"))
        assert raised.value.status_code == 503 and raised.value.headers["Retry-After"]
