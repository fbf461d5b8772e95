from fastapi import APIRouter

from services.scheduling.attendance.router import router as attendance
from services.scheduling.calendars.router import router as calendars
from services.scheduling.credit.router import router as credit
from services.scheduling.db import OutboxEvent
from services.scheduling.event_imports.router import router as event_imports
from services.scheduling.events.router import router as events
from services.scheduling.notifications.router import router as notifications
from services.scheduling.polls.router import router as polls
from services.scheduling.programs.router import router as programs
from services.scheduling.registrations.router import router as registrations
from services.scheduling.rosters.router import router as rosters
from services.scheduling.sessions.router import router as sessions
from services.scheduling.signin_sheets.router import router as signin_sheets
from shared.outbox import feed_router


def api_router() -> APIRouter:
    router = APIRouter(prefix="/api/scheduling/v1")
    for feature in (events, sessions, registrations, rosters, attendance, calendars,
                    signin_sheets, programs, credit, polls, event_imports, notifications):
        router.include_router(feature)
    router.include_router(feed_router(OutboxEvent))
    return router
