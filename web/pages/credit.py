"""PD credit: the deciders' queue (approve with hours and a note, revoke) and "My transcript"."""

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from web.auth import CREATOR_ROLES, User, UserDep
from web.clients import ApiError, Clients
from web.clients.credit import CreditQueueItem
from web.deps import ClientsDep
from web.forms import api_field_errors, new_key, sent_key
from web.rendering import flash, render, see_other

router = APIRouter()

NOT_A_DECIDER = "Only district coordinators and network admins approve PD credit."


def _require_decider(user: User) -> None:
    if not user.can_decide_credit:
        raise ApiError(403, "forbidden", NOT_A_DECIDER)


async def _district_names(clients: Clients, user: User, items: list[CreditQueueItem]
                          ) -> dict[str, str]:
    """Names of the districts on the page; an id stands in when identity cannot say."""
    ids = sorted({i.approval.district_id for i in items if i.approval.district_id})

    async def name(district_id: str) -> str:
        try:
            return (await clients.identity.organization(user.token, district_id)).name
        except ApiError:
            return district_id

    return dict(zip(ids, await asyncio.gather(*(name(i) for i in ids)), strict=True))


async def queue_context(request: Request, clients: Clients, user: User, *,
                        values: dict[str, dict[str, str]] | None = None,
                        errors: dict[str, str] | None = None) -> dict[str, Any]:
    """The queue page's data; also what a refused form re-renders with, its errors beside it.
    Errors and values are keyed by the approval they belong to: one form per row."""
    pending, approved = await asyncio.gather(
        clients.credit.queue(user.token, status="pending",
                             cursor=request.query_params.get("cursor")),
        clients.credit.queue(user.token, status="approved",
                             cursor=request.query_params.get("approved_cursor")),
    )
    return {
        "pending": pending, "approved": approved,
        "districts": await _district_names(clients, user, pending.items + approved.items),
        "values": values or {}, "errors": errors or {}, "new_key": new_key,
    }


@router.get("/credit")
async def list_credit_queue(request: Request, clients: ClientsDep, user: UserDep) -> Response:
    _require_decider(user)
    return render(request, "credit/queue.html", await queue_context(request, clients, user))


def _hours(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


async def _decide(request: Request, clients: Clients, user: User, event_id: str, *,
                  action: str) -> Response:
    """Approve or revoke from one row's form: 303 back to the queue, or the queue again (422)
    with the errors beside that row's fields."""
    _require_decider(user)
    form = await request.form()
    fields = {k: str(form.get(k) or "") for k in
              ("approval_id", "district_id", "hours", "note", "idempotency_key", "title")}
    row = fields["approval_id"]
    prefix = "" if action == "approve" else "revoke-"
    body: dict[str, Any] = {"district_id": fields["district_id"] or None, "note": fields["note"]}
    errors: dict[str, str] = {}
    if action == "approve":
        body["hours"] = _hours(fields["hours"])
        if body["hours"] is None:
            errors["hours"] = "Enter the hours as a number, such as 3 or 1.5."
    if not errors:
        key = fields["idempotency_key"]
        key = sent_key(key)
        send = clients.credit.approve if action == "approve" else clients.credit.revoke
        try:
            await send(user.token, event_id, body, idempotency_key=key)
        except ApiError as exc:
            if exc.unavailable or exc.status == 401:
                raise
            errors = api_field_errors(exc, fields=("hours", "note"))
    if not errors:
        flash(request, f"Approved {fields['hours']} hours for {fields['title']}."
              if action == "approve" else f"Revoked the credit for {fields['title']}.")
        return see_other(request, "/credit")
    keyed = {(f"{prefix}{name}-{row}" if name != "_form" else f"{prefix}form-{row}"): message
             for name, message in errors.items()}
    context = await queue_context(request, clients, user, errors=keyed,
                                  values={f"{prefix}{row}": fields})
    return render(request, "credit/queue.html", context, status_code=422)


@router.post("/credit/{event_id}/approve")
async def create_credit_approval(request: Request, event_id: str, clients: ClientsDep,
                                 user: UserDep) -> Response:
    return await _decide(request, clients, user, event_id, action="approve")


@router.post("/credit/{event_id}/revoke")
async def create_credit_revocation(request: Request, event_id: str, clients: ClientsDep,
                                   user: UserDep) -> Response:
    return await _decide(request, clients, user, event_id, action="revoke")


# --- an event's staff ask for credit -----------------------------------------------------

async def event_credit_context(clients: Clients, user: User, event_id: str, *,
                               values: dict[str, str] | None = None,
                               errors: dict[str, str] | None = None) -> dict[str, Any]:
    event = await clients.scheduling.get_event(user.token, event_id)
    if not user.has_role(event.network_id, *CREATOR_ROLES):
        raise ApiError(403, "forbidden", "Only the network's staff ask for credit for its events.")
    approvals, districts = await asyncio.gather(
        clients.credit.of_event(user.token, event_id),
        clients.identity.organizations(user.token, kind="district"))
    names = {d.id: d.name for d in districts}
    return {
        "event": event, "approvals": approvals.items, "districts": names,
        "scopes": [("", "Network-wide: the network's admins decide for every district"),
                   *sorted(((i, n) for i, n in names.items()), key=lambda pair: pair[1])],
        "values": values or {}, "errors": errors or {}, "new_key": new_key,
    }


@router.get("/events/{event_id}/credit")
async def get_event_credit(request: Request, event_id: str, clients: ClientsDep,
                           user: UserDep) -> Response:
    return render(request, "credit/event.html",
                  await event_credit_context(clients, user, event_id))


@router.post("/events/{event_id}/credit")
async def create_event_credit_request(request: Request, event_id: str, clients: ClientsDep,
                                      user: UserDep) -> Response:
    form = await request.form()
    fields = {k: str(form.get(k) or "") for k in ("district_id", "note", "idempotency_key")}
    key = fields["idempotency_key"]
    try:
        await clients.credit.request(
            user.token, event_id, {"district_id": fields["district_id"] or None,
                                   "note": fields["note"]},
            idempotency_key=sent_key(key))
    except ApiError as exc:
        if exc.unavailable or exc.status in (401, 403, 404):
            raise
        errors = api_field_errors(exc, fields=("district_id", "note"))
        context = await event_credit_context(clients, user, event_id, values=fields,
                                             errors=errors)
        return render(request, "credit/event.html", context, status_code=422)
    flash(request, "Credit is requested: the deciders see it in their queue.")
    return see_other(request, f"/events/{event_id}/credit")


@router.get("/transcript")
async def get_my_transcript(request: Request, clients: ClientsDep, user: UserDep) -> Response:
    transcript = await clients.credit.my_transcript(user.token)
    return render(request, "credit/transcript.html", {
        "transcript": transcript,
        "most_hours": max((y.approved_hours for y in transcript.years), default=0),
    })


@router.get("/transcript/print")
async def get_my_transcript_print(request: Request, clients: ClientsDep,
                                  user: UserDep) -> Response:
    transcript = await clients.credit.my_transcript(user.token)
    return render(request, "credit/transcript_print.html", {"transcript": transcript})
