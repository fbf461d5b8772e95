"""Login sessions: one per sign-in, renewed with a refresh token, ended at logout, on a password
change, or by an admin. Every user access token names its session (`sid`); services refuse the
tokens of an ended session (identity at once, the others within their revocation bound)."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from services.identity import access
from services.identity.accounts import passwords
from services.identity.accounts import repository as accounts
from services.identity.audit import service as audit
from services.identity.errors import (
    InvalidGrant,
    LoginSessionNotFound,
    PersonNotFound,
    WrongPassword,
)
from services.identity.memberships import repository as memberships
from services.identity.people import repository as people
from services.identity.people import service as people_service
from services.identity.sessions import repository
from services.identity.sessions.models import (
    CLIENT_ADDRESS_MAX_LENGTH,
    USER_AGENT_MAX_LENGTH,
    LoginSession,
)
from services.identity.sessions.schemas import (
    LoginSessionPublic,
    PasswordChange,
    RevokedSession,
    RevokedSessionList,
)
from services.identity.sql import today
from shared.auth import Principal
from shared.db import utcnow
from shared.errors import Forbidden

REFRESH_TOKEN_PREFIX = "crt_"  # noqa: S105 (what every refresh token starts with, not a secret)


@dataclass(frozen=True)
class Device:
    """What the client said about itself when it signed in; shown to the owner as a label."""

    user_agent: str | None = None
    client_address: str | None = None


def hash_refresh_token(token: str) -> str:
    # 256 random bits cannot be guessed, so a fast hash suffices (and lookups stay cheap).
    return hashlib.sha256(token.encode()).hexdigest()


def _clip(value: str | None, length: int) -> str | None:
    value = (value or "").strip()
    return value[:length] or None


async def start(db: AsyncSession, *, account_id: str, device: Device, ttl: int
                ) -> tuple[LoginSession, str]:
    """A new session for a sign-in that just succeeded, and its refresh token (shown once)."""
    token = REFRESH_TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = utcnow()
    login = LoginSession(
        account_id=account_id, refresh_token_hash=hash_refresh_token(token),
        created_at=now, last_used_at=now, expires_at=now + timedelta(seconds=ttl),
        user_agent=_clip(device.user_agent, USER_AGENT_MAX_LENGTH),
        client_address=_clip(device.client_address, CLIENT_ADDRESS_MAX_LENGTH),
    )
    await repository.save(db, login)
    return login, token


def _live(login: LoginSession | None, now: datetime) -> bool:
    return login is not None and login.revoked_at is None and login.expires_at > now


async def resume(db: AsyncSession, *, refresh_token: str) -> LoginSession:
    """The live session this refresh token belongs to, marked as used now."""
    now = utcnow()
    login = await repository.by_refresh_hash(db, hash_refresh_token(refresh_token)) \
        if refresh_token.startswith(REFRESH_TOKEN_PREFIX) else None
    if login is None or not _live(login, now):
        raise InvalidGrant("The session has ended; sign in again.")
    login.last_used_at = now
    await repository.save(db, login)
    return login


async def end_by_refresh_token(db: AsyncSession, *, refresh_token: str) -> None:
    """Logout (RFC 7009): ends the session of this refresh token; says nothing about it."""
    login = await repository.by_refresh_hash(db, hash_refresh_token(refresh_token))
    if login is not None and login.revoked_at is None:
        login.revoked_at = utcnow()
        await repository.save(db, login)


async def revoke_all(db: AsyncSession, *, account_id: str, except_session_id: str | None = None
                     ) -> int:
    """Ends every session of the account (but `except_session_id`, the caller's own, when
    given); how many it ended. For password changes and resets, and admins."""
    return len(await repository.revoke_all(db, account_id=account_id,
                                           except_session_id=except_session_id, now=utcnow()))


async def is_revoked(db: AsyncSession, session_id: str) -> bool:
    return await repository.is_revoked(db, session_id)


def _require_user(actor: Principal) -> None:
    access.require(access.is_user(actor), "Only a signed-in person has sessions.")


async def list_mine(db: AsyncSession, actor: Principal) -> list[LoginSessionPublic]:
    _require_user(actor)
    return [LoginSessionPublic.model_validate(login).model_copy(
                update={"current": login.id == actor.session_id})
            for login in await repository.active_of_account(db, actor.subject, utcnow())]


async def end_mine(db: AsyncSession, actor: Principal, session_id: str) -> None:
    _require_user(actor)
    login = await repository.get(db, session_id)
    # Another account's session is answered as missing: its id tells nothing.
    if login is None or login.account_id != actor.subject:
        raise LoginSessionNotFound(f"You have no session with id {session_id}.")
    if login.revoked_at is None:
        login.revoked_at = utcnow()
        await repository.save(db, login)


async def revoke_for_person(db: AsyncSession, actor: Principal, person_id: str) -> int:
    """An admin ends every session of a person's account: a platform admin anyone's; a network
    admin those of the people holding a membership in their network (never a platform
    admin's). Audited, under each network through which it was allowed."""
    if not access.is_user(actor):
        raise Forbidden("Only admins end other people's sessions.")
    account = await accounts.by_person(db, person_id)
    held = await memberships.active_roles(db, person_id, today())
    networks = sorted(org for org in held if actor.has_role(org, "network_admin"))
    allowed = actor.is_platform_admin or (
        bool(networks) and not (account is not None and account.is_platform_admin))
    if not allowed:
        refusal = Forbidden("Only platform admins, and network admins for their network's "
                            "members, end other people's sessions.")
        person = await people.get(db, person_id)
        raise (await people_service.denying(db, refusal, person, action="sessions.revoke",
                                            details={}) if person else refusal)
    if account is None:
        raise PersonNotFound(f"No person with an account has id {person_id}.")
    ended = await revoke_all(db, account_id=account.id)
    for organization_id in networks or [None]:
        await audit.record(db, actor=actor.subject, action="sessions.revoke",
                           target_type="account", target_id=account.id,
                           organization_id=organization_id,
                           details={"person_id": person_id, "ended": ended})
    return ended


async def revoked_since(db: AsyncSession, actor: Principal, *, since: datetime | None,
                        window: int) -> RevokedSessionList:
    """Sessions ended since `since`, never further back than `window` seconds: the tokens of a
    session ended before that have all expired."""
    access.require(actor.is_service or actor.is_platform_admin,
                   "Only Cascade services read the revoked sessions.")
    now = utcnow()
    oldest = now - timedelta(seconds=window)
    rows = await repository.revoked_since(db, max(since, oldest) if since else oldest)
    return RevokedSessionList(
        items=[RevokedSession(id=row.id, revoked_at=row.revoked_at) for row in rows
               if row.revoked_at is not None],
        as_of=now)


async def change_password(db: AsyncSession, actor: Principal, data: PasswordChange) -> int:
    """Sets a new password once the current one is proved; ends the account's other sessions
    (the one asking stays signed in). How many sessions it ended."""
    _require_user(actor)
    account = await accounts.get(db, actor.subject)
    if account is None:
        raise Forbidden("This account no longer exists.")
    current_hash = account.password_hash
    # End the read before hashing: on SQLite every transaction holds the write lock.
    await db.rollback()
    matches, _ = await passwords.verify_password(current_hash, data.current_password)
    if not matches:
        raise WrongPassword("The current password is wrong.", errors=[{
            "loc": ["body", "current_password"], "msg": "This is not your current password.",
            "type": "wrong_password"}])
    new_hash = await passwords.hash_password(data.new_password)
    account = await accounts.get(db, actor.subject)
    if account is None:
        raise Forbidden("This account no longer exists.")
    account.password_hash = new_hash
    await accounts.save(db, account)
    ended = await revoke_all(db, account_id=account.id, except_session_id=actor.session_id)
    await audit.record(db, actor=actor.subject, action="account.password_change",
                       target_type="account", target_id=account.id, details={"ended": ended})
    return ended

