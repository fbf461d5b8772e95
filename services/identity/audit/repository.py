from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.identity.audit.models import AuditEntry
from shared.pagination import PageParams, fetch_page


async def add(db: AsyncSession, entry: AuditEntry) -> AuditEntry:
    db.add(entry)
    await db.flush()
    return entry


async def page(db: AsyncSession, params: PageParams, *, organization_id: str | None
               ) -> tuple[list[AuditEntry], str | None]:
    statement = select(AuditEntry)
    if organization_id:
        statement = statement.where(AuditEntry.organization_id == organization_id)
    return await fetch_page(db, statement, AuditEntry.id, params)
