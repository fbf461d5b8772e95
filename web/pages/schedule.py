"""My schedule: the sessions I hold a seat in or wait for."""

from datetime import datetime, timezone

from fastapi import APIRouter, Request
from fastapi.responses import Response

from web.auth import UserDep
from web.deps import ClientsDep
from web.rendering import render

router = APIRouter()


@router.get("/schedule")
async def list_my_registrations(request: Request, clients: ClientsDep, user: UserDep) -> Response:
    registrations = [r for r in await clients.scheduling.my_registrations(user.token) if r.active]
    now = datetime.now(timezone.utc)
    far = datetime.max.replace(tzinfo=timezone.utc)
    registrations.sort(key=lambda r: r.starts_at or far)
    return render(request, "schedule/index.html", {
        "upcoming": [r for r in registrations if not r.ends_at or r.ends_at >= now],
        "past": [r for r in registrations if r.ends_at and r.ends_at < now],
    })
