"""Rules for sessions: created by the event's staff, seen by whoever may see the event."""

from datetime import UTC
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from services.scheduling import access
from services.scheduling.access import Target
from services.scheduling.db import OutboxEvent
from services.scheduling.errors import InvalidSchedule, SessionNotFound
from services.scheduling.events import repository as events
from services.scheduling.events import service as event_rules
from services.scheduling.events.models import Event
from services.scheduling.sessions import recurrence, repository
from services.scheduling.sessions.models import Session
from services.scheduling.sessions.schemas import (
    SessionCreate,
    SessionSeriesCreate,
    SessionUpdate,
)
from shared.auth import Principal
from shared.errors import Conflict, InvalidInput
from shared.outbox import publish


def payload(session: Session) -> dict[str, Any]:
    return {
        "id": session.id, "event_id": session.event_id, "slot_id": session.slot_id,
        "title": session.title, "starts_at": session.starts_at.isoformat(),
        "ends_at": session.ends_at.isoformat(), "capacity": session.capacity,
        "facilitator_ids": list(session.facilitator_ids), "status": session.status,
    }


class CapacityBelowConfirmed(Conflict):
    code, title = "capacity_below_confirmed", "Capacity below confirmed seats"


async def _insert(db: AsyncSession, event: Event, **fields: Any) -> Session:
    session = Session(event_id=event.id, network_id=event.network_id, **fields)
    await repository.add(db, session)
    await publish(db, OutboxEvent, topic="session.created", key=session.id,
                  payload=payload(session))
    return session


async def create_session(db: AsyncSession, *, principal: Principal, event_id: str,
                         data: SessionCreate) -> Session:
    event = await event_rules.managed_event(db, principal=principal, event_id=event_id)
    starts_at, ends_at = data.starts_at, data.ends_at
    if data.slot_id is not None:
        slot = await event_rules.slot_of_event(db, event_id=event.id, slot_id=data.slot_id)
        starts_at, ends_at = starts_at or slot.starts_at, ends_at or slot.ends_at
    if starts_at is None or ends_at is None:  # the schema already demands times outside a slot
        raise InvalidSchedule("starts_at and ends_at are required outside a slot.")
    return await _insert(
        db, event, slot_id=data.slot_id, title=data.title, description=data.description,
        room=data.room, starts_at=starts_at, ends_at=ends_at, capacity=data.capacity,
        facilitator_ids=data.facilitator_ids,
    )


async def create_series(db: AsyncSession, *, principal: Principal, event_id: str,
                        data: SessionSeriesCreate) -> list[Session]:
    """One concrete session per meeting, each movable on its own afterwards. Every date is
    checked before the first insert, and the request's single transaction makes it all or
    nothing."""
    event = await event_rules.managed_event(db, principal=principal, event_id=event_id)
    meetings = recurrence.weekly(
        first_date=data.first_date, weekday=data.meeting_weekday(), every_weeks=data.every_weeks,
        count=data.count, start_time=data.start_time, end_time=data.end_time,
        timezone=event.timezone,
    )
    return [
        await _insert(
            db, event, title=title, description=data.description, room=data.room,
            starts_at=starts_at, ends_at=ends_at, capacity=data.capacity,
            facilitator_ids=list(data.facilitator_ids),
        )
        for title, (starts_at, ends_at) in zip(data.meeting_titles(), meetings, strict=True)
    ]


async def update_session(db: AsyncSession, *, principal: Principal, session_id: str,
                         data: SessionUpdate) -> Session:
    found = await repository.get(db, session_id)
    if found is None:
        raise SessionNotFound()
    await event_rules.managed_event(db, principal=principal, event_id=found.event_id,
                                    target=("session", found.id))
    changes = data.model_dump(exclude_unset=True)
    for name in ("title", "description", "starts_at", "ends_at", "capacity", "facilitator_ids"):
        if name in changes and changes[name] is None:
            raise InvalidInput(f"{name} cannot be null.")
    # Locked like a registration change, so no seat is taken between the check and the write.
    session = await repository.lock(db, session_id)
    if session is None:
        raise SessionNotFound()
    if session.slot_id is not None and {"starts_at", "ends_at"} & changes.keys():
        raise InvalidSchedule("A session in a slot keeps its slot's times.")
    if changes.get("ends_at", session.ends_at) <= changes.get("starts_at", session.starts_at):
        raise InvalidSchedule("ends_at must be after starts_at.")
    if changes.get("capacity", session.capacity) < session.confirmed_count:
        raise CapacityBelowConfirmed(
            f"{session.confirmed_count} seats are confirmed; capacity cannot go below that."
        )
    for name in {"starts_at", "ends_at"} & changes.keys():
        changes[name] = changes[name].astimezone(UTC)  # stored and published in UTC, like the rest
    if "facilitator_ids" in changes:
        changes["facilitator_ids"] = list(dict.fromkeys(changes["facilitator_ids"]))
    for name, value in changes.items():
        setattr(session, name, value)
    await repository.add(db, session)
    await publish(db, OutboxEvent, topic="session.updated", key=session.id,
                  payload=payload(session))
    return session


async def visible_session(db: AsyncSession, *, principal: Principal | None,
                          session_id: str, target: Target | None = None
                          ) -> tuple[Session, Event]:
    """The session and its event, or 404 when the caller may not see the event (audited on
    `target`, the session by default)."""
    session = await repository.get(db, session_id)
    event = await events.get_event(db, session.event_id) if session else None
    if session is None or event is None:
        raise SessionNotFound()
    if not access.can_see(principal, network_id=event.network_id, status=event.status):
        raise SessionNotFound().denying(*(target or ("session", session.id)), event.network_id)
    return session, event
