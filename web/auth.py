"""The browser's session: a signed cookie holding an opaque handle of the user's login session
at identity (its refresh token) and a CSRF session id; never an access token.

Each request exchanges the handle for a short-lived access token (identity's refresh grant,
which reads the person's roles again), kept in this process's memory until shortly before it
expires (web/login_sessions.py). Once the session ends at identity (logout, a password change,
an admin) the handle gives nothing more, so a copied cookie dies with it. Web reads the token's
claims only to shape pages (name, roles); every decision that matters is made again by the
services, which verify the token's signature and its session.
"""

import hmac
import secrets
from dataclasses import dataclass, field
from hashlib import sha256
from typing import Annotated
from urllib.parse import quote, urlsplit

import jwt
from fastapi import Depends, Request

from web.clients import ApiError
from web.clients.identity import TokenAnswer

CREATOR_ROLES = ("network_admin", "coordinator", "leader")
REACH_ROLES = ("network_admin", "analyst", "leader", "coordinator")
# District coordinators approve PD credit for their district, network admins network-wide.
CREDIT_ROLES = ("coordinator", "network_admin")
HANDLE = "handle"  # the cookie's key for the login session's refresh token


@dataclass(frozen=True)
class User:
    token: str
    person_id: str | None
    name: str
    email: str
    is_admin: bool
    session_id: str | None = None  # identity's login session (the token's sid)
    account_id: str | None = None  # the token's sub
    roles: dict[str, frozenset[str]] = field(default_factory=dict)

    def has_role(self, organization_id: str | None, *roles: str) -> bool:
        if self.is_admin:
            return True
        if not organization_id:
            return False
        return bool(self.roles.get(organization_id, frozenset()) & set(roles))

    def has_any_role(self, *roles: str) -> bool:
        return self.is_admin or any(held & set(roles) for held in self.roles.values())

    @property
    def can_create_events(self) -> bool:
        return self.has_any_role(*CREATOR_ROLES)

    @property
    def can_read_reach(self) -> bool:
        return self.has_any_role(*REACH_ROLES)

    @property
    def can_invite(self) -> bool:
        return self.has_any_role("network_admin")

    @property
    def can_manage_people(self) -> bool:
        """Network admins and platform admins run the People pages."""
        return self.has_any_role("network_admin")

    @property
    def can_decide_credit(self) -> bool:
        return self.has_any_role(*CREDIT_ROLES)

    @property
    def sets_up_networks(self) -> bool:
        return self.has_any_role("network_admin")


class LoginRequired(Exception):
    """Raised when a page needs a signed-in user and has none (or the token has expired)."""


def _claims(token: str) -> dict:
    try:
        return jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        return {}


async def resolve_user(request: Request) -> User | None:
    """The signed-in user of this request (once per request): the cookie's handle exchanged for
    an access token, or None when there is none or its session has ended."""
    if hasattr(request.state, "user"):
        return request.state.user
    request.state.user = None
    handle = request.session.get(HANDLE)
    if not handle:
        return None
    tokens = request.app.state.access_tokens
    token = tokens.get(handle)
    if token is None:
        try:
            answer = await request.app.state.clients.identity.refresh(
                handle, client_address=browser_address(request))
        except ApiError as exc:
            if exc.status not in (400, 401):
                raise  # identity down or busy (429): an error to retry, not a sign-out
            # Ended (logout elsewhere, a password change, an admin) or expired: signed out.
            request.session.pop(HANDLE, None)
            return None
        token = tokens.put(handle, answer.access_token, answer.expires_in)
    claims = _claims(token)
    request.state.user = User(
        token=token,
        person_id=claims.get("person_id"),
        name=claims.get("name") or claims.get("email") or "",
        email=claims.get("email") or "",
        is_admin=bool(claims.get("admin", False)),
        session_id=claims.get("sid"),
        account_id=claims.get("sub"),
        roles={org: frozenset(roles) for org, roles in (claims.get("roles") or {}).items()},
    )
    return request.state.user


def current_user(request: Request) -> User | None:
    """The user resolve_user found for this request (every page route resolves it first)."""
    return getattr(request.state, "user", None)


async def require_user(request: Request) -> User:
    user = await resolve_user(request)
    if user is None:
        raise LoginRequired()
    return user


UserDep = Annotated[User, Depends(require_user)]
OptionalUserDep = Annotated[User | None, Depends(resolve_user)]


def session_id(request: Request) -> str:
    sid = request.session.get("sid")
    if not sid:
        sid = request.session["sid"] = secrets.token_urlsafe(24)
    return sid


def sign_in(request: Request, answer: TokenAnswer) -> None:
    # A new session id on authentication: a session fixed before login is worth nothing after.
    request.session.clear()
    request.session["sid"] = secrets.token_urlsafe(24)
    if answer.refresh_token:
        request.session[HANDLE] = answer.refresh_token
        request.app.state.access_tokens.put(answer.refresh_token, answer.access_token,
                                            answer.expires_in)


def sign_out(request: Request) -> None:
    """Forgets the session here (the cookie and the cached token); end_session ends it at
    identity too."""
    handle = request.session.get(HANDLE)
    if handle:
        request.app.state.access_tokens.drop(handle)
    request.session.clear()


async def end_session(request: Request) -> None:
    """Logout: the session ends at identity (so a copy of the cookie is worth nothing), then
    here. Identity being down is an error to retry, never a logout that only looks done."""
    handle = request.session.get(HANDLE)
    if handle:
        await request.app.state.clients.identity.end_session(handle)
    sign_out(request)


def browser_address(request: Request) -> str:
    """The address the gateway saw the browser from: the X-Forwarded-For it sets (web is reached
    through the gateway only), passed on in web's own calls made for this browser."""
    forwarded = request.headers.get("x-forwarded-for", "").split(",")[0].strip()
    return (forwarded or (request.client.host if request.client else ""))[:64]


def browser_device(request: Request) -> dict[str, str]:
    """The browser as identity should label its session: its User-Agent and its address."""
    return {"user_agent": request.headers.get("user-agent", "")[:300],
            "client_address": browser_address(request)}


def csrf_token(request: Request) -> str:
    secret = request.app.state.secret_key.encode()
    return hmac.new(secret, f"csrf:{session_id(request)}".encode(), sha256).hexdigest()


def csrf_token_valid(request: Request, sent: str | None) -> bool:
    sid = request.session.get("sid")
    if not sid or not sent:
        return False
    return hmac.compare_digest(csrf_token(request), sent)


def login_url(request: Request) -> str:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return f"/login?next={quote(target, safe='')}"


def safe_next(value: str | None) -> str:
    """Only a path on this site: never an open redirect to another origin.

    Browsers drop tabs and newlines inside a URL and read a backslash as a slash, so
    "/\t/evil.example" would become "//evil.example": any control character, space or
    backslash refuses the value outright, and what is left must parse as a bare path.
    """
    if not value or not value.startswith("/") or any(
            ch <= " " or ch == "\x7f" or ch == "\\" for ch in value):
        return "/"
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or value.startswith("//"):
        return "/"
    return value
