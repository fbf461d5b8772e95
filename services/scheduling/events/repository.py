"""Every SQL statement of events and slots."""

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import exists, literal, or_
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
    statement = select(Slot).where(Slot.event_id == event_id).order_by(col(Slot.starts_at), col(Slot.id))
    return list((await db.exec(statement)).all())


async def page_events(
    db: AsyncSession,
    params: PageParams,
    *,
    visible_networks: set[str] | None,
    network_id: str | None = None,
    subject: str | None = None,
    grade: int | None = None,
    status: str | None = None,
    starts_from: datetime | None = None,
    starts_before: datetime | None = None,
    text: str | None = None,
) -> tuple[list[Event], str | None]:
    """A page of events. visible_networks None means every event is visible (platform admin);
    otherwise published events plus any status in those networks."""
    statement: Any = select(Event)
    if visible_networks is not None:
        statement = statement.where(or_(
            Event.status == "published", col(Event.network_id).in_(visible_networks),
        ))
    if network_id:
        statement = statement.where(Event.network_id == network_id)
    if status:
        statement = statement.where(Event.status == status)
    if subject:
        statement = statement.where(
            (literal(",") + col(Event.subjects) + literal(",")).contains(f",{subject},")
        )
    if grade is not None:
        statement = statement.where(Event.grade_min <= grade, Event.grade_max >= grade)
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



async def get_many(db: AsyncSession, event_ids: Iterable[str]) -> dict[str, Event]:
    return await rows_by_id(db, Event, event_ids)
