from datetime import datetime

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.identity.password_resets.models import PasswordReset


async def add(db: AsyncSession, reset: PasswordReset) -> PasswordReset:
    db.add(reset)
    await db.flush()
    return reset


async def by_token_hash(db: AsyncSession, token_hash: str) -> PasswordReset | None:
    return (await db.exec(select(PasswordReset)
                          .where(PasswordReset.token_hash == token_hash))).first()


async def spend_all(db: AsyncSession, account_id: str, used_at: datetime) -> None:
    """Every other unused link of the account stops working once one of them is used."""
    await db.exec(update(PasswordReset)
                  .where(col(PasswordReset.account_id) == account_id,
                         col(PasswordReset.used_at).is_(None))
                  .values(used_at=used_at).execution_options(synchronize_session=False))
