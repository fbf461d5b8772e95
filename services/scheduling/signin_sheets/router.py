"""HTTP for sign-in sheet imports: upload a sheet, then follow its job."""

import hashlib

from fastapi import APIRouter, Request, Response

from services.scheduling.attendance.router import LEAD_TIME, NOT_OPEN
from services.scheduling.deps import CheckInLeadDep, IdentityDep, PrincipalDep, SessionDep
from services.scheduling.idempotency.responses import KEY_DESCRIPTION, IdempotencyKey
from services.scheduling.jobs.runner import JobRunner
from services.scheduling.jobs.start import start_job
from services.scheduling.jobs.uploads import CSV_BODY, read_upload
from services.scheduling.signin_sheets import service
from services.scheduling.signin_sheets.errors import InvalidSheet
from services.scheduling.signin_sheets.models import SignInSheetJob, SignInSheetLineError
from services.scheduling.signin_sheets.schemas import LineErrorPublic, SignInSheetJobPublic
from shared.auth import bearer_token

router = APIRouter(tags=["sign-in sheets"])


def _public(job: SignInSheetJob, errors: list[SignInSheetLineError]) -> SignInSheetJobPublic:
    return SignInSheetJobPublic(
        job_id=job.id, session_id=job.session_id, status=job.status, total=job.total,
        processed=job.processed, attended=job.attended, people_created=job.people_created,
        people_matched=job.people_matched, message=job.message,
        errors=[LineErrorPublic(line=e.line, message=e.message) for e in errors])


@router.post("/sessions/{session_id}/sign-in-sheet", response_model=SignInSheetJobPublic,
             status_code=202, openapi_extra=CSV_BODY, responses=NOT_OPEN,
             summary="Import a session's sign-in sheet (CSV); answers the job that applies it",
             description=LEAD_TIME + KEY_DESCRIPTION)
async def create_sign_in_sheet(session_id: str, request: Request, principal: PrincipalDep,
                               identity: IdentityDep, lead: CheckInLeadDep,
                               idempotency_key: IdempotencyKey = None) -> Response:
    sessions = request.app.state.sessions
    async with sessions() as db:
        session = await service.authorize_import(db, principal=principal, session_id=session_id,
                                                 lead=lead)
    sheet = await read_upload(request, InvalidSheet)
    lines = service.parse_sheet(sheet)

    async def create(db) -> tuple[SignInSheetJob, dict]:
        job = await service.create_job(db, principal=principal, session_id=session_id,
                                       lines=lines, lead=lead)
        return job, _public(job, []).model_dump(mode="json")

    importer = service.Importer(
        runner=JobRunner(service.KIND, sessions), identity=identity,
        network_id=session.network_id, acting_token=bearer_token(request) or "", lead=lead)
    return await start_job(
        request, principal=principal, key=idempotency_key,
        fingerprint={"sheet_sha256": hashlib.sha256(sheet).hexdigest()}, create=create,
        work=lambda job: importer.run(job_id=job.id, principal=principal, lines=lines),
        name="sign-in-sheet")


@router.get("/jobs/{job_id}", response_model=SignInSheetJobPublic,
            summary="Progress of a sign-in sheet import")
async def get_job(job_id: str, db: SessionDep, principal: PrincipalDep) -> SignInSheetJobPublic:
    job, errors = await service.get_job(db, principal=principal, job_id=job_id)
    return _public(job, errors)
