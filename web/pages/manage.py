"""Running an event, for the staff of its network: the Manage list, the edit form, publishing
and cancelling, and scheduling sessions (one, a weekly series, conference slots), then changing
one. Web checks the role only to shape the pages; scheduling decides again on every write."""

import re
from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from web.auth import CREATOR_ROLES, User, UserDep
from web.clients import ApiError, Clients
from web.clients.scheduling import Event, Session
from web.deps import ClientsDep
from web.event_form import EVENT_FIELDS, parse_event_fields, text
from web.forms import api_field_errors, new_key, sent_key
from web.networks import networks_where
from web.pages.events import form_values
from web.rendering import flash, local_time, render, see_other, zone
from web.session_forms import (
    EDIT_FIELDS,
    INTERVALS,
    SERIES_ALIASES,
    SERIES_FIELDS,
    SESSION_ALIASES,
    SESSION_FIELDS,
    SLOT_ALIASES,
    SLOT_FIELDS,
    WEEKDAYS,
    parse_series,
    parse_session,
    parse_session_change,
    parse_slot,
)
from web.vocabulary import EVENT_KINDS, FORMATS, GRADES, SUBJECTS, TIMEZONES

router = APIRouter()
PAGE_SIZE = 25
CURSOR = re.compile(r"^[A-Za-z0-9_=-]{1,200}$")


def may_manage(user: User | None, network_id: str | None) -> bool:
    return user is not None and user.has_role(network_id, *CREATOR_ROLES)


async def managed_event(clients: Clients, user: User, event_id: str) -> Event:
    """The event, when the user may run it: 404 when they cannot see it, 403 when they can."""
    event = await clients.scheduling.get_event(user.token, event_id)
    if not may_manage(user, event.network_id):
        raise ApiError(403, "forbidden", "Only the network's staff manage its events.")
    return event


def form_key(values: dict, prefix: str = "") -> str:
    """The key minted when the form was rendered, so a double submit does the work once."""
    return sent_key(values.get(f"{prefix}idempotency_key", ""))


def refused(exc: ApiError, *, fields: tuple[str, ...], aliases: dict[str, str]) -> dict[str, str]:
    """An API refusal as errors beside the form's fields; outages and lost sessions go on to
    the page-level handlers."""
    if exc.unavailable or exc.status in (401, 403, 404):
        raise exc
    return api_field_errors(exc, fields=fields, aliases=aliases)


# --- the Manage list -----------------------------------------------------------------------

@router.get("/manage")
async def manage(request: Request, clients: ClientsDep, user: UserDep,
                 network_id: str = "", cursor: str = "") -> Response:
    if not user.can_create_events:
        raise ApiError(403, "forbidden",
                       "Only a network's leaders, coordinators and admins manage events.")
    networks = await networks_where(clients, user, CREATOR_ROLES)
    chosen = next((n for n in networks if n.id == network_id), networks[0] if networks else None)
    page = None
    if chosen is not None:
        page = await clients.scheduling.list_events(
            user.token, filters={"network_id": chosen.id},
            cursor=cursor if CURSOR.match(cursor) else None, limit=PAGE_SIZE)
    return render(request, "manage/index.html", {
        "networks": networks, "network": chosen, "page": page,
        "network_options": [(n.id, n.name) for n in networks],
        "manages_programs": chosen is not None and user.has_role(chosen.id, "network_admin",
                                                                 "coordinator"),
    })


# --- editing an event ----------------------------------------------------------------------

def event_values(event: Event) -> dict:
    values = {name: getattr(event, name, None) for name in EVENT_FIELDS}
    values.update(credit_hours=f"{event.credit_hours or 0:g}", program_id=event.program_id or "",
                  venue=event.venue or "", audience=event.audience or "")
    return values


async def edit_context(clients: Clients, user: User, event: Event, values: dict,
                       errors: dict) -> dict:
    programs = await clients.programs.list_programs(user.token, network_id=event.network_id)
    values.setdefault("idempotency_key", new_key())
    return {
        "event": event, "values": values, "errors": errors,
        "programs": [(p.id, p.name) for p in programs], "kinds": EVENT_KINDS,
        "subjects": SUBJECTS, "formats": FORMATS, "grades": [(g, g) for g in GRADES],
        "timezones": TIMEZONES,
    }


@router.get("/events/{event_id}/edit")
async def edit_event(request: Request, event_id: str, clients: ClientsDep,
                     user: UserDep) -> Response:
    event = await managed_event(clients, user, event_id)
    context = await edit_context(clients, user, event, event_values(event), {})
    return render(request, "manage/edit_event.html", context)


@router.post("/events/{event_id}/edit")
async def update_event(request: Request, event_id: str, clients: ClientsDep,
                       user: UserDep) -> Response:
    event = await managed_event(clients, user, event_id)
    values = form_values(await request.form())
    fields, errors = parse_event_fields(values)
    if not errors:
        try:
            await clients.scheduling.update_event(
                user.token, event.id, {**fields, "program_id": text(values, "program_id") or None},
                idempotency_key=form_key(values))
        except ApiError as exc:
            errors = refused(exc, fields=(*EVENT_FIELDS, "program_id"), aliases={})
    if not errors:
        flash(request, "The event is saved.")
        return see_other(request, f"/events/{event.id}")
    context = await edit_context(clients, user, event, values, errors)
    return render(request, "manage/edit_event.html", context, status_code=422,
                  block="event_form")


async def change_status(request: Request, clients: Clients, user: User, event_id: str, *,
                        status: str, message: str) -> Response:
    event = await managed_event(clients, user, event_id)
    await clients.scheduling.update_event(user.token, event.id, {"status": status})
    flash(request, message)
    return see_other(request, f"/events/{event.id}")


@router.post("/events/{event_id}/publish")
async def publish_event(request: Request, event_id: str, clients: ClientsDep,
                        user: UserDep) -> Response:
    return await change_status(request, clients, user, event_id, status="published",
                               message="The event is published: it is in the catalog now.")


@router.get("/events/{event_id}/cancel")
async def confirm_cancel_event(request: Request, event_id: str, clients: ClientsDep,
                               user: UserDep) -> Response:
    event = await managed_event(clients, user, event_id)
    return render(request, "manage/cancel_event.html", {"event": event, "errors": {}})


@router.post("/events/{event_id}/cancel")
async def cancel_event(request: Request, event_id: str, clients: ClientsDep, user: UserDep,
                       confirm: Annotated[str, Form()] = "") -> Response:
    if confirm != "yes":
        event = await managed_event(clients, user, event_id)
        return render(request, "manage/cancel_event.html", {
            "event": event, "errors": {"confirm": "Tick the box to confirm the cancellation."},
        }, status_code=422)
    return await change_status(request, clients, user, event_id, status="cancelled",
                               message="The event is cancelled.")


# --- scheduling sessions -------------------------------------------------------------------

async def network_members(clients: Clients, user: User, network_id: str | None
                          ) -> list[tuple[str, str]]:
    """The network's people, (person id, name) by name: the facilitators offered to tick."""
    members = await clients.identity.members(user.token, network_id or "")
    people = {m.person_id: m.display_name for m in members}
    return sorted(people.items(), key=lambda pair: pair[1].lower())


async def facilitator_ids(clients: Clients, user: User, network_id: str | None,
                          ticked: list[str], emails: list[str]) -> tuple[list[str], str | None]:
    """Person ids of the ticked members of the network, then of the typed emails (looking
    people up by email is for those identity lets manage people). The error names the emails
    that found no one."""
    members = dict(await network_members(clients, user, network_id))
    ids = [person_id for person_id in ticked if person_id in members]
    unknown = []
    for email in emails:
        try:
            person = await clients.identity.person_by_email(user.token, email)
        except ApiError as exc:
            if exc.status != 403:
                raise
            return [], ("Only network admins and coordinators look people up by email; "
                        "tick the network's people above instead.")
        if person is None:
            unknown.append(email)
        else:
            ids.append(person.id)
    if unknown:
        return [], f"No one with the email {', '.join(unknown)} is among the network's people."
    return list(dict.fromkeys(ids)), None


async def sessions_context(clients: Clients, user: User, event: Event, values: dict,
                           errors: dict, failed: str | None = None) -> dict:
    slots = await clients.scheduling.list_slots(user.token, event.id) \
        if event.kind == "conference" else []
    for name in ("idempotency_key", "series_idempotency_key", "slot_idempotency_key"):
        values.setdefault(name, new_key())
    values.setdefault("series_every_weeks", "1")
    values.setdefault("series_count", "4")
    return {
        "event": event, "values": values, "errors": errors, "failed": failed, "slots": slots,
        "slot_options": [(s.id, f"{s.label}, {local_time(s.starts_at, event.timezone)}")
                         for s in slots],
        "sessions": sorted(event.sessions, key=lambda s: (s.starts_at is None, s.starts_at)),
        "weekdays": WEEKDAYS, "intervals": INTERVALS,
        "members": await network_members(clients, user, event.network_id),
    }


@router.get("/events/{event_id}/sessions/new")
async def new_sessions(request: Request, event_id: str, clients: ClientsDep,
                       user: UserDep) -> Response:
    event = await managed_event(clients, user, event_id)
    context = await sessions_context(clients, user, event, {}, {})
    return render(request, "manage/sessions.html", context)


async def sessions_answer(request: Request, clients: Clients, user: User, event: Event,
                          values: dict, errors: dict, *, block: str, done: str) -> Response:
    if not errors:
        flash(request, done)
        return see_other(request, f"/events/{event.id}/sessions/new")
    context = await sessions_context(clients, user, event, values, errors, block)
    return render(request, "manage/sessions.html", context, status_code=422, block=block)


async def read_sessions_form(request: Request, clients: Clients, user: User, event: Event, *,
                             prefix: str, parse: Callable[[dict], tuple[dict, list[str], dict]]
                             ) -> tuple[dict, dict, dict[str, str]]:
    """A session or series form: its values, the API body with the facilitators' ids, and the
    errors beside its fields."""
    form = await request.form()
    values = {**form_values(form), f"{prefix}member_ids": form.getlist(f"{prefix}member_ids")}
    body, emails, errors = parse(values)
    people, unknown = await facilitator_ids(clients, user, event.network_id,
                                            values[f"{prefix}member_ids"], emails)
    if unknown:
        errors[f"{prefix}facilitators"] = unknown
    return values, {**body, "facilitator_ids": people}, errors


@router.post("/events/{event_id}/sessions/new")
async def create_session(request: Request, event_id: str, clients: ClientsDep,
                         user: UserDep) -> Response:
    event = await managed_event(clients, user, event_id)
    values, body, errors = await read_sessions_form(
        request, clients, user, event, prefix="",
        parse=lambda values: parse_session(values, zone(event.timezone)))
    if not errors:
        try:
            await clients.scheduling.create_session(user.token, event.id, body,
                                                    idempotency_key=form_key(values))
        except ApiError as exc:
            errors = refused(exc, fields=SESSION_FIELDS, aliases=SESSION_ALIASES)
    return await sessions_answer(request, clients, user, event, values, errors,
                                 block="session_form", done="The session is added.")


@router.post("/events/{event_id}/sessions/series")
async def create_series(request: Request, event_id: str, clients: ClientsDep,
                        user: UserDep) -> Response:
    event = await managed_event(clients, user, event_id)
    values, body, errors = await read_sessions_form(request, clients, user, event,
                                                    prefix="series_", parse=parse_series)
    created = 0
    if not errors:
        try:
            created = len(await clients.scheduling.create_series(
                user.token, event.id, body, idempotency_key=form_key(values, "series_")))
        except ApiError as exc:
            errors = refused(exc, fields=SERIES_FIELDS, aliases=SERIES_ALIASES)
    return await sessions_answer(request, clients, user, event, values, errors,
                                 block="series_form", done=f"{created} sessions are added.")


@router.post("/events/{event_id}/slots")
async def create_slot(request: Request, event_id: str, clients: ClientsDep,
                      user: UserDep) -> Response:
    event = await managed_event(clients, user, event_id)
    values = form_values(await request.form())
    body, errors = parse_slot(values, zone(event.timezone))
    if not errors:
        try:
            await clients.scheduling.create_slot(
                user.token, event.id, body,
                idempotency_key=form_key(values, "slot_"))
        except ApiError as exc:
            errors = refused(exc, fields=SLOT_FIELDS, aliases=SLOT_ALIASES)
    return await sessions_answer(request, clients, user, event, values, errors,
                                 block="slot_form", done="The slot is added; add its sessions.")


# --- changing one session ------------------------------------------------------------------

def session_values(session: Session, tz_name: str) -> dict:
    local = zone(tz_name)
    starts = session.starts_at.astimezone(local) if session.starts_at else None
    ends = session.ends_at.astimezone(local) if session.ends_at else None
    return {"title": session.title, "room": session.room or "",
            "capacity": str(session.capacity if session.capacity is not None else ""),
            "session_date": starts.date().isoformat() if starts else "",
            "start_time": starts.strftime("%H:%M") if starts else "",
            "end_time": ends.strftime("%H:%M") if ends else ""}


async def managed_session(clients: Clients, user: User, session_id: str
                          ) -> tuple[Session, Event]:
    session = await clients.scheduling.get_session(user.token, session_id)
    return session, await managed_event(clients, user, session.event_id)


@router.get("/sessions/{session_id}/edit")
async def edit_session(request: Request, session_id: str, clients: ClientsDep,
                       user: UserDep) -> Response:
    session, event = await managed_session(clients, user, session_id)
    values = {**session_values(session, event.timezone), "idempotency_key": new_key()}
    return render(request, "manage/edit_session.html",
                  {"event": event, "session": session, "values": values, "errors": {}})


@router.post("/sessions/{session_id}/edit")
async def update_session(request: Request, session_id: str, clients: ClientsDep,
                         user: UserDep) -> Response:
    session, event = await managed_session(clients, user, session_id)
    values = form_values(await request.form())
    body, errors = parse_session_change(values, zone(event.timezone))
    if not errors:
        try:
            await clients.scheduling.update_session(user.token, session.id, body,
                                                    idempotency_key=form_key(values))
        except ApiError as exc:
            errors = refused(exc, fields=EDIT_FIELDS, aliases=SESSION_ALIASES)
    if not errors:
        flash(request, "The session is saved.")
        return see_other(request, f"/events/{event.id}#session_{session.id}")
    return render(request, "manage/edit_session.html",
                  {"event": event, "session": session, "values": values, "errors": errors},
                  status_code=422, block="session_form")

