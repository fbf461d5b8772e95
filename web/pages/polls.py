"""Availability polls: a leader's polls of an event (create, tally, pick the winner), and the
public page a private link opens, where an invitee answers without an account."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from web.auth import UserDep
from web.clients import ApiError, Clients
from web.clients.polls import CHOICES
from web.deps import ClientsDep
from web.forms import api_field_errors, new_key, sent_key
from web.poll_form import DEFAULT_ROWS, PollForm, parse_poll_form, refused, rows_of
from web.rendering import flash, render, see_other
from web.security import expected_origin

router = APIRouter()
CHOICE_LABELS = {"yes": "Yes", "if_need_be": "If need be", "no": "No"}
DECISION_FIELDS = ("option_id", "capacity", "title", "room")
# The private link is the invitee's only key: keep it out of Referer headers and caches.
PRIVATE = {"Referrer-Policy": "no-referrer", "Cache-Control": "no-store"}


def answer_link(request: Request, token: str) -> str:
    return f"{expected_origin(request)}/polls/answer/{token}"


def form_values(source) -> dict[str, str]:
    return {k: v for k, v in source.items() if k != "csrf_token" and isinstance(v, str)}


# --- a leader's polls of one event ---------------------------------------------------------

async def polls_context(clients: Clients, token: str, event_id: str, form: PollForm) -> dict:
    event = await clients.scheduling.get_event(token, event_id)
    polls = await clients.polls.event_polls(token, event_id)
    form.values.setdefault("idempotency_key", new_key())
    return {"event": event, "polls": polls, "form": form}


@router.get("/events/{event_id}/polls")
async def list_polls(request: Request, event_id: str, clients: ClientsDep,
                     user: UserDep) -> Response:
    form = PollForm(values={}, rows=DEFAULT_ROWS)
    return render(request, "polls/index.html",
                  await polls_context(clients, user.token, event_id, form))


@router.post("/events/{event_id}/polls")
async def create_poll(request: Request, event_id: str, clients: ClientsDep,
                      user: UserDep) -> Response:
    values = form_values(await request.form())
    if values.pop("more", None):  # "Add a time": the same form with one more row
        form = PollForm(values=values, rows=rows_of(values, more=True))
        context = await polls_context(clients, user.token, event_id, form)
        return render(request, "polls/index.html", context)
    event = await clients.scheduling.get_event(user.token, event_id)
    form = parse_poll_form(values, event.timezone)
    if not form.invalid:
        try:
            created = await clients.polls.create_poll(
                user.token, event_id, form.body,
                idempotency_key=sent_key(values.get("idempotency_key", "")))
        except ApiError as exc:
            if exc.status != 422:
                raise
            refused(form, exc)
        else:
            # Shown in this answer, not after a redirect: the links exist only here (the
            # service keeps their hashes), so they must not pass through a cookie or a URL.
            links = [(i, answer_link(request, i.token) if i.token else None)
                     for i in created.invitees]
            return render(request, "polls/created.html",
                          {"event": event, "poll": created, "links": links})
    context = await polls_context(clients, user.token, event_id, form)
    return render(request, "polls/index.html", context, status_code=422)


# --- one poll: the tally, who answered what, and the pick ------------------------------------

async def poll_context(clients: Clients, token: str, poll_id: str, *,
                       values: dict | None = None, errors: dict | None = None) -> dict:
    poll = await clients.polls.get_poll(token, poll_id)
    event = await clients.scheduling.get_event(token, poll.event_id)
    invitees = await clients.polls.invitees(token, poll_id)
    leading = sorted(poll.leading)
    defaults = {"option_id": leading[0] if leading else "", "capacity": "30",
                "title": poll.title, "room": "", "idempotency_key": new_key()}
    return {"poll": poll, "event": event, "invitees": invitees, "labels": CHOICE_LABELS,
            "values": {**defaults, **(values or {})}, "errors": errors or {},
            "winner": next((o for o in poll.options if o.id == poll.winner_option_id), None)}


@router.get("/polls/{poll_id}")
async def get_poll(request: Request, poll_id: str, clients: ClientsDep, user: UserDep) -> Response:
    return render(request, "polls/detail.html", await poll_context(clients, user.token, poll_id))


@router.post("/polls/{poll_id}/decision")
async def create_decision(request: Request, poll_id: str, clients: ClientsDep,
                          user: UserDep) -> Response:
    values = form_values(await request.form())
    errors: dict[str, str] = {}
    if not values.get("option_id"):
        errors["option_id"] = "Choose the time that becomes the session."
    if not values.get("capacity", "").strip().isdigit():
        errors["capacity"] = "Give the number of seats, e.g. 30."
    status = 422
    if not errors:
        body = {"option_id": values["option_id"], "capacity": int(values["capacity"]),
                "title": values.get("title", "").strip() or None,
                "room": values.get("room", "").strip() or None}
        try:
            decided = await clients.polls.decide(
                user.token, poll_id, body,
                idempotency_key=sent_key(values.get("idempotency_key", "")))
        except ApiError as exc:
            if exc.status not in (409, 422):
                raise
            status = exc.status
            errors = api_field_errors(exc, fields=DECISION_FIELDS)
        else:
            flash(request, "The poll is closed and its winning time is now a session.")
            return see_other(request,
                             f"/events/{decided.poll.event_id}#session_{decided.session.id}")
    values.pop("idempotency_key", None)  # a fresh key for the corrected form
    context = await poll_context(clients, user.token, poll_id, values=values, errors=errors)
    return render(request, "polls/detail.html", context, status_code=status)


@router.post("/polls/{poll_id}/invitees/{invitee_id}/link")
async def renew_link(request: Request, poll_id: str, invitee_id: str, clients: ClientsDep,
                     user: UserDep, idempotency_key: Annotated[str, Form()] = "") -> Response:
    poll = await clients.polls.get_poll(user.token, poll_id)
    renewed = await clients.polls.renew_link(user.token, poll_id, invitee_id,
                                             idempotency_key=sent_key(idempotency_key))
    # Shown once, like the links of a new poll.
    link = answer_link(request, renewed.token) if renewed.token else None
    return render(request, "polls/link.html", {"poll": poll, "invitee": renewed, "link": link})


# --- the invitee's page: no account, the link is the key -------------------------------------

def answer_context(invitation, token: str, *, values: dict | None = None,
                   error: str | None = None) -> dict:
    return {"invitation": invitation, "token": token, "labels": CHOICE_LABELS,
            "chosen": values if values is not None else invitation.answers,
            "idempotency_key": new_key(), "error": error}


@router.get("/polls/answer/{token}")
async def get_answer_page(request: Request, token: str, clients: ClientsDep) -> Response:
    invitation = await clients.polls.invitation(token)
    return render(request, "polls/answer.html", answer_context(invitation, token),
                  headers=PRIVATE)


@router.post("/polls/answer/{token}")
async def answer(request: Request, token: str, clients: ClientsDep) -> Response:
    values = form_values(await request.form())
    invitation = await clients.polls.invitation(token)
    chosen = {t.id: values[f"time_{t.id}"] for t in invitation.times
              if values.get(f"time_{t.id}") in CHOICES}
    try:
        await clients.polls.answer(token, chosen,
                                   idempotency_key=sent_key(values.get("idempotency_key", "")))
    except ApiError as exc:
        if exc.status not in (409, 422):
            raise
        invitation = await clients.polls.invitation(token)
        context = answer_context(invitation, token, values=chosen, error=exc.detail)
        return render(request, "polls/answer.html", context, status_code=exc.status,
                      headers=PRIVATE)
    flash(request, "Thank you: your answers are saved. You can change them until the poll closes.")
    return see_other(request, f"/polls/answer/{token}")
