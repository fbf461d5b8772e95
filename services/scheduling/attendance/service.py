"""Rules for attendance: facilitators and the network's staff record it, once per person."""

from sqlmodel.ext.asyncio.session import AsyncSession

from services.scheduling import access
from services.scheduling.attendance import repository
from services.scheduling.attendance.models import Attendance
from services.scheduling.db import OutboxEvent
from services.scheduling.sessions import service as sessions
from services.scheduling.sessions.models import Session
from shared.auth import Principal
from shared.db import insert_unless_duplicate
from shared.errors import Conflict, Forbidden
from shared.outbox import publish
from shared.pagination import PageParams


async def run_session(db: AsyncSession, *, principal: Principal, session_id: str) -> Session:
    """The session, when the caller facilitates it or is staff of its network."""
    session, _event = await sessions.visible_session(db, principal=principal, session_id=session_id)
    if not access.runs_session(principal, network_id=session.network_id,
                               facilitator_ids=session.facilitator_ids):
        raise Forbidden("Only the session's facilitators and the network's staff do this."
                        ).denying("session", session.id, session.network_id)
    return session


async def record(db: AsyncSession, *, principal: Principal, session_id: str, person_id: str,
                 source: str) -> tuple[Attendance, bool]:
    """The attendance and whether it is new; checking someone in twice records them once."""
    session = await run_session(db, principal=principal, session_id=session_id)
    existing = await repository.find(db, session_id=session.id, person_id=person_id)
    if existing is not None:
        return existing, False
    attendance = Attendance(session_id=session.id, event_id=session.event_id, person_id=person_id,
                            source=source, recorded_by=principal.subject)
    if not await insert_unless_duplicate(db, attendance):  # a concurrent check-in won
        # A concurrent check-in of the same person committed first: answer with its record.
        existing = await repository.find(db, session_id=session.id, person_id=person_id)
        if existing is None:
            raise Conflict("This person is being checked in by another request; try again.")
        return existing, False
    await publish(db, OutboxEvent, topic="attendance.recorded", key=attendance.id, payload={
        "id": attendance.id, "session_id": attendance.session_id, "event_id": attendance.event_id,
        "person_id": attendance.person_id, "source": attendance.source,
        "recorded_at": attendance.recorded_at.isoformat(),
    })
    return attendance, True


async def list_attendance(db: AsyncSession, *, principal: Principal, session_id: str,
                          params: PageParams) -> tuple[list[Attendance], str | None]:
    session = await run_session(db, principal=principal, session_id=session_id)
    return await repository.page_of_session(db, params, session_id=session.id)
