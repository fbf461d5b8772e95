"""Every SQL statement of rosters: the audit log, and the live registrations of a session."""

from sqlmodel import col, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.scheduling.registrations.models import Registration
from services.scheduling.rosters.models import AuditEntry
from shared.pagination import PageParams, fetch_page


async def add(db: AsyncSession, entry: AuditEntry) -> None:
    db.add(entry)
    await db.flush()


async def page_of_event(db: AsyncSession, params: PageParams, *, event_id: str,
                        session_id: str | None) -> tuple[list[AuditEntry], str | None]:
    statement = select(AuditEntry).where(AuditEntry.event_id == event_id)
    if session_id:
        statement = statement.where(or_(col(AuditEntry.session_id) == session_id,
                                        col(AuditEntry.to_session_id) == session_id))
    return await fetch_page(db, statement, AuditEntry.id, params)


async def live_of_session(db: AsyncSession, session_id: str) -> list[Registration]:
    statement = (
        select(Registration)
        .where(Registration.session_id == session_id, Registration.status != "cancelled")
        .order_by(col(Registration.id))
        .execution_options(populate_existing=True)
    )
    return list((await db.exec(statement)).all())
