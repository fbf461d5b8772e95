"""Check-in: a session's roster with a button per person."""

import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import Response

from web.auth import CREATOR_ROLES, User, UserDep
from web.clients import ApiError, Clients
from web.deps import ClientsDep
from web.htmx import get_htmx
from web.rendering import flash, render, render_partial, see_other
from web.vocabulary import SIGN_IN_SHEET_HEADER

router = APIRouter()
STATUS_ORDER = {"confirmed": 0, "waitlisted": 1}


def can_manage_roster(user: User | None, event) -> bool:
    """Whether to offer the roster page (force-add, move, cancel): the network's staff, the
    same roles that post events; the service decides again when it is used."""
    return user is not None and user.has_role(event.network_id, *CREATOR_ROLES)


async def check_in_context(clients: Clients, user: User, session_id: str) -> dict:
    """The roster page's data; also what the sign-in sheet form re-renders with on an error."""
    session = await clients.scheduling.get_session(user.token, session_id)
    event, roster = await asyncio.gather(
        clients.scheduling.get_event(user.token, session.event_id),
        clients.scheduling.roster(user.token, session_id),
    )
    entries = sorted(
        (r for r in roster if r.active),
        key=lambda r: (STATUS_ORDER[r.status], r.waitlist_position or 0,
                       (r.person_name or "").lower()),
    )
    return {
        "event": event, "session": session, "session_id": session.id, "entries": entries,
        "can_manage_roster": can_manage_roster(user, event),
        "attended": sum(1 for r in entries if r.attended), "sheet_errors": {},
        "sheet_header": ",".join(SIGN_IN_SHEET_HEADER),
    }


@router.get("/sessions/{session_id}/check-in")
async def get_check_in(request: Request, session_id: str, clients: ClientsDep,
                       user: UserDep) -> Response:
    context = await check_in_context(clients, user, session_id)
    return render(request, "sessions/check_in.html", context)


@router.post("/sessions/{session_id}/check-in/{person_id}")
async def create_attendance(request: Request, session_id: str, person_id: str,
                            clients: ClientsDep, user: UserDep) -> Response:
    await clients.scheduling.check_in(user.token, session_id, person_id)
    if not get_htmx(request).targets(f"roster_{person_id}"):
        flash(request, "Checked in.")
        return see_other(request, f"/sessions/{session_id}/check-in#roster_{person_id}")
    roster = await clients.scheduling.roster(user.token, session_id)
    entry = next((r for r in roster if r.person_id == person_id), None)
    if entry is None:
        raise ApiError(404, "not_found", "That person is not on this session's roster.")
    return render_partial(request, "sessions/_roster_row.html",
                          {"session_id": session_id, "entry": entry})
