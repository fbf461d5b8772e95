from datetime import datetime

from sqlalchemy import update
from sqlmodel import col, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.identity.api_keys.models import ApiKey
from services.identity.organizations.models import Organization
from shared.pagination import PageParams, fetch_page


async def get(db: AsyncSession, key_id: str) -> ApiKey | None:
    return await db.get(ApiKey, key_id)


async def save(db: AsyncSession, key: ApiKey) -> ApiKey:
    db.add(key)
    await db.flush()
    return key


async def page(db: AsyncSession, params: PageParams, *, organization_id: str
               ) -> tuple[list[ApiKey], str | None]:
    statement = select(ApiKey).where(ApiKey.organization_id == organization_id)
    return await fetch_page(db, statement, ApiKey.id, params)


async def mark_used(db: AsyncSession, key_id: str, *, at: datetime, unless_since: datetime
                    ) -> None:
    """One conditional UPDATE: a key exchanged many times a minute is written once a minute."""
    await db.exec(update(ApiKey).where(
        col(ApiKey.id) == key_id,
        or_(col(ApiKey.last_used_at).is_(None), col(ApiKey.last_used_at) < unless_since),
    ).values(last_used_at=at))


async def active_by_hash(db: AsyncSession, key_hash: str
                         ) -> tuple[ApiKey, Organization] | None:
    row = (await db.exec(
        select(ApiKey, Organization)
        .join(Organization, col(Organization.id) == col(ApiKey.organization_id))
        .where(ApiKey.key_hash == key_hash, col(ApiKey.revoked_at).is_(None))
    )).first()
    return (row[0], row[1]) if row else None
