"""Access-token verification against identity's published keys, and the caller it describes.

Identity signs short-lived ES256 access tokens (header typ "at+jwt"); every service verifies the
type, signature, issuer, expiry and its own name in the audience. Keys are fetched
asynchronously, cached for a few minutes, and fetched again when a token names a key id we have
not seen (identity rotated), at most once per cooldown.
"""

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Annotated, Any

import httpx
import jwt
from fastapi import Depends, Request

from shared.errors import CascadeError, Forbidden, Unauthorized
from shared.revocations import RevocationCheck

ALGORITHMS = ["ES256"]
# The JOSE header type of an access token (RFC 9068); the media-type form is the same type.
TOKEN_TYPE = "at+jwt"  # noqa: S105 (a token type's name, not a secret)
TOKEN_TYPES = frozenset({TOKEN_TYPE, "application/at+jwt"})


@dataclass(frozen=True)
class Principal:
    """Who is calling: a signed-in person, a partner's API key, or another Cascade service."""

    subject: str
    kind: str  # "user" | "partner" | "service"
    person_id: str | None = None
    email: str | None = None
    # True once the account proved it reads mail at `email` (a mailed link was used).
    email_verified: bool = False
    name: str | None = None
    is_platform_admin: bool = False
    roles: dict[str, frozenset[str]] = field(default_factory=dict)
    organization_id: str | None = None  # the partner organization an API key belongs to
    networks: frozenset[str] = frozenset()  # the networks a partner may query
    session_id: str | None = None  # the login session a user token was signed for (`sid`)

    @classmethod
    def from_claims(cls, claims: dict[str, Any]) -> "Principal":
        return cls(
            subject=claims["sub"],
            kind=claims.get("kind", "user"),
            person_id=claims.get("person_id"),
            email=claims.get("email"),
            email_verified=claims.get("email_verified") is True,
            name=claims.get("name"),
            is_platform_admin=bool(claims.get("admin", False)),
            roles={org: frozenset(r) for org, r in (claims.get("roles") or {}).items()},
            organization_id=claims.get("org"),
            networks=frozenset(claims.get("networks") or ()),
            session_id=claims.get("sid"),
        )

    def has_role(self, organization_id: str | None, *roles: str) -> bool:
        if self.is_platform_admin:
            return True
        if not organization_id:
            return False
        return bool(self.roles.get(organization_id, frozenset()) & set(roles))

    def organizations_with(self, *roles: str) -> set[str]:
        return {org for org, held in self.roles.items() if held & set(roles)}

    @property
    def is_service(self) -> bool:
        return self.kind == "service"


class TokenVerifier:
    """Verifies identity's access tokens (RFC 9068 `at+jwt`, RFC 8725's checks).

    The key set is fetched again when it is older than `max_age` (a key identity retired stops
    being trusted within it) and when a token names a key id we have not seen (identity
    rotated), at most once per `refetch_cooldown` whether the fetch worked or not, so neither a
    stream of made-up key ids nor a down identity turns into a stream of fetches. `local_key`,
    when given, is asked first: identity passes its own key ring.
    """

    def __init__(
        self,
        *,
        fetch_jwks: Callable[[], Awaitable[dict]],
        issuer: str,
        audience: str,
        refetch_cooldown: float = 10.0,
        revocations: RevocationCheck | None = None,
        max_age: float = 300.0,
        local_key: Callable[[str], Any | None] | None = None,
    ) -> None:
        self._fetch_jwks = fetch_jwks
        self.issuer = issuer
        self.audience = audience
        self._cooldown = refetch_cooldown
        self._max_age = max_age
        self._local_key = local_key
        self._keys: dict[str, Any] = {}
        self._loaded_at = float("-inf")  # when the key set in hand was fetched
        self._tried_at = float("-inf")  # when a fetch was last tried, successful or not
        self._failed = False
        self._lock = asyncio.Lock()
        self.revocations = revocations

    def _stale(self) -> bool:
        return time.monotonic() - self._loaded_at >= self._max_age

    def _may_fetch(self) -> bool:
        return time.monotonic() - self._tried_at >= self._cooldown

    async def _refresh(self) -> None:
        self._tried_at = time.monotonic()
        try:
            jwks = await self._fetch_jwks()
            # Replace, not merge: a key identity stopped publishing is no longer trusted.
            keys = {k.key_id: k.key for k in jwt.PyJWKSet.from_dict(jwks).keys}
        except (httpx.HTTPError, ValueError, jwt.PyJWTError):
            self._failed = True
            return
        self._keys, self._loaded_at, self._failed = keys, time.monotonic(), False

    async def _key(self, kid: str) -> Any:
        if self._local_key is not None and (key := self._local_key(kid)) is not None:
            return key
        if kid in self._keys and not self._stale():
            return self._keys[kid]
        async with self._lock:
            if (kid not in self._keys or self._stale()) and self._may_fetch():
                await self._refresh()
            if kid in self._keys:
                # Stale only when the refresh failed or waits out its cooldown: the last set
                # identity published is the best there is, and its keys retire only after the
                # tokens they signed expire.
                return self._keys[kid]
        if self._failed:
            raise KeysUnavailable()
        raise Unauthorized("The access token was signed with an unknown key.")

    async def verify(self, token: str) -> Principal:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise Unauthorized("The access token is malformed.") from None
        # RFC 8725 3.11: only an access token is accepted as one, never an ID token or the like.
        if str(header.get("typ", "")).lower() not in TOKEN_TYPES:
            raise Unauthorized("The token is not an access token.")
        kid = header.get("kid")
        if not kid or not isinstance(kid, str):
            raise Unauthorized("The access token names no key.")
        key = await self._key(kid)
        try:
            claims = jwt.decode(
                token, key, algorithms=ALGORITHMS, audience=self.audience, issuer=self.issuer,
                options={"require": ["exp", "iat", "sub", "aud", "iss", "jti"]},
            )
        except jwt.ExpiredSignatureError:
            raise Unauthorized("The access token has expired.") from None
        except jwt.PyJWTError:
            raise Unauthorized("The access token is not valid here.") from None
        session_id = claims.get("sid")
        if (self.revocations is not None and session_id
                and await self.revocations.is_revoked(str(session_id))):
            raise Unauthorized("The session of this access token has ended; sign in again.")
        return Principal.from_claims(claims)


class KeysUnavailable(CascadeError):
    status_code, code, title = 503, "keys_unavailable", "Token keys unavailable"
    headers = {"Retry-After": "1"}


def jwks_over_http(client: httpx.AsyncClient, url: str) -> Callable[[], Awaitable[dict]]:
    async def fetch() -> dict:
        response = await client.get(url)
        response.raise_for_status()
        return response.json()

    return fetch


def bearer_token(request: Request) -> str | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


async def optional_principal(request: Request) -> Principal | None:
    token = bearer_token(request)
    if token is None:
        return None
    principal = await request.app.state.verifier.verify(token)
    # Kept for the error handler: a refusal of this caller is audited (shared/denials.py).
    request.state.principal = principal
    return principal


async def require_principal(request: Request) -> Principal:
    principal = await optional_principal(request)
    if principal is None:
        raise Unauthorized()
    return principal


# A service acting for a user names the user with this header: the user's own access token, which
# is verified like any bearer token (the service's token alone never speaks for a person).
ACTING_USER_HEADER = "Cascade-Acting-User"


async def acting_principal(request: Request) -> Principal | None:
    """The user a service acts for (Cascade-Acting-User), verified; None when not named."""
    value = request.headers.get(ACTING_USER_HEADER, "").strip()
    scheme, _, rest = value.partition(" ")
    token = rest.strip() if scheme.lower() == "bearer" else value
    if not token:
        return None
    return await request.app.state.verifier.verify(token)


async def require_service(request: Request) -> Principal:
    principal = await require_principal(request)
    if not (principal.is_service or principal.is_platform_admin):
        raise Forbidden("Only Cascade services read event feeds.")
    return principal


PrincipalDep = Annotated[Principal, Depends(require_principal)]
OptionalPrincipalDep = Annotated[Principal | None, Depends(optional_principal)]
ServicePrincipalDep = Annotated[Principal, Depends(require_service)]
ActingPrincipalDep = Annotated[Principal | None, Depends(acting_principal)]


class ServiceTokenProvider:
    """A service's own access token (OAuth2 client credentials), renewed a minute before expiry."""

    def __init__(self, client: httpx.AsyncClient, *, client_id: str, client_secret: str) -> None:
        self._client = client
        self._form = {
            "grant_type": "client_credentials",
            "client_id": client_id,
            "client_secret": client_secret,
        }
        self._token: str | None = None
        self._renew_at = 0.0
        self._lock = asyncio.Lock()

    async def token(self) -> str:
        async with self._lock:
            if self._token is None or time.monotonic() >= self._renew_at:
                response = await self._client.post("/api/identity/v1/token", data=self._form)
                response.raise_for_status()
                body = response.json()
                self._token = body["access_token"]
                self._renew_at = time.monotonic() + max(body.get("expires_in", 300) - 60, 5)
            return self._token

    async def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {await self.token()}"}
