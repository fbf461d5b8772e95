from datetime import datetime

from sqlalchemy import delete, func, text
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.identity.logins.models import LoginFailure

# First key of the two-key advisory locks; the second is a hash of the email.
_LOGIN_LOCKS = 0x10C1


async def serialize_email(db: AsyncSession, email: str) -> None:
    """Until the transaction ends, no other transaction records failures for this email.
    SQLite's BEGIN IMMEDIATE already serializes every writer; PostgreSQL needs the lock."""
    connection = await db.connection()
    if connection.dialect.name == "postgresql":
        await db.exec(text("SELECT pg_advisory_xact_lock(:space, hashtext(:email))")
                      .bindparams(space=_LOGIN_LOCKS, email=email))


async def add(db: AsyncSession, failure: LoginFailure) -> LoginFailure:
    db.add(failure)
    await db.flush()
    return failure


def _of(email: str, client_address: str | None):
    """The failures of an email, from one client address or (None) from any."""
    conditions = [col(LoginFailure.email) == email]
    if client_address is not None:
        conditions.append(col(LoginFailure.client_address) == client_address)
    return conditions


async def count_since(db: AsyncSession, email: str, since: datetime, *,
                      client_address: str | None = None) -> int:
    return (await db.exec(
        select(func.count()).select_from(LoginFailure)
        .where(*_of(email, client_address), col(LoginFailure.failed_at) > since)
    )).one()


async def nth_newest_since(db: AsyncSession, email: str, since: datetime, n: int, *,
                           client_address: str | None = None) -> datetime | None:
    """When the n-th newest failure after `since` happened; None if there are fewer than n."""
    return (await db.exec(
        select(LoginFailure.failed_at)
        .where(*_of(email, client_address), col(LoginFailure.failed_at) > since)
        .order_by(col(LoginFailure.failed_at).desc()).offset(n - 1).limit(1)
    )).first()


async def delete_for(db: AsyncSession, email: str, *, client_address: str | None = None,
                     before: datetime | None = None) -> None:
    """Deletes the email's failures (from one address only, if given), or those before
    `before`."""
    statement = delete(LoginFailure).where(*_of(email, client_address))
    if before is not None:
        statement = statement.where(col(LoginFailure.failed_at) < before)
    await db.exec(statement)
