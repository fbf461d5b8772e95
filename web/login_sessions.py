"""Access tokens per login-session handle, in this process's memory only.

A token is used until shortly before it expires (a token this close to its end would die between
the page and the form it renders), and for at most `max_age` seconds (the revocation bound,
CASCADE_REVOCATION_CACHE_SECONDS, 30 s): then the handle is exchanged at identity again, so a
session ended anywhere (another device, a password change, an admin, another web process) is
signed out here within the same bound as in the services. What this process ends itself (a
logout, a session ended or a password changed on the account pages) it forgets at once.
Keyed by the handle's hash, so the memory holds no usable handle. Bounded in size: past
`max_entries` the entries closest to their end go first.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass
from hashlib import sha256

import jwt

EXPIRY_MARGIN_SECONDS = 30


@dataclass(frozen=True)
class _Entry:
    token: str
    use_until: float
    session_id: str | None  # the token's sid
    account_id: str | None  # the token's sub


class AccessTokens:
    def __init__(self, *, max_age: float = 30.0, max_entries: int = 10_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.max_age = max_age
        self.max_entries = max_entries
        self._clock = clock
        self._tokens: dict[str, _Entry] = {}  # by hash of handle

    @staticmethod
    def _key(handle: str) -> str:
        return sha256(handle.encode()).hexdigest()

    def get(self, handle: str) -> str | None:
        found = self._tokens.get(self._key(handle))
        if found is None:
            return None
        if self._clock() >= found.use_until:
            self._tokens.pop(self._key(handle), None)
            return None
        return found.token

    def put(self, handle: str, token: str, expires_in: int) -> str:
        if len(self._tokens) >= self.max_entries:
            now = self._clock()
            self._tokens = {k: v for k, v in self._tokens.items() if v.use_until > now}
            while len(self._tokens) >= self.max_entries:
                del self._tokens[min(self._tokens, key=lambda k: self._tokens[k].use_until)]
        try:
            claims = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError:
            claims = {}
        use_for = min(expires_in - EXPIRY_MARGIN_SECONDS, self.max_age)
        self._tokens[self._key(handle)] = _Entry(token, self._clock() + use_for,
                                                 claims.get("sid"), claims.get("sub"))
        return token

    def drop(self, handle: str) -> None:
        self._tokens.pop(self._key(handle), None)

    def drop_session(self, session_id: str) -> None:
        """Forgets the token of a login session ended by id (from the account pages)."""
        self._tokens = {k: v for k, v in self._tokens.items() if v.session_id != session_id}

    def drop_account(self, account_id: str, *, except_session_id: str | None) -> None:
        """Forgets every token of the account but one session's (after a password change)."""
        self._tokens = {k: v for k, v in self._tokens.items()
                        if v.account_id != account_id or v.session_id == except_session_id}

    def clear(self) -> None:
        self._tokens.clear()

    def __len__(self) -> int:
        return len(self._tokens)
