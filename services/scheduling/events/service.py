"""Rules for events and slots: who may create, see and change them, and what is published."""

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from services.scheduling import access
from services.scheduling.access import Target
from services.scheduling.db import OutboxEvent
from services.scheduling.errors import EventNotFound, ProgramNotInNetwork, SlotNotFound
from services.scheduling.events import repository
from services.scheduling.events.models import Event, Slot
from services.scheduling.events.schemas import (
    EventCreate,
    EventPublic,
    EventUpdate,
    SlotCreate,
    grade_label,
    grade_ordinal,
    parse_grade_span,
)
from services.scheduling.notifications import service as notices
from services.scheduling.programs import repository as programs
from services.scheduling.sessions import repository as sessions
from services.scheduling.sessions.models import Session
from services.scheduling.sessions.schemas import SessionPublic
from shared.auth import Principal
from shared.db import utcnow
from shared.errors import Forbidden, InvalidInput
from shared.outbox import publish
from shared.pagination import PageParams


def to_public(event: Event, event_sessions: list[Session]) -> EventPublic:
    return EventPublic(
        id=event.id, network_id=event.network_id, kind=event.kind, title=event.title,
        description=event.description,
        subjects=[s for s in event.subjects.split(",") if s],
        grade_min=grade_label(event.grade_min), grade_max=grade_label(event.grade_max),
        audience=event.audience, format=event.format, venue=event.venue, county=event.county,
        timezone=event.timezone,
        credit_hours=event.credit_hours, status=event.status, program_id=event.program_id,
        created_at=event.created_at, updated_at=event.updated_at,
        sessions=[SessionPublic.model_validate(s) for s in event_sessions],
    )


def _payload(event: Event) -> dict[str, Any]:
    return {
        "id": event.id, "network_id": event.network_id, "kind": event.kind, "title": event.title,
        "subjects": [s for s in event.subjects.split(",") if s],
        "grade_min": grade_label(event.grade_min), "grade_max": grade_label(event.grade_max),
        "timezone": event.timezone, "credit_hours": event.credit_hours, "status": event.status,
        "format": event.format, "county": event.county, "program_id": event.program_id,
    }


def require_staff(principal: Principal, network_id: str, *, target: Target | None = None
                  ) -> None:
    """Refuses all but the network's staff; the refusal is audited on `target` (the network
    itself when none is named)."""
    if not access.is_staff(principal, network_id):
        raise Forbidden("Only the network's admins, leaders and coordinators manage its "
                        "events.").denying(*(target or ("network", network_id)), network_id)


async def _check_program(db: AsyncSession, *, network_id: str, program_id: str | None) -> None:
    """An event may only belong to a program of its own network."""
    if program_id is None:
        return
    program = await programs.get_program(db, program_id)
    if program is None or program.network_id != network_id:
        raise ProgramNotInNetwork("program_id must name one of the event's network's programs.")


async def create_event(db: AsyncSession, *, principal: Principal, data: EventCreate) -> EventPublic:
    require_staff(principal, data.network_id)
    await _check_program(db, network_id=data.network_id, program_id=data.program_id)
    fields = data.model_dump()
    event = Event(
        **{**fields, "subjects": ",".join(data.subjects),
           "grade_min": grade_ordinal(data.grade_min), "grade_max": grade_ordinal(data.grade_max)}
    )
    await repository.add(db, event)
    await publish(db, OutboxEvent, topic="event.created", key=event.id, payload=_payload(event))
    return to_public(event, [])


async def visible_event(db: AsyncSession, *, principal: Principal | None, event_id: str,
                        target: Target | None = None) -> Event:
    """The event, or 404 when it does not exist or the caller may not see it (a draft's existence
    is not disclosed to outsiders; the refusal is audited on `target`, the event by default)."""
    event = await repository.get_event(db, event_id)
    if event is None:
        raise EventNotFound()
    if not access.can_see(principal, network_id=event.network_id, status=event.status):
        raise EventNotFound().denying(*(target or ("event", event.id)), event.network_id)
    return event


async def managed_event(db: AsyncSession, *, principal: Principal, event_id: str,
                        target: Target | None = None) -> Event:
    """The event, when the caller is staff of its network; `target` is what a refusal is
    audited on (the event by default: a session of it, say)."""
    target = target or ("event", event_id)
    event = await visible_event(db, principal=principal, event_id=event_id, target=target)
    require_staff(principal, event.network_id, target=target)
    return event


async def get_event(db: AsyncSession, *, principal: Principal | None, event_id: str) -> EventPublic:
    event = await visible_event(db, principal=principal, event_id=event_id)
    return to_public(event, (await sessions.of_events(db, [event.id]))[event.id])


async def event_with_sessions(db: AsyncSession, *, principal: Principal | None,
                              event_id: str) -> tuple[Event, list[Session]]:
    event = await visible_event(db, principal=principal, event_id=event_id)
    return event, (await sessions.of_events(db, [event.id]))[event.id]


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


async def list_events(
    db: AsyncSession, *, principal: Principal | None, params: PageParams,
    network_id: str | None, subject: str | None, grades: str | None, county: str | None,
    event_format: str | None, status: str | None, date_from: date | None, date_to: date | None,
    text: str | None, program_id: str | None = None,
) -> tuple[list[EventPublic], str | None]:
    """`grades` is a span "low-high" (schemas.GradeSpan): events whose range overlaps it."""
    if date_from and date_to and date_to < date_from:
        raise InvalidInput("to must not be before from.")
    span = None
    if grades is not None:
        low, high = parse_grade_span(grades)
        span = grade_ordinal(low), grade_ordinal(high)
    events, next_cursor = await repository.page_events(
        db, params, visible_networks=_visible_networks(principal), network_id=network_id,
        subject=subject, grades=span, county=county, event_format=event_format, status=status,
        program_id=program_id,
        starts_from=_day_start(date_from) if date_from else None,
        # "to" is a whole day, in UTC: sessions starting any time that day count.
        starts_before=_day_start(date_to + timedelta(days=1)) if date_to else None,
        text=text,
    )
    grouped = await sessions.of_events(db, [e.id for e in events])
    return [to_public(e, grouped[e.id]) for e in events], next_cursor


def _visible_networks(principal: Principal | None) -> set[str] | None:
    return None if principal and principal.is_platform_admin else access.staff_networks(principal)


async def list_counties(db: AsyncSession, *, principal: Principal | None, params: PageParams,
                        status: str | None) -> tuple[list[Any], str | None]:
    return await repository.page_counties(db, params, status=status,
                                          visible_networks=_visible_networks(principal))


async def update_event(db: AsyncSession, *, principal: Principal, event_id: str,
                       data: EventUpdate) -> EventPublic:
    event = await managed_event(db, principal=principal, event_id=event_id)
    changes = data.model_dump(exclude_unset=True)
    for name in ("kind", "title", "format", "timezone", "credit_hours", "status", "description"):
        if name in changes and changes[name] is None:
            raise InvalidInput(f"{name} cannot be null.")
    if "program_id" in changes:
        await _check_program(db, network_id=event.network_id, program_id=changes["program_id"])
    if "subjects" in changes:
        changes["subjects"] = ",".join(dict.fromkeys(changes["subjects"] or []))
    for name in ("grade_min", "grade_max"):
        if name in changes:
            if changes[name] is None:
                raise InvalidInput(f"{name} cannot be null.")
            changes[name] = grade_ordinal(changes[name])
    if changes.get("grade_min", event.grade_min) > changes.get("grade_max", event.grade_max):
        raise InvalidInput("grade_min must not be above grade_max.")
    cancelling = event.status != "cancelled" and changes.get("status") == "cancelled"
    for name, value in changes.items():
        setattr(event, name, value)
    event.updated_at = utcnow()
    await repository.add(db, event)
    await publish(db, OutboxEvent, topic="event.updated", key=event.id, payload=_payload(event))
    if cancelling:  # everyone holding a seat or a waitlist place is told, in this transaction
        await notices.event_cancelled(db, event=event)
    return to_public(event, (await sessions.of_events(db, [event.id]))[event.id])


async def create_slot(db: AsyncSession, *, principal: Principal, event_id: str,
                      data: SlotCreate) -> Slot:
    event = await managed_event(db, principal=principal, event_id=event_id)
    slot = Slot(event_id=event.id, **data.model_dump())
    await repository.add(db, slot)
    return slot


async def list_slots(db: AsyncSession, *, principal: Principal | None, event_id: str) -> list[Slot]:
    event = await visible_event(db, principal=principal, event_id=event_id)
    return await repository.list_slots(db, event.id)


async def slot_of_event(db: AsyncSession, *, event_id: str, slot_id: str) -> Slot:
    slot = await repository.get_slot(db, slot_id)
    if slot is None or slot.event_id != event_id:
        raise SlotNotFound("No such slot in this event.")
    return slot
