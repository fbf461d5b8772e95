"""Partner API keys: the gateway trades a `csk_...` key at identity for a short-lived JWT.

Services only ever see JWTs. The token is cached by the key's SHA-256 (the key itself is never
kept) for at most `max_age` seconds and never past its own expiry, so a revoked key stops working
within a minute; concurrent first requests with one key share a single exchange.
"""

import asyncio
import hashlib
import time

import httpx

from shared.requests import current_request_id

TOKEN_PATH = "/api/identity/v1/token"  # noqa: S105 (the token endpoint's path, not a secret)
API_KEY_PREFIX = "csk_"
# A token forwarded this close to its expiry could lapse on the way to the service.
_EXPIRY_MARGIN = 2.0
_MAX_ENTRIES = 10_000


class InvalidApiKey(Exception):
    """Identity refused the key."""


class TokenExchangeFailed(Exception):
    """Identity answered, but not with a token or a refusal (a 5xx, say)."""


class ApiKeyExchange:
    def __init__(self, identity: httpx.AsyncClient, *, max_age: float) -> None:
        self._identity = identity
        self._max_age = max_age
        self._tokens: dict[bytes, tuple[str, float]] = {}
        self._pending: dict[bytes, asyncio.Future[str]] = {}

    async def token_for(self, api_key: str) -> str:
        digest = hashlib.sha256(api_key.encode()).digest()
        cached = self._tokens.get(digest)
        if cached is not None and cached[1] > time.monotonic():
            return cached[0]
        pending = self._pending.get(digest)
        if pending is not None:
            return await asyncio.shield(pending)
        future: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self._pending[digest] = future
        try:
            token = await self._exchange(api_key, digest)
        except asyncio.CancelledError:
            future.cancel()
            raise
        except Exception as exc:
            future.set_exception(exc)
            future.exception()  # retrieved here, so no "never retrieved" warning without waiters
            raise
        else:
            future.set_result(token)
            return token
        finally:
            del self._pending[digest]

    async def _exchange(self, api_key: str, digest: bytes) -> str:
        request_id = current_request_id()
        headers = {"X-Request-ID": request_id} if request_id else None
        response = await self._identity.post(
            TOKEN_PATH, data={"grant_type": "api_key", "api_key": api_key}, headers=headers)
        if response.status_code in (400, 401, 403, 422):
            raise InvalidApiKey()
        if response.status_code != 200:
            raise TokenExchangeFailed(f"identity answered {response.status_code}")
        try:
            body = response.json()
            token, lifetime = str(body["access_token"]), float(body.get("expires_in", 0))
        except (ValueError, KeyError, TypeError):
            raise TokenExchangeFailed("identity's token answer was not understood") from None
        keep_for = min(self._max_age, lifetime - _EXPIRY_MARGIN)
        if keep_for > 0:
            self._remember(digest, token, time.monotonic() + keep_for)
        return token

    def _remember(self, digest: bytes, token: str, until: float) -> None:
        if len(self._tokens) >= _MAX_ENTRIES:
            now = time.monotonic()
            self._tokens = {k: v for k, v in self._tokens.items() if v[1] > now}
            if len(self._tokens) >= _MAX_ENTRIES:
                self._tokens.clear()
        self._tokens[digest] = (token, until)
