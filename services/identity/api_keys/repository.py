from sqlmodel import col, select
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


async def active_by_hash(db: AsyncSession, key_hash: str
                         ) -> tuple[ApiKey, Organization] | None:
    row = (await db.exec(
        select(ApiKey, Organization)
        .join(Organization, col(Organization.id) == col(ApiKey.organization_id))
        .where(ApiKey.key_hash == key_hash, col(ApiKey.revoked_at).is_(None))
    )).first()
    return (row[0], row[1]) if row else None
