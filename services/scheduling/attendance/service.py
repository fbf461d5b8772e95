"""Rules for attendance: facilitators and the network's staff record it, once per person, from a
few hours before the session starts (the lead time); never for a cancelled session or event."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

from services.scheduling import access
from services.scheduling.attendance import repository
from services.scheduling.attendance.models import Attendance
from services.scheduling.db import OutboxEvent
from services.scheduling.errors import EventCancelled, SessionCancelled, SessionNotStarted
from services.scheduling.events.models import Event
from services.scheduling.sessions import service as sessions
from services.scheduling.sessions.models import Session
from shared.auth import Principal
from shared.db import insert_rows_unless_duplicate, insert_unless_duplicate, utcnow
from shared.errors import Conflict, Forbidden
from shared.ids import new_id
from shared.outbox import publish_all
from shared.pagination import PageParams


async def _run_session(db: AsyncSession, *, principal: Principal, session_id: str
                       ) -> tuple[Session, Event]:
    session, event = await sessions.visible_session(db, principal=principal, session_id=session_id)
    if not access.runs_session(principal, network_id=session.network_id,
                               facilitator_ids=session.facilitator_ids):
        raise Forbidden("Only the session's facilitators and the network's staff do this."
                        ).denying("session", session.id, session.network_id)
    return session, event


async def run_session(db: AsyncSession, *, principal: Principal, session_id: str) -> Session:
    """The session, when the caller facilitates it or is staff of its network."""
    session, _event = await _run_session(db, principal=principal, session_id=session_id)
    return session


def _hours(lead: timedelta) -> str:
    hours = lead.total_seconds() / 3600
    return f"{hours:g} hour{'' if hours == 1 else 's'}"


def require_open(session: Session, event: Event, *, lead: timedelta) -> None:
    """Attendance may be recorded for this session now, or the error saying why not: its event
    or the session itself was cancelled, or it starts more than `lead` from now (reach counts
    attendance of sessions that began, so a check-in weeks early would count people early)."""
    if event.status == "cancelled":
        raise EventCancelled(f"The event {event.title!r} was cancelled; no attendance is "
                             "recorded for it.")
    if session.status == "cancelled":
        raise SessionCancelled(f"{session.title!r} was cancelled; no attendance is recorded "
                               "for it.")
    opens = session.starts_at - lead
    if utcnow() < opens:
        local = opens.astimezone(ZoneInfo(event.timezone))
        raise SessionNotStarted(
            f"{session.title!r} has not started: check-in opens {_hours(lead)} before it starts, "
            f"at {local:%Y-%m-%d %H:%M} {event.timezone} ({opens:%Y-%m-%dT%H:%MZ}).")


async def open_session(db: AsyncSession, *, principal: Principal, session_id: str,
                       lead: timedelta) -> Session:
    """The session, when the caller runs it and attendance may be recorded for it now."""
    session, event = await _run_session(db, principal=principal, session_id=session_id)
    require_open(session, event, lead=lead)
    return session


def _row(session: Session, *, person_id: str, source: str, principal: Principal,
         at: datetime) -> dict:
    """The columns of a new attendance."""
    return {"id": new_id(), "session_id": session.id, "event_id": session.event_id,
            "person_id": person_id, "source": source, "recorded_by": principal.subject,
            "recorded_at": at}


def _event(row: dict) -> tuple[str, str, dict]:
    """The attendance.recorded event of a new attendance (its columns)."""
    return "attendance.recorded", row["id"], {
        "id": row["id"], "session_id": row["session_id"], "event_id": row["event_id"],
        "person_id": row["person_id"], "source": row["source"],
        "recorded_at": row["recorded_at"].isoformat(),
    }


async def record(db: AsyncSession, *, principal: Principal, session_id: str, person_id: str,
                 source: str, lead: timedelta) -> tuple[Attendance, bool]:
    """The attendance and whether it is new; checking someone in twice records them once."""
    session = await open_session(db, principal=principal, session_id=session_id, lead=lead)
    existing = await repository.find(db, session_id=session.id, person_id=person_id)
    if existing is not None:
        return existing, False
    attendance = Attendance(**_row(session, person_id=person_id, source=source,
                                   principal=principal, at=utcnow()))
    if not await insert_unless_duplicate(db, attendance):  # a concurrent check-in won
        # A concurrent check-in of the same person committed first: answer with its record.
        existing = await repository.find(db, session_id=session.id, person_id=person_id)
        if existing is None:
            raise Conflict("This person is being checked in by another request; try again.")
        return existing, False
    await publish_all(db, OutboxEvent, [_event(attendance.model_dump())])
    return attendance, True


async def record_many(db: AsyncSession, *, principal: Principal, session_id: str,
                      person_ids: list[str], source: str, lead: timedelta) -> dict[str, bool]:
    """record for many people of one session at once: for each person (once each, in order),
    whether their attendance is new. A few statements for all of them; each new one is
    announced as record announces it."""
    session = await open_session(db, principal=principal, session_id=session_id, lead=lead)
    wanted = list(dict.fromkeys(person_ids))
    already = await repository.attended_among(db, session_id=session.id, person_ids=wanted)
    now = utcnow()
    new = [_row(session, person_id=person_id, source=source, principal=principal, at=now)
           for person_id in wanted if person_id not in already]
    if not await insert_rows_unless_duplicate(db, Attendance, new):
        # A concurrent check-in recorded one of them meanwhile: one at a time, then.
        new = [row for row in new if await insert_unless_duplicate(db, Attendance(**row))]
    await publish_all(db, OutboxEvent, [_event(row) for row in new])
    recorded = {row["person_id"] for row in new}
    return {person_id: person_id in recorded for person_id in wanted}


async def list_attendance(db: AsyncSession, *, principal: Principal, session_id: str,
                          params: PageParams) -> tuple[list[Attendance], str | None]:
    session = await run_session(db, principal=principal, session_id=session_id)
    return await repository.page_of_session(db, params, session_id=session.id)
