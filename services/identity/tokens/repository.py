from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.identity.tokens.models import SigningKey


async def active(db: AsyncSession) -> list[SigningKey]:
    """Keys not retired, newest first."""
    return list(await db.exec(
        select(SigningKey).where(col(SigningKey.retired_at).is_(None))
        .order_by(col(SigningKey.created_at).desc(), col(SigningKey.id).desc())
    ))


async def add(db: AsyncSession, key: SigningKey) -> SigningKey:
    db.add(key)
    await db.flush()
    return key
