"""The browser's session: a signed cookie holding the user's access token and a session id.

The cookie is signed by this process (Starlette's SessionMiddleware, itsdangerous), so what it
holds came from identity through our own login route. Web reads the token's claims only to shape
pages (name, roles, expiry); every decision that matters is made again by the services, which
verify the token's signature.
"""

import hmac
import secrets
import time
from dataclasses import dataclass, field
from hashlib import sha256
from typing import Annotated
from urllib.parse import quote

import jwt
from fastapi import Depends, Request

CREATOR_ROLES = ("network_admin", "coordinator", "leader")
REACH_ROLES = ("network_admin", "analyst", "leader", "coordinator")
# District coordinators approve PD credit for their district, network admins network-wide.
CREDIT_ROLES = ("coordinator", "network_admin")
# A token this close to expiry would die between the page and the form it renders.
EXPIRY_MARGIN_SECONDS = 30


@dataclass(frozen=True)
class User:
    token: str
    person_id: str | None
    name: str
    email: str
    is_admin: bool
    roles: dict[str, frozenset[str]] = field(default_factory=dict)

    def has_role(self, organization_id: str | None, *roles: str) -> bool:
        if self.is_admin:
            return True
        return bool(organization_id) and bool(self.roles.get(organization_id, frozenset()) & set(roles))

    def has_any_role(self, *roles: str) -> bool:
        return self.is_admin or any(held & set(roles) for held in self.roles.values())

    @property
    def can_create_events(self) -> bool:
        return self.has_any_role(*CREATOR_ROLES)

    @property
    def can_read_reach(self) -> bool:
        return self.has_any_role(*REACH_ROLES)

    @property
    def can_manage_people(self) -> bool:
        """Network admins and platform admins run the People pages."""
        return self.has_any_role("network_admin")

    @property
    def can_decide_credit(self) -> bool:
        return self.has_any_role(*CREDIT_ROLES)


class LoginRequired(Exception):
    """Raised when a page needs a signed-in user and has none (or the token has expired)."""


def _claims(token: str) -> dict:
    try:
        return jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        return {}


def current_user(request: Request) -> User | None:
    token = request.session.get("token")
    if not token:
        return None
    claims = _claims(token)
    if not claims or claims.get("exp", 0) <= time.time() + EXPIRY_MARGIN_SECONDS:
        request.session.pop("token", None)
        return None
    return User(
        token=token,
        person_id=claims.get("person_id"),
        name=claims.get("name") or claims.get("email") or "",
        email=claims.get("email") or "",
        is_admin=bool(claims.get("admin", False)),
        roles={org: frozenset(roles) for org, roles in (claims.get("roles") or {}).items()},
    )


def require_user(request: Request) -> User:
    user = current_user(request)
    if user is None:
        raise LoginRequired()
    return user


UserDep = Annotated[User, Depends(require_user)]
OptionalUserDep = Annotated[User | None, Depends(current_user)]


def session_id(request: Request) -> str:
    sid = request.session.get("sid")
    if not sid:
        sid = request.session["sid"] = secrets.token_urlsafe(24)
    return sid


def sign_in(request: Request, token: str) -> None:
    # A new session id on authentication: a session fixed before login is worth nothing after.
    request.session.clear()
    request.session["sid"] = secrets.token_urlsafe(24)
    request.session["token"] = token


def sign_out(request: Request) -> None:
    request.session.clear()


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
    """Only a path on this site: never an open redirect to another origin."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/"
