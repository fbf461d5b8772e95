from datetime import datetime

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.identity.sessions.models import LoginSession


async def get(db: AsyncSession, session_id: str) -> LoginSession | None:
    return await db.get(LoginSession, session_id)


async def by_refresh_hash(db: AsyncSession, refresh_token_hash: str) -> LoginSession | None:
    return (await db.exec(
        select(LoginSession).where(LoginSession.refresh_token_hash == refresh_token_hash)
    )).first()


async def save(db: AsyncSession, login: LoginSession) -> LoginSession:
    db.add(login)
    await db.flush()
    return login


async def active_of_account(db: AsyncSession, account_id: str, now: datetime
                            ) -> list[LoginSession]:
    """Sessions still able to sign tokens, the most recently used first."""
    return list(await db.exec(
        select(LoginSession)
        .where(LoginSession.account_id == account_id, col(LoginSession.revoked_at).is_(None),
               col(LoginSession.expires_at) > now)
        .order_by(col(LoginSession.last_used_at).desc(), col(LoginSession.id).desc())
    ))


async def revoke_all(db: AsyncSession, *, account_id: str, except_session_id: str | None,
                     now: datetime) -> list[str]:
    """Ends every live session of the account but one; the ids it ended."""
    conditions = [LoginSession.account_id == account_id, col(LoginSession.revoked_at).is_(None)]
    if except_session_id is not None:
        conditions.append(LoginSession.id != except_session_id)
    ids = list(await db.exec(select(LoginSession.id).where(*conditions)))
    if ids:
        await db.exec(update(LoginSession).where(col(LoginSession.id).in_(ids))
                      .values(revoked_at=now))
    return ids


async def revoked_since(db: AsyncSession, since: datetime) -> list[LoginSession]:
    return list(await db.exec(
        select(LoginSession).where(col(LoginSession.revoked_at) >= since)
        .order_by(col(LoginSession.revoked_at), col(LoginSession.id))
    ))


async def is_revoked(db: AsyncSession, session_id: str) -> bool:
    """True when the session was ended, or never existed."""
    row = (await db.exec(
        select(LoginSession.id, LoginSession.revoked_at).where(LoginSession.id == session_id)
    )).first()
    return row is None or row[1] is not None
