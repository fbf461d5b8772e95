"""Rules for importing events from a spreadsheet: who may, when an import may start, and how each
event (a group of lines) is created whole or not at all, in the background, through the same
rules as POST /events and POST /events/{id}/sessions."""

from dataclasses import dataclass

from sqlmodel.ext.asyncio.session import AsyncSession

from services.scheduling import access
from services.scheduling.event_imports import repository
from services.scheduling.event_imports.errors import EventSheetHasErrors, InvalidEventSheet
from services.scheduling.event_imports.models import (
    EventImportEvent,
    EventImportJob,
    EventImportLineError,
)
from services.scheduling.event_imports.sheet import Plan, PlannedEvent
from services.scheduling.events import service as event_rules
from services.scheduling.jobs import repository as jobs
from services.scheduling.jobs.errors import JobNotFound
from services.scheduling.jobs.runner import JobKind, JobRunner
from services.scheduling.sessions import service as session_rules
from shared.auth import Principal
from shared.errors import CascadeError

KIND = JobKind(model=EventImportJob, error_model=EventImportLineError, abandoned=(
    "The import stopped when its process did. The events listed here were created; import the "
    "lines of the others again."))


def authorize(principal: Principal, network_id: str) -> None:
    """The network's staff import its events, as they create them one by one."""
    event_rules.require_staff(principal, network_id)


async def create_job(db: AsyncSession, *, principal: Principal, network_id: str, plan: Plan,
                     event_status: str, skip_invalid: bool
                     ) -> tuple[EventImportJob, list[EventImportLineError]]:
    """The job, with the lines it leaves out recorded as its errors. A sheet with errors starts
    no import unless the user chose to skip its bad events."""
    authorize(principal, network_id)
    valid = plan.valid_events
    if not plan.events and not plan.errors:
        raise InvalidEventSheet("The sheet has no events: add a line per session under the header.")
    if plan.errors and not skip_invalid:
        raise EventSheetHasErrors(
            f"{len(plan.errors)} lines have errors (preview the sheet to see them). Fix them, or "
            f"skip the events they belong to and import the other {len(valid)}.")
    if not valid:
        raise EventSheetHasErrors("Every event in the sheet has a line with an error.")
    job = EventImportJob(network_id=network_id, requested_by=principal.subject, total=len(valid),
                         event_status=event_status,
                         skipped_events=len(plan.events) - len(valid))
    await jobs.save(db, job)
    errors = [EventImportLineError(job_id=job.id, line=line, message=message[:500])
              for line, message in plan.errors.items()]
    db.add_all(errors)  # one flush for all of them: a sheet may have thousands of bad lines
    await db.flush()
    return job, errors


async def get_job(db: AsyncSession, *, principal: Principal, job_id: str
                  ) -> tuple[EventImportJob, list[EventImportLineError], list[EventImportEvent]]:
    job = await KIND.get(db, job_id)
    if not access.is_staff(principal, job.network_id):
        # another network's import is not disclosed
        raise JobNotFound().denying("event_import", job.id, job.network_id)
    job, errors = await KIND.current(db, job)
    return job, errors, await repository.created_by(db, job.id)


@dataclass(frozen=True)
class Importer:
    runner: JobRunner

    async def run(self, *, job_id: str, principal: Principal, events: list[PlannedEvent]) -> None:
        async def work() -> None:
            for event in events:
                await self._create(job_id, principal, event)

        await self.runner.run(job_id, work)

    async def _create(self, job_id: str, principal: Principal, planned: PlannedEvent) -> None:
        """The event and all its sessions in one transaction with the job's progress, or, when
        any of it is refused, none of it and an error on the event's first line."""
        # Only valid events are imported. S101: the assert narrows the type for checkers; no
        # rule depends on it (without it, None would fail in create_event all the same).
        assert planned.data is not None  # noqa: S101
        try:
            async with self.runner.step(job_id) as (db, job):
                event = await event_rules.create_event(db, principal=principal, data=planned.data)
                for session in planned.sessions:
                    await session_rules.create_session(db, principal=principal,
                                                       event_id=event.id, data=session.data)
                await jobs.save(db, EventImportEvent(job_id=job_id, event_id=event.id,
                                                     line=planned.lines[0], title=event.title))
                job.events_created += 1
                job.sessions_created += len(planned.sessions)
        except CascadeError as exc:
            await self.runner.reject(job_id, planned.lines[0],
                                     f"{planned.title!r} was not created: {exc.detail}")
