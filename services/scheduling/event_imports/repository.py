"""Every SQL statement of event imports (the job's own rows go through jobs.repository)."""

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.scheduling.event_imports.models import EventImportEvent


async def created_by(db: AsyncSession, job_id: str) -> list[EventImportEvent]:
    statement = (select(EventImportEvent).where(EventImportEvent.job_id == job_id)
                 .order_by(col(EventImportEvent.line)))
    return list((await db.exec(statement)).all())
