from datetime import UTC, datetime, time, timedelta

from sqlmodel import col, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.identity.audit.models import AuditEntry
from services.identity.audit.schemas import AuditFilter
from shared.pagination import PageParams, fetch_page

DENIED_SUFFIX = ".denied"  # the actions of refused attempts (shared/denials.py)


async def add(db: AsyncSession, entry: AuditEntry) -> AuditEntry:
    db.add(entry)
    await db.flush()
    return entry


async def page(db: AsyncSession, params: PageParams, *, organization_id: str | None,
               wanted: AuditFilter) -> tuple[list[AuditEntry], str | None]:
    statement = select(AuditEntry)
    if organization_id:
        statement = statement.where(AuditEntry.organization_id == organization_id)
    if wanted.actor_subject:
        statement = statement.where(AuditEntry.actor_subject == wanted.actor_subject)
    if wanted.action:
        statement = statement.where(or_(AuditEntry.action == wanted.action,
                                        col(AuditEntry.action).startswith(f"{wanted.action}.",
                                                                          autoescape=True)))
    if wanted.target_id:
        statement = statement.where(AuditEntry.target_id == wanted.target_id)
    if wanted.denied is not None:
        refused = col(AuditEntry.action).endswith(DENIED_SUFFIX)
        statement = statement.where(refused if wanted.denied else ~refused)
    if wanted.since:
        statement = statement.where(
            col(AuditEntry.at) >= datetime.combine(wanted.since, time(), tzinfo=UTC))
    if wanted.until:
        statement = statement.where(col(AuditEntry.at) < datetime.combine(
            wanted.until + timedelta(days=1), time(), tzinfo=UTC))
    return await fetch_page(db, statement, AuditEntry.id, params, newest_first=True)
