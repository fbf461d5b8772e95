"""HTTP for event imports: preview an events spreadsheet, import it, then follow the job."""

import hashlib
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from services.scheduling.deps import IdentityDep, PrincipalDep, SessionDep
from services.scheduling.event_imports import service, sheet
from services.scheduling.event_imports.errors import InvalidEventSheet
from services.scheduling.event_imports.models import (
    EventImportEvent,
    EventImportJob,
    EventImportLineError,
)
from services.scheduling.event_imports.schemas import (
    EventImportJobPublic,
    EventImportPreview,
    ImportedEventPublic,
    ImportedStatus,
    PlannedEventPublic,
    PlannedSessionPublic,
)
from services.scheduling.idempotency.responses import KEY_DESCRIPTION, IdempotencyKey
from services.scheduling.identity import Identity
from services.scheduling.jobs.runner import JobRunner
from services.scheduling.jobs.schemas import LineErrorPublic
from services.scheduling.jobs.start import start_job
from services.scheduling.jobs.uploads import CSV_BODY, parse_csv, read_upload

router = APIRouter(tags=["event imports"])

SHEET_HELP = (f"CSV with the header {','.join(sheet.HEADER)}: one line per session; lines with "
              "the same title and event_key make one event. Dates and times are local to the "
              "event's time zone.")
Status = Annotated[ImportedStatus, Query(description="create the events as drafts or published")]


def _lines_errors(errors: dict[int, str] | list[EventImportLineError]) -> list[LineErrorPublic]:
    pairs = errors.items() if isinstance(errors, dict) else ((e.line, e.message) for e in errors)
    return [LineErrorPublic(line=line, message=message) for line, message in pairs]


def _planned(event: sheet.PlannedEvent) -> PlannedEventPublic:
    data = event.data
    fields = {} if data is None else data.model_dump(
        include={"kind", "subjects", "format", "venue", "county", "timezone", "credit_hours",
                 "grade_min", "grade_max"})
    return PlannedEventPublic(
        lines=event.lines, valid=event.valid, title=event.title, **fields,
        sessions=[PlannedSessionPublic(line=s.line, **s.data.model_dump(
            include={"title", "starts_at", "ends_at", "capacity", "room"}))
            for s in event.sessions])


def _job_public(job: EventImportJob, errors: list[EventImportLineError],
                created: list[EventImportEvent]) -> EventImportJobPublic:
    return EventImportJobPublic(
        job_id=job.id, network_id=job.network_id, status=job.status,
        event_status=job.event_status, total=job.total, processed=job.processed,
        events_created=job.events_created, sessions_created=job.sessions_created,
        skipped_events=job.skipped_events, message=job.message, errors=_lines_errors(errors),
        events=[ImportedEventPublic(event_id=e.event_id, title=e.title, line=e.line)
                for e in created])


async def _plan(request: Request, identity: Identity, principal, network_id: str, status: str
                ) -> tuple[bytes, sheet.Plan]:
    service.authorize(principal, network_id)  # before identity is asked or the upload read
    await identity.require_network(network_id)
    content = await read_upload(request, InvalidEventSheet)
    lines = parse_csv(content, sheet.HEADER, InvalidEventSheet)
    return content, sheet.plan(lines, network_id=network_id, status=status)


@router.post("/networks/{network_id}/event-imports/preview", response_model=EventImportPreview,
             openapi_extra=CSV_BODY, description=SHEET_HELP + " Writes nothing.",
             summary="Check an events spreadsheet: the events it would create, and each "
                     "line's errors")
async def preview_event_import(network_id: str, request: Request, principal: PrincipalDep,
                               identity: IdentityDep,
                               status: Status = "draft") -> EventImportPreview:
    _content, plan = await _plan(request, identity, principal, network_id, status)
    return EventImportPreview(
        network_id=network_id, lines=plan.lines, valid_events=len(plan.valid_events),
        invalid_events=len(plan.events) - len(plan.valid_events),
        events=[_planned(event) for event in plan.events], errors=_lines_errors(plan.errors))


@router.post("/networks/{network_id}/event-imports", response_model=EventImportJobPublic,
             status_code=202, openapi_extra=CSV_BODY,
             description=SHEET_HELP + " " + KEY_DESCRIPTION,
             summary="Import an events spreadsheet; answers the job that creates the events")
async def create_event_import(
    network_id: str, request: Request, principal: PrincipalDep, identity: IdentityDep,
    status: Status = "draft",
    skip_invalid: Annotated[bool, Query(
        description="import the events whose lines are all valid and skip the others")] = False,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    content, plan = await _plan(request, identity, principal, network_id, status)

    async def create(db) -> tuple[EventImportJob, dict]:
        job, errors = await service.create_job(db, principal=principal, network_id=network_id,
                                               plan=plan, event_status=status,
                                               skip_invalid=skip_invalid)
        return job, _job_public(job, errors, []).model_dump(mode="json")

    importer = service.Importer(runner=JobRunner(service.KIND, request.app.state.sessions))
    return await start_job(
        request, principal=principal, key=idempotency_key,
        fingerprint={"sheet_sha256": hashlib.sha256(content).hexdigest(), "status": status,
                     "skip_invalid": skip_invalid},
        create=create, name="event-import",
        work=lambda job: importer.run(job_id=job.id, principal=principal,
                                      events=plan.valid_events))


@router.get("/event-imports/{job_id}", response_model=EventImportJobPublic,
            summary="Progress and result of an event import")
async def get_event_import(job_id: str, db: SessionDep, principal: PrincipalDep
                           ) -> EventImportJobPublic:
    return _job_public(*await service.get_job(db, principal=principal, job_id=job_id))
