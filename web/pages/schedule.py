"""My schedule: the sessions I hold a seat in or wait for."""

from datetime import UTC, datetime

from fastapi import APIRouter, Request
from fastapi.responses import Response

from web.auth import User, UserDep
from web.clients import ApiError, Clients
from web.deps import ClientsDep
from web.rendering import render
from web.security import expected_origin

router = APIRouter()


@router.get("/schedule")
async def list_my_registrations(request: Request, clients: ClientsDep, user: UserDep) -> Response:
    registrations = [r for r in await clients.scheduling.my_registrations(user.token) if r.active]
    calendar_url = await my_calendar_url(request, clients, user)
    now = datetime.now(UTC)
    far = datetime.max.replace(tzinfo=UTC)
    registrations.sort(key=lambda r: r.starts_at or far)
    return render(request, "schedule/index.html", {
        "upcoming": [r for r in registrations if not r.ends_at or r.ends_at >= now],
        "past": [r for r in registrations if r.ends_at and r.ends_at < now],
        "calendar_url": calendar_url,
    })


async def my_calendar_url(request: Request, clients: Clients, user: User) -> str | None:
    """The absolute address of the person's calendar feed, as the browser reaches us (through
    the gateway); None when there is no feed to offer (no person profile, feeds turned off)."""
    try:
        link = await clients.scheduling.my_calendar(user.token)
    except ApiError as exc:
        if exc.status == 401:
            raise
        return None
    return expected_origin(request) + link.url
