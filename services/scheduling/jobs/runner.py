"""Running an import job in the background: one transaction per step, carrying the job's progress
with it, and a job that always ends done or failed (never stuck "running") however the run ends.
Sign-in sheets and event imports both run on this."""

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from services.scheduling.jobs import repository
from services.scheduling.jobs.errors import JobNotFound
from shared.db import utcnow
from shared.errors import CascadeError

log = logging.getLogger("cascade.scheduling.jobs")

# Progress is written with every step; an unfinished job silent this long lost its process.
SILENT_FOR = timedelta(minutes=2)
OUR_FAILURE = ("The import failed on our side; lines after the last processed one were not "
               "applied.")


class JobStopped(Exception):
    """Raised by a job's work to end it as failed, with the message its user reads."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class JobKind:
    """One kind of job: its table, its line-error table, and what its user is told when its
    process died under it."""

    model: Any
    error_model: Any
    abandoned: str

    async def current(self, db: AsyncSession, job: Any) -> tuple[Any, list[Any]]:
        """The job as it stands (failed, if its heartbeat stopped) and its line errors."""
        now = utcnow()
        if await repository.fail_if_silent(db, self.model, job_id=job.id, since=now - SILENT_FOR,
                                           message=self.abandoned, now=now):
            await db.refresh(job)
        return job, await repository.errors_of(db, self.error_model, job.id)

    async def get(self, db: AsyncSession, job_id: str) -> Any:
        job = await repository.get(db, self.model, job_id)
        if job is None:
            raise JobNotFound()
        return job


@dataclass(frozen=True)
class JobRunner:
    """Runs one job with its own database sessions (the request's is committed and gone)."""

    kind: JobKind
    sessions: async_sessionmaker[AsyncSession]

    async def run(self, job_id: str, work: Callable[[], Awaitable[None]]) -> None:
        try:
            await self.update(job_id, status="running")
            await work()
            await self.update(job_id, status="done")
        except JobStopped as exc:
            await self.update(job_id, status="failed", message=exc.message)
        except asyncio.CancelledError:
            await self.update(job_id, status="failed", message=self.kind.abandoned)
            raise
        except CascadeError as exc:  # what the job works on was deleted or hidden meanwhile, say
            await self.update(job_id, status="failed", message=exc.detail)
        except Exception:
            log.exception("import job %s failed", job_id)
            await self.update(job_id, status="failed", message=OUR_FAILURE)

    @asynccontextmanager
    async def step(self, job_id: str, *, lines: int = 1
                   ) -> AsyncIterator[tuple[AsyncSession, Any]]:
        """One step (a line, a group of `lines` lines) in one transaction with the job's
        progress: all of it or none. The body changes what it applies and the job's own
        counters."""
        async with self.sessions() as db:
            job = await self.kind.get(db, job_id)  # committed before the job started
            yield db, job
            job.processed += lines
            job.updated_at = utcnow()
            await repository.save(db, job)
            await db.commit()

    async def reject(self, job_id: str, line: int, message: str) -> None:
        """Count a step as processed and record why its line was not applied."""
        async with self.step(job_id) as (db, _job):
            await self.errors(db, job_id, [(line, message)])

    async def errors(self, db: AsyncSession, job_id: str, lines: list[tuple[int, str]]) -> None:
        """Record, within a step, why each of these lines was not applied."""
        await repository.save_all(db, [self.kind.error_model(job_id=job_id, line=line,
                                                             message=message[:500])
                                       for line, message in lines])

    async def update(self, job_id: str, **changes: str) -> None:
        async with self.sessions() as db:
            job = await self.kind.get(db, job_id)
            for name, value in changes.items():
                setattr(job, name, value)
            job.updated_at = utcnow()
            await repository.save(db, job)
            await db.commit()
