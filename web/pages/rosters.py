"""A session's roster for the network's staff: who is confirmed, waiting and present; seat
someone over capacity, move someone to another session, cancel the session; and the printable
sign-in sheet (HTML and PDF)."""

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from web.auth import User, UserDep
from web.clients import ApiError, Clients
from web.deps import ClientsDep
from web.forms import api_field_errors, new_key
from web.pages.sessions import check_in_context
from web.rendering import flash, render, see_other
from web.sign_in_sheet import WALK_IN_LINES, sign_in_sheet_pdf

router = APIRouter()
FORCE_FIELDS = ("person", "reason")
MOVE_FIELDS = ("registration_id", "session_id", "move_reason")
# Refusals a leader can fix by changing the form; anything else is an error page.
FIXABLE = frozenset({409, 422})


async def roster_context(clients: Clients, user: User, session_id: str, *,
                         audit_cursor: str | None = None) -> dict[str, Any]:
    """The check-in page's data, plus what a leader needs to change the roster. The audit
    log is staff-only, so a caller who may not manage the roster gets the API's 403 here."""
    context = await check_in_context(clients, user, session_id)
    event, session, entries = context["event"], context["session"], context["entries"]
    audit, attendance = await asyncio.gather(
        clients.scheduling.audit_entries(user.token, event.id, session_id=session.id,
                                         cursor=audit_cursor),
        clients.scheduling.attendance(user.token, session.id),
    )
    registered = {e.person_id for e in entries}
    titles = {s.id: s.title for s in event.sessions}
    names = {e.person_id: e.person_name for e in entries}
    return {
        **context,
        "confirmed": [e for e in entries if e.status == "confirmed"],
        "waitlisted": [e for e in entries if e.status == "waitlisted"],
        "present": [e for e in entries if e.attended],
        # Present without a live registration: from a sign-in sheet, or checked in by hand.
        "walk_ins": len({a.person_id for a in attendance} - registered),
        "audit": audit, "titles": titles, "names": names,
        "targets": [(s.id, s.title) for s in event.sessions
                    if s.id != session.id and not s.cancelled],
        "force_values": {"idempotency_key": new_key()}, "force_errors": {},
        "move_values": {"idempotency_key": new_key()}, "move_errors": {},
    }


@router.get("/sessions/{session_id}/roster")
async def get_roster(request: Request, session_id: str, clients: ClientsDep,
                     user: UserDep) -> Response:
    context = await roster_context(clients, user, session_id,
                                   audit_cursor=request.query_params.get("audit_cursor"))
    return render(request, "rosters/roster.html", context)


def form_values(form) -> dict[str, str]:
    return {k: v.strip() for k, v in form.items() if k != "csrf_token" and isinstance(v, str)}


def missing(values: dict[str, str], required: dict[str, str]) -> dict[str, str]:
    """The message of each required field left empty."""
    return {name: message for name, message in required.items() if not values.get(name)}


async def refused(request: Request, clients: Clients, user: User, session_id: str, *,
                  form: str, values: dict, errors: dict, status_code: int) -> Response:
    """The roster again with the refused form's values and its errors beside the fields: the
    whole page, or only the form when htmx targets it (render picks the block by target)."""
    context = await roster_context(clients, user, session_id)
    context[f"{form}_values"], context[f"{form}_errors"] = values, errors
    return render(request, "rosters/roster.html", context, status_code=status_code)


@router.post("/sessions/{session_id}/roster/add")
async def create_forced_registration(request: Request, session_id: str, clients: ClientsDep,
                                     user: UserDep) -> Response:
    values = form_values(await request.form())
    errors = missing(values, {"person": "Enter the person's email or Cascade id.",
                              "reason": "Say why this person gets a seat beyond capacity."})
    if not errors:
        person = values["person"]
        body = {"email" if "@" in person else "person_id": person, "reason": values["reason"]}
        try:
            added = await clients.scheduling.force_add(
                user.token, session_id, body, idempotency_key=values.get("idempotency_key")
                or new_key())
        except ApiError as exc:
            if exc.status not in FIXABLE:
                raise
            errors = api_field_errors(exc, fields=FORCE_FIELDS,
                                      aliases={"email": "person", "person_id": "person"})
            if exc.code in ("already_registered", "slot_conflict"):
                errors = {"person": exc.detail}
        else:
            flash(request, "Seat given: the person is confirmed.")
            return see_other(request, f"/sessions/{session_id}/roster#roster_{added.person_id}")
    return await refused(request, clients, user, session_id, form="force", values=values,
                         errors=errors, status_code=422)


@router.post("/sessions/{session_id}/roster/move")
async def move_registration(request: Request, session_id: str, clients: ClientsDep,
                            user: UserDep) -> Response:
    values = form_values(await request.form())
    errors = missing(values, {"registration_id": "Choose who moves.",
                              "session_id": "Choose the session they move to."})
    if not errors:
        body = {"session_id": values["session_id"], "force": values.get("force") == "on",
                "reason": values.get("move_reason", "")}
        try:
            moved = await clients.scheduling.move_registration(
                user.token, values["registration_id"], body,
                idempotency_key=values.get("idempotency_key") or new_key())
        except ApiError as exc:
            if exc.status not in FIXABLE and exc.status != 404:
                raise
            errors = api_field_errors(exc, fields=MOVE_FIELDS, aliases={"reason": "move_reason"})
        else:
            where = "confirmed" if moved.registration.status == "confirmed" else \
                f"on the waitlist (#{moved.registration.waitlist_position})"
            flash(request, f"Moved: now {where} in the other session.")
            return see_other(request, f"/sessions/{session_id}/roster")
    return await refused(request, clients, user, session_id, form="move", values=values,
                         errors=errors, status_code=422)


@router.get("/sessions/{session_id}/cancel")
async def confirm_cancel_session(request: Request, session_id: str, clients: ClientsDep,
                                 user: UserDep) -> Response:
    context = await roster_context(clients, user, session_id)
    context["idempotency_key"] = new_key()
    return render(request, "rosters/cancel.html", context)


@router.post("/sessions/{session_id}/cancel")
async def cancel_session(request: Request, session_id: str, clients: ClientsDep,
                         user: UserDep) -> Response:
    form = await request.form()
    key = form.get("idempotency_key")
    answer = await clients.scheduling.cancel_session(
        user.token, session_id, idempotency_key=key if isinstance(key, str) and key else new_key())
    count = len(answer.cancelled)
    flash(request, f"Session cancelled. {count} registration{'s' if count != 1 else ''} "
                   "cancelled." if count else "Session cancelled.")
    return see_other(request, f"/sessions/{session_id}/roster")


async def sheet_context(clients: Clients, user: User, session_id: str) -> dict[str, Any]:
    context = await roster_context(clients, user, session_id)
    people = sorted(context["confirmed"], key=lambda e: (e.person_name or "").lower())
    return {**context, "people": people, "walk_in_lines": WALK_IN_LINES}


@router.get("/sessions/{session_id}/roster/print")
async def get_sign_in_sheet(request: Request, session_id: str, clients: ClientsDep,
                            user: UserDep) -> Response:
    context = await sheet_context(clients, user, session_id)
    return render(request, "rosters/print.html", context)


@router.get("/sessions/{session_id}/roster.pdf")
async def get_sign_in_sheet_pdf(session_id: str, clients: ClientsDep, user: UserDep) -> Response:
    context = await sheet_context(clients, user, session_id)
    pdf = sign_in_sheet_pdf(event=context["event"], session=context["session"],
                            people=context["people"])
    return Response(pdf, media_type="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="sign-in-sheet-{session_id}.pdf"'})
