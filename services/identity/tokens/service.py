"""The token endpoint's grants: password (people; starts a login session), refresh_token (a
session's next access token, with the roles held now), client_credentials (Cascade services) and
api_key (partners). Every failure says as little as possible about why."""

import functools
import hashlib
import hmac
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from services.identity.accounts import passwords
from services.identity.accounts import repository as accounts
from services.identity.api_keys.service import authenticate as authenticate_api_key
from services.identity.errors import (
    InvalidClient,
    InvalidGrant,
    InvalidRequest,
    TooManyAttempts,
    UnsupportedGrantType,
)
from services.identity.logins import service as logins
from services.identity.logins.models import EMAIL_MAX_LENGTH
from services.identity.memberships import repository as memberships
from services.identity.people import repository as people
from services.identity.sessions import service as login_sessions
from services.identity.settings import IdentitySettings
from services.identity.sql import today
from services.identity.tokens.keys import KeyRing
from services.identity.tokens.schemas import TokenAnswer
from shared.ids import new_id

# Who may use a token is named in its aud (RFC 8725 3.9): people use every service, a partner's
# key only reach, and each Cascade service only the services it calls with its own token
# (scheduling asks identity about people and reads its feed; reach reads identity's and
# scheduling's feeds; every service but identity reads identity's list of ended sign-in
# sessions, evidence nothing else: it asks scheduling about sessions with the caller's own token;
# identity reads scheduling's feed to learn who takes part in a network's events). Identity
# refuses its feed and its people to the services that have no use for them (access.py).
USER_AUDIENCE = ["identity", "scheduling", "evidence", "reach"]
PARTNER_AUDIENCE = ["reach"]
SERVICE_AUDIENCES = {
    # Scheduling's feed for a network's people; every feed for the refused attempts it audits.
    "identity": ["scheduling", "evidence", "reach"],
    "scheduling": ["identity"],
    "reach": ["identity", "scheduling"],
    "evidence": ["identity"],
}
GRANT_TYPES = ("password", "refresh_token", "client_credentials", "api_key")


@dataclass(frozen=True)
class TokenRequest:
    grant_type: str | None
    username: str | None = None
    password: str | None = None
    client_id: str | None = None
    client_secret: str | None = None
    api_key: str | None = None
    refresh_token: str | None = None
    device: login_sessions.Device = login_sessions.Device()
    client_address: str | None = None  # whom wrong passwords are counted against


@dataclass(frozen=True)
class _Credentials:
    account_id: str
    password_hash: str
    is_platform_admin: bool
    person_id: str
    email: str
    full_name: str
    email_verified: bool


def _required(value: str | None, name: str) -> str:
    if not value:
        raise InvalidRequest(f"{name} is required for this grant type.")
    return value


async def _sign(db: AsyncSession, key_ring: KeyRing, settings: IdentitySettings, *, ttl: int,
                subject: str, kind: str, audience: list[str], **claims: Any) -> TokenAnswer:
    now = int(time.time())
    token = await key_ring.sign(db, {
        "iss": settings.token_issuer, "aud": audience, "iat": now, "exp": now + ttl,
        "sub": subject, "kind": kind, "jti": new_id(), **claims,
    })
    return TokenAnswer(access_token=token, expires_in=ttl)


async def _password(db: AsyncSession, key_ring: KeyRing, settings: IdentitySettings,
                    request: TokenRequest, *, sessions: async_sessionmaker[AsyncSession]
                    ) -> TokenAnswer:
    email = _required(request.username, "username").strip().lower()
    password = _required(request.password, "password")
    if len(email) > EMAIL_MAX_LENGTH:
        # No account has such an email, so refusing at once tells nothing and costs nothing.
        raise InvalidGrant("The email or password is wrong.")
    found = await accounts.with_person_by_email(db, email)
    credentials = found and _Credentials(
        account_id=found[0].id, password_hash=found[0].password_hash,
        is_platform_admin=found[0].is_platform_admin, person_id=found[1].id,
        email=found[1].email, full_name=found[1].full_name,
        email_verified=found[0].email_verified_at is not None,
    )
    address = request.client_address or "unknown"
    locked_for = await logins.seconds_locked(db, settings, email, address)
    # End the read before the 20 ms hash: on SQLite every transaction holds the write lock
    # (BEGIN IMMEDIATE), and the whole service would wait on each login.
    await db.rollback()
    if locked_for is not None:
        # Refused before the password is checked: a right guess must not get through either.
        raise TooManyAttempts("Too many wrong passwords for this email; try again later.",
                              retry_after=locked_for)
    matches, needs_rehash = await passwords.verify_password(
        credentials.password_hash if credentials else None, password)
    if not credentials or not matches:
        # In its own transaction: the request's unit of work rolls back with the 401.
        await logins.record_failure(sessions, settings, email, address)
        raise InvalidGrant("The email or password is wrong.")
    await logins.clear_failures(db, email, address)
    if needs_rehash:
        new_hash = await passwords.hash_password(password)
        account = await accounts.get(db, credentials.account_id)
        if account is not None:
            account.password_hash = new_hash
            await accounts.save(db, account)
    login, refresh_token = await login_sessions.start(
        db, account_id=credentials.account_id, device=request.device,
        ttl=settings.login_session_ttl)
    answer = await _user_token(db, key_ring, settings, credentials, session_id=login.id)
    return answer.model_copy(update={"refresh_token": refresh_token})


async def _user_token(db: AsyncSession, key_ring: KeyRing, settings: IdentitySettings,
                      credentials: _Credentials, *, session_id: str) -> TokenAnswer:
    # Roles are read at every signing: a removed membership is gone from the next token.
    roles = await memberships.active_roles(db, credentials.person_id, today())
    return await _sign(
        db, key_ring, settings, ttl=settings.access_token_ttl,
        subject=credentials.account_id, kind="user", audience=USER_AUDIENCE,
        person_id=credentials.person_id,
        email=credentials.email, email_verified=credentials.email_verified,
        name=credentials.full_name, admin=credentials.is_platform_admin, roles=roles,
        sid=session_id,
    )


async def _refresh(db: AsyncSession, key_ring: KeyRing, settings: IdentitySettings,
                   request: TokenRequest) -> TokenAnswer:
    login = await login_sessions.resume(
        db, refresh_token=_required(request.refresh_token, "refresh_token"))
    account = await accounts.get(db, login.account_id)
    person = account and await people.get(db, account.person_id)
    if account is None or person is None:
        raise InvalidGrant("The session has ended; sign in again.")
    return await _user_token(db, key_ring, settings, _Credentials(
        account_id=account.id, password_hash=account.password_hash,
        is_platform_admin=account.is_platform_admin, person_id=person.id, email=person.email,
        full_name=person.full_name, email_verified=account.email_verified_at is not None),
        session_id=login.id)


async def _client_credentials(db: AsyncSession, key_ring: KeyRing, settings: IdentitySettings,
                              request: TokenRequest) -> TokenAnswer:
    client_id = _required(request.client_id, "client_id")
    # Each client has its own secret, of which identity keeps only the SHA-256: one service's
    # secret gets a token for that service alone, naming only the services it calls.
    expected = settings.service_clients.get(client_id, "").lower()
    given = hashlib.sha256((request.client_secret or "").encode()).hexdigest()
    # An unconfigured client (no hash) or one without an audience must never match.
    if (client_id not in SERVICE_AUDIENCES or not expected or not request.client_secret
            or not hmac.compare_digest(given, expected)):
        raise InvalidClient("Unknown client or wrong secret.")
    return await _sign(db, key_ring, settings, ttl=settings.service_token_ttl,
                       subject=f"service:{client_id}", kind="service",
                       audience=SERVICE_AUDIENCES[client_id], admin=False, roles={})


async def _api_key(db: AsyncSession, key_ring: KeyRing, settings: IdentitySettings,
                   request: TokenRequest) -> TokenAnswer:
    found = await authenticate_api_key(db, _required(request.api_key, "api_key"))
    if found is None:
        raise InvalidGrant("The API key is unknown or revoked.")
    key, organization = found
    return await _sign(
        db, key_ring, settings, ttl=settings.partner_token_ttl, subject=f"apikey:{key.id}",
        kind="partner", audience=PARTNER_AUDIENCE, admin=False, roles={}, org=organization.id,
        name=organization.name,
        networks=[organization.parent_id] if organization.parent_id else [],
    )


async def issue_token(db: AsyncSession, key_ring: KeyRing, settings: IdentitySettings,
                      request: TokenRequest, *, sessions: async_sessionmaker[AsyncSession]
                      ) -> TokenAnswer:
    grants = {"password": functools.partial(_password, sessions=sessions),
              "refresh_token": _refresh,
              "client_credentials": _client_credentials,
              "api_key": _api_key}
    grant_type = _required(request.grant_type, "grant_type")
    if grant_type not in grants:
        raise UnsupportedGrantType(f"grant_type must be one of {', '.join(GRANT_TYPES)}.")
    return await grants[grant_type](db, key_ring, settings, request)
