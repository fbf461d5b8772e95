"""HTTP for sign-in sheet imports: upload a sheet, then follow its job."""

import hashlib

from fastapi import APIRouter, Request, Response
from starlette.datastructures import UploadFile

from services.scheduling.deps import PrincipalDep, SessionDep
from services.scheduling.idempotency.responses import KEY_DESCRIPTION, IdempotencyKey, respond
from services.scheduling.signin_sheets import service
from services.scheduling.signin_sheets.directory import Directory
from services.scheduling.signin_sheets.errors import (
    InvalidSheet, SheetTooLarge, UnsupportedSheetType)
from services.scheduling.signin_sheets.models import SignInSheetJob, SignInSheetLineError
from services.scheduling.signin_sheets.schemas import LineErrorPublic, SignInSheetJobPublic
from shared.service import start_task

MAX_SHEET_BYTES = 2 * 1024 * 1024
# Multipart framing around the file: boundaries and part headers.
MULTIPART_SLACK = 16 * 1024


router = APIRouter(tags=["sign-in sheets"])

SHEET_BODY = {"requestBody": {"required": True, "content": {
    "text/csv": {"schema": {"type": "string"}},
    "multipart/form-data": {"schema": {"type": "object", "required": ["file"], "properties": {
        "file": {"type": "string", "format": "binary"}}}},
}}}


def _public(job: SignInSheetJob, errors: list[SignInSheetLineError]) -> SignInSheetJobPublic:
    return SignInSheetJobPublic(
        job_id=job.id, session_id=job.session_id, status=job.status, total=job.total,
        processed=job.processed, attended=job.attended, people_created=job.people_created,
        people_matched=job.people_matched, message=job.message,
        errors=[LineErrorPublic(line=e.line, message=e.message) for e in errors])


async def _read_sheet(request: Request) -> bytes:
    """The uploaded bytes, refused past MAX_SHEET_BYTES before more is read than that."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    declared = request.headers.get("content-length", "")
    if media_type == "text/csv":
        if declared.isdigit() and int(declared) > MAX_SHEET_BYTES:
            raise SheetTooLarge(f"A sheet may be at most {MAX_SHEET_BYTES} bytes.")
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_SHEET_BYTES:
                raise SheetTooLarge(f"A sheet may be at most {MAX_SHEET_BYTES} bytes.")
        return bytes(body)
    if media_type == "multipart/form-data":
        if declared.isdigit() and int(declared) > MAX_SHEET_BYTES + MULTIPART_SLACK:
            raise SheetTooLarge(f"A sheet may be at most {MAX_SHEET_BYTES} bytes.")
        async with request.form(max_files=1, max_fields=10) as form:
            upload = form.get("file")
            if not isinstance(upload, UploadFile):
                raise InvalidSheet("Send the sheet in the multipart field 'file'.")
            content = await upload.read(MAX_SHEET_BYTES + 1)
        if len(content) > MAX_SHEET_BYTES:
            raise SheetTooLarge(f"A sheet may be at most {MAX_SHEET_BYTES} bytes.")
        return content
    raise UnsupportedSheetType("Send the sheet as text/csv or in the multipart field 'file'.")


@router.post("/sessions/{session_id}/sign-in-sheet", response_model=SignInSheetJobPublic,
             status_code=202, openapi_extra=SHEET_BODY,
             summary="Import a session's sign-in sheet (CSV); answers the job that applies it",
             description=KEY_DESCRIPTION)
async def create_sign_in_sheet(session_id: str, request: Request, principal: PrincipalDep,
                               idempotency_key: IdempotencyKey = None) -> Response:
    # No request unit of work here: the job must be committed before its task starts, and on
    # SQLite a second open transaction would wait on the first one's write lock.
    sessions = request.app.state.sessions
    async with sessions() as db:
        await service.authorize(db, principal=principal, session_id=session_id)
    sheet = await _read_sheet(request)
    lines = service.parse_sheet(sheet)
    created: list[SignInSheetJob] = []

    async def create() -> tuple[int, dict]:
        job = await service.create_job(db, principal=principal, session_id=session_id,
                                       lines=lines)
        created.append(job)
        return 202, _public(job, []).model_dump(mode="json")

    async with sessions() as db:
        response = await respond(db, request, subject=principal.subject, key=idempotency_key,
                                 body={"sheet_sha256": hashlib.sha256(sheet).hexdigest()},
                                 action=create)
        await db.commit()
    if created:  # a replay started no job, so it starts no import either
        importer = service.Importer(sessions=sessions, directory=Directory(
            gateway=request.app.state.gateway, service_token=request.app.state.service_token))
        # Cancelled with the app when the service stops; the job is then marked failed.
        start_task(request.app, importer.run(job_id=created[0].id, principal=principal,
                                             lines=lines), name=f"sign-in-sheet-{created[0].id}")
    return response


@router.get("/jobs/{job_id}", response_model=SignInSheetJobPublic,
            summary="Progress of a sign-in sheet import")
async def get_job(job_id: str, db: SessionDep, principal: PrincipalDep) -> SignInSheetJobPublic:
    job, errors = await service.get_job(db, principal=principal, job_id=job_id)
    return _public(job, errors)
