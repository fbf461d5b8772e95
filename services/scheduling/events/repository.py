"""Every SQL statement of events and slots."""

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import exists, func, literal, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.scheduling.db import rows_by_id
from services.scheduling.events.models import Event, Slot
from services.scheduling.sessions.models import Session
from shared.pagination import PageParams, fetch_page


async def add(db: AsyncSession, row: Event | Slot) -> None:
    db.add(row)
    await db.flush()


async def get_event(db: AsyncSession, event_id: str) -> Event | None:
    return await db.get(Event, event_id)


async def get_slot(db: AsyncSession, slot_id: str) -> Slot | None:
    return await db.get(Slot, slot_id)


async def list_slots(db: AsyncSession, event_id: str) -> list[Slot]:
    statement = (select(Slot).where(Slot.event_id == event_id)
                 .order_by(col(Slot.starts_at), col(Slot.id)))
    return list((await db.exec(statement)).all())


def _visible(statement: Any, visible_networks: set[str] | None) -> Any:
    """visible_networks None means every event is visible (platform admin); otherwise published
    events plus any status in those networks."""
    if visible_networks is None:
        return statement
    return statement.where(or_(Event.status == "published",
                               col(Event.network_id).in_(visible_networks)))


async def page_events(
    db: AsyncSession,
    params: PageParams,
    *,
    visible_networks: set[str] | None,
    network_id: str | None = None,
    subject: str | None = None,
    grades: tuple[int, int] | None = None,
    county: str | None = None,
    event_format: str | None = None,
    status: str | None = None,
    program_id: str | None = None,
    starts_from: datetime | None = None,
    starts_before: datetime | None = None,
    text: str | None = None,
) -> tuple[list[Event], str | None]:
    """A page of events, as _visible lets the caller see them."""
    statement = _visible(select(Event), visible_networks)
    if network_id:
        statement = statement.where(Event.network_id == network_id)
    if status:
        statement = statement.where(Event.status == status)
    if program_id:
        statement = statement.where(Event.program_id == program_id)
    if subject:
        statement = statement.where(
            (literal(",") + col(Event.subjects) + literal(",")).contains(f",{subject},")
        )
    if grades is not None:  # the event's range overlaps the span asked for
        low, high = grades
        statement = statement.where(Event.grade_min <= high, Event.grade_max >= low)
    if county:
        statement = statement.where(Event.county == county)
    if event_format:
        statement = statement.where(Event.format == event_format)
    if text:
        statement = statement.where(col(Event.title).icontains(text, autoescape=True))
    if starts_from is not None or starts_before is not None:
        in_window = [Session.event_id == Event.id]
        if starts_from is not None:
            in_window.append(Session.starts_at >= starts_from)
        if starts_before is not None:
            in_window.append(Session.starts_at < starts_before)
        statement = statement.where(exists().where(*in_window))
    return await fetch_page(db, statement, Event.id, params)


async def page_counties(db: AsyncSession, params: PageParams, *, status: str | None,
                        visible_networks: set[str] | None) -> tuple[list[Any], str | None]:
    """The counties events are held in, each once with its number of events, by name."""
    statement: Any = (select(col(Event.county).label("name"), func.count().label("events"))
                      .where(col(Event.county).is_not(None)).group_by(col(Event.county)))
    statement = _visible(statement, visible_networks)
    if status:
        statement = statement.where(Event.status == status)
    return await fetch_page(db, statement, Event.county, params, key="name")


async def get_many(db: AsyncSession, event_ids: Iterable[str]) -> dict[str, Event]:
    return await rows_by_id(db, Event, event_ids)
