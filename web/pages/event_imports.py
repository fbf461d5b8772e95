"""Importing events from a spreadsheet: upload, a preview of the events and of each line's
errors side by side, then the import's progress and links to the events it created."""

import base64
import binascii
import csv
import io
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from web.auth import CREATOR_ROLES, User, UserDep
from web.clients import ApiError, Clients
from web.clients.scheduling import EventImportPreview
from web.deps import ClientsDep
from web.forms import IDEMPOTENCY_KEY, new_key
from web.networks import networks_where
from web.rendering import render, see_other
from web.vocabulary import EVENT_SHEET_EXAMPLE, EVENT_SHEET_HEADER

router = APIRouter()
# Refusals of the sheet itself (bad request, too large, not CSV, wrong header, lines with errors)
# and of the network (not the user's), told beside the form's fields.
SHEET_PROBLEMS = frozenset({400, 403, 413, 415, 422})
STATUSES = ("draft", "published")


@router.get("/event-imports/template.csv")
async def get_event_sheet_template() -> Response:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(EVENT_SHEET_HEADER)
    writer.writerows(EVENT_SHEET_EXAMPLE)
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="events.csv"'})


async def _upload_page(request: Request, clients: Clients, user: User, values: dict[str, str],
                       errors: dict[str, str]) -> Response:
    networks = await networks_where(clients, user, CREATOR_ROLES)
    return render(request, "event_imports/new.html", {
        "networks": [(n.id, n.name) for n in networks], "values": values, "errors": errors,
        "header": ",".join(EVENT_SHEET_HEADER),
    }, status_code=422 if errors else 200)


def _form_values(form: Any) -> dict[str, str]:
    status = str(form.get("event_status", "draft"))
    return {"network_id": str(form.get("network_id", "")).strip(),
            "event_status": status if status in STATUSES else "draft"}


@router.get("/event-imports/new")
async def new_event_import(request: Request, clients: ClientsDep, user: UserDep) -> Response:
    return await _upload_page(request, clients, user, {"event_status": "draft"}, {})


def preview_rows(preview: EventImportPreview) -> list[dict[str, Any]]:
    """One row per line of the sheet, in its order: the event and session it makes, or what is
    wrong with it (or with another line of its event, which keeps it out too)."""
    rows: dict[int, dict[str, Any]] = {}
    for event in preview.events:
        for line in event.lines:
            rows[line] = {"line": line, "event": event, "session": None, "error": None}
        for session in event.sessions:
            rows[session.line]["session"] = session
    for error in preview.errors:
        rows.setdefault(error.line, {"line": error.line, "event": None, "session": None})
        rows[error.line]["error"] = error.message
    return [rows[line] for line in sorted(rows)]


@router.post("/event-imports/preview")
async def preview_event_import(request: Request, clients: ClientsDep, user: UserDep) -> Response:
    form = await request.form()  # already parsed (and the file spooled) by the CSRF check
    values, errors = _form_values(form), {}
    upload = form.get("file")
    if not values["network_id"]:
        errors["network_id"] = "Choose the network the events belong to."
    if not (isinstance(upload, UploadFile) and upload.filename):
        errors["file"] = "Choose the CSV file of the events."
    if errors:
        return await _upload_page(request, clients, user, values, errors)
    sheet = await upload.read()
    try:
        preview = await clients.scheduling.preview_event_import(user.token, values["network_id"],
                                                                sheet=sheet)
    except ApiError as exc:
        if exc.status not in SHEET_PROBLEMS:
            raise
        errors["network_id" if exc.status == 403 else "file"] = exc.detail
        return await _upload_page(request, clients, user, values, errors)
    return render(request, "event_imports/preview.html", {
        "preview": preview, "rows": preview_rows(preview), "values": values,
        # The sheet rides along to the import step, so nothing is stored between the two.
        "sheet": base64.b64encode(sheet).decode(), "idempotency_key": new_key(),
        "filename": upload.filename,
    })


@router.post("/event-imports")
async def create_event_import(request: Request, clients: ClientsDep, user: UserDep) -> Response:
    form = await request.form()
    values = _form_values(form)
    key = str(form.get("idempotency_key", ""))
    try:
        sheet = base64.b64decode(str(form.get("sheet", "")), validate=True)
    except binascii.Error:
        sheet = b""
    if not sheet or not values["network_id"] or not IDEMPOTENCY_KEY.match(key):
        return await _upload_page(request, clients, user, values,
                                  {"file": "The sheet did not come through; upload it again."})
    try:
        job = await clients.scheduling.import_events(
            user.token, values["network_id"], sheet=sheet, status=values["event_status"],
            skip_invalid=form.get("skip_invalid") == "true", idempotency_key=key)
    except ApiError as exc:
        if exc.status not in SHEET_PROBLEMS:
            raise
        return await _upload_page(request, clients, user, values, {"file": exc.detail})
    return see_other(request, f"/event-imports/{job.job_id}")


@router.get("/event-imports/{job_id}")
async def get_event_import(request: Request, job_id: str, clients: ClientsDep,
                           user: UserDep) -> Response:
    job = await clients.scheduling.get_event_import(user.token, job_id)
    return render(request, "event_imports/detail.html",
                  {"job": job, "poll_url": f"/event-imports/{job.job_id}"})
