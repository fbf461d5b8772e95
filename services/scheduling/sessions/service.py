"""Rules for sessions: created by the event's staff, seen by whoever may see the event."""

from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from services.scheduling import access
from services.scheduling.db import OutboxEvent
from services.scheduling.errors import InvalidSchedule, SessionNotFound
from services.scheduling.events import repository as events
from services.scheduling.events import service as event_rules
from services.scheduling.events.models import Event
from services.scheduling.sessions import repository
from services.scheduling.sessions.models import Session
from services.scheduling.sessions.schemas import SessionCreate
from shared.auth import Principal
from shared.outbox import publish


def payload(session: Session) -> dict[str, Any]:
    return {
        "id": session.id, "event_id": session.event_id, "slot_id": session.slot_id,
        "title": session.title, "starts_at": session.starts_at.isoformat(),
        "ends_at": session.ends_at.isoformat(), "capacity": session.capacity,
        "facilitator_ids": list(session.facilitator_ids),
    }


async def create_session(db: AsyncSession, *, principal: Principal, event_id: str,
                         data: SessionCreate) -> Session:
    event = await event_rules.managed_event(db, principal=principal, event_id=event_id)
    starts_at, ends_at = data.starts_at, data.ends_at
    if data.slot_id is not None:
        slot = await event_rules.slot_of_event(db, event_id=event.id, slot_id=data.slot_id)
        starts_at, ends_at = starts_at or slot.starts_at, ends_at or slot.ends_at
    if starts_at is None or ends_at is None:  # the schema already demands times outside a slot
        raise InvalidSchedule("starts_at and ends_at are required outside a slot.")
    session = Session(
        event_id=event.id, network_id=event.network_id, slot_id=data.slot_id, title=data.title,
        description=data.description, room=data.room, starts_at=starts_at, ends_at=ends_at,
        capacity=data.capacity, facilitator_ids=data.facilitator_ids,
    )
    await repository.add(db, session)
    await publish(db, OutboxEvent, topic="session.created", key=session.id, payload=payload(session))
    return session


async def visible_session(db: AsyncSession, *, principal: Principal | None,
                          session_id: str) -> tuple[Session, Event]:
    """The session and its event, or 404 when the caller may not see the event."""
    session = await repository.get(db, session_id)
    event = await events.get_event(db, session.event_id) if session else None
    if session is None or event is None or not access.can_see(
        principal, network_id=event.network_id, status=event.status
    ):
        raise SessionNotFound()
    return session, event
