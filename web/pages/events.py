"""An event's page with sign-up per session, and the form that creates an event."""

import asyncio
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from web.auth import CREATOR_ROLES, OptionalUserDep, User, UserDep
from web.clients import ApiError, Clients
from web.clients.scheduling import Event, MyRegistration, Session
from web.deps import ClientsDep
from web.event_form import EventForm, parse_event_form
from web.forms import api_field_errors, new_key, sent_key
from web.htmx import get_htmx
from web.networks import networks_where
from web.pages.sessions import can_manage_roster
from web.rendering import flash, render, render_partial, see_other
from web.vocabulary import EVENT_KINDS, FORMATS, GRADES, SUBJECTS, TIMEZONES

router = APIRouter()
MANAGER_ROLES = ("network_admin", "coordinator")
# What a sign-up refusal means to the person who clicked.
REGISTRATION_PROBLEMS = {
    "slot_conflict": "You already hold a session in this time slot.",
    "event_closed": "This event is not open for sign-up.",
    "seat_contention": "Many people are signing up right now. Please try again.",
    "session_cancelled": "This session was cancelled.",
}


def can_check_in(user: User | None, event: Event, session: Session) -> bool:
    """Whether to offer the check-in page; the service decides again when it is used."""
    if user is None:
        return False
    return (user.has_role(event.network_id, *MANAGER_ROLES)
            or user.person_id in session.facilitator_ids)


async def my_registrations_by_session(clients: Clients, user: User | None
                                      ) -> dict[str, MyRegistration]:
    if user is None:
        return {}
    registrations = await clients.scheduling.my_registrations(user.token)
    return {r.session_id: r for r in registrations if r.active}


def signup_context(event: Event, session: Session, user: User | None,
                   mine: dict[str, MyRegistration], *, error: str | None = None) -> dict:
    return {"event": event, "session": session, "registration": mine.get(session.id),
            "idempotency_key": new_key(), "error": error,
            "can_check_in": can_check_in(user, event, session),
            "can_manage_roster": can_manage_roster(user, event)}


# --- creating an event -------------------------------------------------------------------

async def new_event_context(clients: Clients, user: User, values: dict, errors: dict) -> dict:
    networks = await networks_where(clients, user, CREATOR_ROLES)
    network_ids = [n.id for n in networks]
    if values.get("network_id") not in network_ids:
        values["network_id"] = network_ids[0] if network_ids else ""
    leaders = []
    if values["network_id"]:
        members = await clients.identity.members(user.token, values["network_id"], role="leader")
        leaders = sorted({(m.person_id, m.display_name) for m in members},
                         key=lambda pair: pair[1].lower())
    values.setdefault("idempotency_key", new_key())
    return {
        "values": values, "errors": errors, "networks": [(n.id, n.name) for n in networks],
        "leaders": leaders, "kinds": EVENT_KINDS, "subjects": SUBJECTS, "formats": FORMATS,
        "grades": [(g, g) for g in GRADES], "timezones": TIMEZONES,
    }


def form_values(source) -> dict:
    values = {k: v for k, v in source.items() if k != "csrf_token" and isinstance(v, str)}
    values["subjects"] = [s for s in source.getlist("subjects") if isinstance(s, str)]
    return values


@router.get("/events/new")
async def new_event(request: Request, clients: ClientsDep, user: UserDep) -> Response:
    if not user.can_create_events:
        raise ApiError(403, "forbidden",
                       "Only a network's leaders, coordinators and admins post events.")
    # The query carries the form's values when the network changed without JavaScript.
    values = {"kind": "workshop_series", "timezone": "America/Los_Angeles", "format": "in_person",
              "grade_min": "K", "grade_max": "12", "capacity": "30", "credit_hours": "3",
              "subjects": [], **form_values(request.query_params)}
    context = await new_event_context(clients, user, values, {})
    return render(request, "events/new.html", context)


@router.post("/events/new")
async def create_event(request: Request, clients: ClientsDep, user: UserDep) -> Response:
    if not user.can_create_events:
        raise ApiError(403, "forbidden",
                       "Only a network's leaders, coordinators and admins post events.")
    values = form_values(await request.form())
    form, errors = parse_event_form(values)
    if form is not None:
        errors = await submit_event(clients, user, form, values)
        if not errors:
            flash(request, "Your event is ready." if form.publish
                  else "Your event is saved as a draft; publish it when you are ready.")
            return see_other(request, f"/events/{values['event_id']}")
    context = await new_event_context(clients, user, values, errors)
    return render(request, "events/new.html", context, status_code=422, block="event_form")


async def submit_event(clients: Clients, user: User, form: EventForm, values: dict
                       ) -> dict[str, str]:
    """Creates the event as a draft, adds its first session, then publishes it if asked: the
    catalog never shows an event without its session. After a refusal the draft's id rides in
    the re-rendered form, so fixing the mistake completes that draft instead of a second one."""
    key = values.get("idempotency_key", "")
    aliases = EventForm.EVENT_ALIASES
    try:
        if values.get("event_id"):
            event = await clients.scheduling.update_event(user.token, values["event_id"],
                                                          form.event_body(status="draft"))
        else:
            event = await clients.scheduling.create_event(
                user.token, {"network_id": form.network_id, **form.event_body(status="draft")},
                idempotency_key=sent_key(key),
            )
        values["event_id"] = event.id
        aliases = EventForm.SESSION_ALIASES
        await clients.scheduling.create_session(user.token, event.id, form.session_body())
        aliases = EventForm.EVENT_ALIASES
        if form.publish:
            await clients.scheduling.update_event(user.token, event.id, {"status": "published"})
    except ApiError as exc:
        if exc.unavailable or exc.status == 401:
            raise
        return api_field_errors(exc, fields=EventForm.FIELDS, aliases=aliases)
    return {}


# --- an event and its sessions ---------------------------------------------------------

@router.get("/events/{event_id}")
async def get_event(request: Request, event_id: str, clients: ClientsDep,
                    user: OptionalUserDep) -> Response:
    token = user.token if user else None
    event, mine = await asyncio.gather(clients.scheduling.get_event(token, event_id),
                                       my_registrations_by_session(clients, user))
    sessions = sorted(event.sessions, key=lambda s: (s.starts_at is None, s.starts_at))
    return render(request, "events/detail.html", {
        "event": event,
        "may_manage": user is not None and user.has_role(event.network_id, *CREATOR_ROLES),
        "signups": [signup_context(event, s, user, mine) for s in sessions],
    })


async def signup_answer(request: Request, clients: Clients, user: User, event_id: str,
                        session_id: str, *, error: str | None = None,
                        notice: str | None = None) -> Response:
    """The session's sign-up area for htmx; for a plain form, back to the event page with the
    outcome as a message (the page itself shows the new state)."""
    if not get_htmx(request).targets(f"signup_{session_id}"):
        if error or notice:
            flash(request, error or notice)
        return see_other(request, f"/events/{event_id}#session_{session_id}")
    event, mine = await asyncio.gather(clients.scheduling.get_event(user.token, event_id),
                                       my_registrations_by_session(clients, user))
    session = next((s for s in event.sessions if s.id == session_id), None)
    if session is None:
        raise ApiError(404, "not_found", "No such session.")
    return render_partial(request, "events/_signup.html",
                          signup_context(event, session, user, mine, error=error),
                          status_code=409 if error else 200)


@router.post("/events/{event_id}/sessions/{session_id}/register")
async def create_registration(
    request: Request, event_id: str, session_id: str, clients: ClientsDep, user: UserDep,
    idempotency_key: Annotated[str, Form()] = "",
) -> Response:
    # The key was minted when the page was rendered: a double submit registers once.
    key = sent_key(idempotency_key)
    error = None
    try:
        await clients.scheduling.register(user.token, session_id, idempotency_key=key)
    except ApiError as exc:
        if exc.code == "already_registered":
            pass  # the sign-up area shows the registration as it stands
        elif exc.status in (409, 422):
            error = REGISTRATION_PROBLEMS.get(exc.code, exc.detail)
        else:
            raise
    return await signup_answer(request, clients, user, event_id, session_id, error=error)


@router.post("/events/{event_id}/registrations/{registration_id}/cancel")
async def delete_registration(
    request: Request, event_id: str, registration_id: str, clients: ClientsDep, user: UserDep,
    session_id: Annotated[str, Form()] = "",
) -> Response:
    try:
        await clients.scheduling.cancel_registration(user.token, registration_id)
    except ApiError as exc:
        # Already cancelled (another tab): the page shows the state as it now is.
        if exc.status not in (404, 409):
            raise
    return await signup_answer(request, clients, user, event_id, session_id,
                               notice="Your registration is cancelled.")
