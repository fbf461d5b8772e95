"""Every SQL statement of sign-in sheet imports."""

from datetime import datetime

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.scheduling.signin_sheets.models import SignInSheetJob, SignInSheetLineError


async def add(db: AsyncSession, job: SignInSheetJob) -> None:
    db.add(job)
    await db.flush()


async def get(db: AsyncSession, job_id: str) -> SignInSheetJob | None:
    return await db.get(SignInSheetJob, job_id)


async def save(db: AsyncSession, job: SignInSheetJob) -> None:
    db.add(job)
    await db.flush()


async def add_error(db: AsyncSession, *, job_id: str, line: int, message: str) -> None:
    db.add(SignInSheetLineError(job_id=job_id, line=line, message=message[:500]))
    await db.flush()


async def errors_of(db: AsyncSession, job_id: str) -> list[SignInSheetLineError]:
    statement = (select(SignInSheetLineError).where(SignInSheetLineError.job_id == job_id)
                 .order_by(col(SignInSheetLineError.line), col(SignInSheetLineError.id)))
    return list((await db.exec(statement)).all())


async def fail_if_silent(db: AsyncSession, *, job_id: str, since: datetime, message: str,
                         now: datetime) -> bool:
    """Mark the job failed when it is unfinished and its heartbeat is older than `since`; the
    guard in the statement keeps a job that just moved from being failed by mistake."""
    result = await db.exec(
        update(SignInSheetJob)
        .where(col(SignInSheetJob.id) == job_id,
               col(SignInSheetJob.status).in_(("queued", "running")),
               col(SignInSheetJob.updated_at) < since)
        .values(status="failed", message=message, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1
