"""Sign-in sheet imports: the upload from the check-in page, a blank sheet to fill in, and the
page that follows the import job until it is done."""

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from web.auth import UserDep
from web.clients import ApiError
from web.deps import ClientsDep
from web.htmx import get_htmx
from web.pages.sessions import check_in_context
from web.rendering import render, see_other
from web.vocabulary import SIGN_IN_SHEET_HEADER

router = APIRouter()
# Refusals of the sheet itself (too large, not CSV, wrong header), told beside the file field.
SHEET_PROBLEMS = frozenset({400, 413, 415, 422})


@router.get("/sign-in-sheets/template.csv")
async def get_sign_in_sheet_template() -> Response:
    return Response(",".join(SIGN_IN_SHEET_HEADER) + "\r\n", media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="sign-in-sheet.csv"'})


@router.post("/sessions/{session_id}/sign-in-sheet")
async def create_sign_in_sheet(request: Request, session_id: str, clients: ClientsDep,
                               user: UserDep) -> Response:
    form = await request.form()  # already parsed (and the file spooled) by the CSRF check
    upload = form.get("file")
    error = "Choose the CSV file of the sign-in sheet."
    if isinstance(upload, UploadFile) and upload.filename:
        try:
            job = await clients.scheduling.import_sign_in_sheet(
                user.token, session_id, filename=upload.filename, sheet=upload.file)
        except ApiError as exc:
            if exc.status not in SHEET_PROBLEMS:
                raise
            error = exc.detail
        else:
            query = urlencode({"session_id": session_id})
            return see_other(request, f"/imports/{job.job_id}?{query}")
    context = await check_in_context(clients, user, session_id)
    context["sheet_errors"] = {"file": error}
    return render(request, "sessions/check_in.html", context, status_code=422)


@router.get("/imports/{job_id}")
async def get_import(request: Request, job_id: str, clients: ClientsDep, user: UserDep) -> Response:
    job = await clients.scheduling.get_import_job(user.token, job_id)
    context = {"job": job, "session_id": job.session_id,
               "poll_url": f"/imports/{job.job_id}?{urlencode({'session_id': job.session_id})}"}
    if not get_htmx(request).targets("import_progress"):
        # The whole page names the session; a poll needs only the job.
        context["session"] = await clients.scheduling.get_session(user.token, job.session_id)
    return render(request, "imports/detail.html", context)
