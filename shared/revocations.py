"""Which login sessions have ended, as a service learns it from identity: a short cache.

A user access token names its login session (`sid`). When the session ends (logout, a password
change, an admin), identity stops renewing its tokens at once; every other service polls
identity's list of recently ended sessions and refuses their tokens. The list is read again
when a token with a session arrives and the copy is older than `max_age` seconds, so a revoked
session's token is refused at most `max_age` seconds after identity recorded the end (30 s
unless CASCADE_REVOCATION_CACHE_SECONDS says otherwise). When identity cannot be asked and the
copy is stale, tokens with a session are refused with 503 rather than trusted unchecked.
"""

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Protocol

import httpx

from shared.errors import CascadeError

# Each read asks from a little before the previous answer's time: a revocation committed while
# that read ran carries an earlier timestamp than its answer, and must not fall in between.
OVERLAP = timedelta(seconds=10)
# An ended session is remembered this long; its tokens expire well before (user tokens last
# minutes), and identity's list reaches back only as far as their lifetime.
RETENTION_SECONDS = 3600.0


class RevocationCheck(Protocol):
    async def is_revoked(self, session_id: str) -> bool: ...


class RevocationsUnavailable(CascadeError):
    status_code, code, title = 503, "revocations_unavailable", "Session revocations unavailable"
    headers = {"Retry-After": "1"}


FetchRevoked = Callable[[datetime | None], Awaitable[dict]]


class RevokedSessions:
    """The ids of recently ended sessions, re-read from identity every `max_age` seconds."""

    def __init__(self, fetch: FetchRevoked, *, max_age: float = 30.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._fetch = fetch
        self.max_age = max_age
        self._clock = clock
        self._revoked: dict[str, float] = {}  # session id -> when we learnt of it
        self._as_of: datetime | None = None
        self._fetched_at = float("-inf")
        self._lock = asyncio.Lock()

    def _stale(self) -> bool:
        return self._clock() - self._fetched_at >= self.max_age

    async def is_revoked(self, session_id: str) -> bool:
        if self._stale():
            async with self._lock:
                if self._stale():
                    await self._refresh()
        return session_id in self._revoked

    async def _refresh(self) -> None:
        try:
            body = await self._fetch(self._as_of - OVERLAP if self._as_of else None)
            ids = [str(item["id"]) for item in body["items"]]
            as_of = datetime.fromisoformat(body["as_of"])
        except (httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
            raise RevocationsUnavailable(
                "Cannot tell whether this session has ended; try again.") from exc
        now = self._clock()
        for session_id in ids:
            self._revoked.setdefault(session_id, now)
        self._revoked = {sid: seen for sid, seen in self._revoked.items()
                         if now - seen < RETENTION_SECONDS}
        self._as_of = as_of
        self._fetched_at = now


def revoked_over_http(client: httpx.AsyncClient, url: str,
                      headers: Callable[[], Awaitable[dict[str, str]]]) -> FetchRevoked:
    """Reads identity's list of ended sessions with the service's own token."""

    async def fetch(since: datetime | None) -> dict:
        params = {"since": since.isoformat()} if since else {}
        response = await client.get(url, params=params, headers=await headers())
        response.raise_for_status()
        return response.json()

    return fetch
