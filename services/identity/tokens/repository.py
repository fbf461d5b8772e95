from datetime import datetime

from sqlmodel import col, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.identity.tokens.models import SigningKey


async def published(db: AsyncSession, *, now: datetime) -> list[SigningKey]:
    """Keys in the JWKS at `now` (not retired, or retiring later), newest first."""
    return list(await db.exec(
        select(SigningKey)
        .where(or_(col(SigningKey.retired_at).is_(None), col(SigningKey.retired_at) > now))
        .order_by(col(SigningKey.created_at).desc(), col(SigningKey.id).desc())
    ))


async def every(db: AsyncSession) -> list[SigningKey]:
    return list(await db.exec(select(SigningKey).order_by(col(SigningKey.created_at))))


async def add(db: AsyncSession, key: SigningKey) -> SigningKey:
    db.add(key)
    await db.flush()
    return key
