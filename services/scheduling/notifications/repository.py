"""Every SQL statement of notifications."""

from datetime import datetime

from sqlalchemy import and_, exists, func, or_, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.scheduling.events.models import Event
from services.scheduling.notifications.models import Notification
from services.scheduling.registrations.models import Registration
from services.scheduling.sessions.models import Session
from shared.db import insert_unless_duplicate
from shared.pagination import PageParams, fetch_page


async def insert(db: AsyncSession, message: Notification) -> bool:
    """False when a message with the same dedupe key is already queued (or sent)."""
    return await insert_unless_duplicate(db, message)


async def claim_due(db: AsyncSession, *, now: datetime, claim_until: datetime,
                    limit: int) -> list[Notification]:
    """Take up to `limit` due messages for this sender: queued ones whose time has come, and
    claims that ran out (their sender died mid-send). On PostgreSQL, FOR UPDATE SKIP LOCKED lets
    several replicas claim at once without waiting for or sharing rows; SQLite ignores it, and
    its BEGIN IMMEDIATE lets one writer claim at a time."""
    due = or_(
        and_(col(Notification.status) == "queued", col(Notification.next_attempt_at) <= now),
        and_(col(Notification.status) == "sending", col(Notification.claimed_until) < now),
    )
    statement = (select(Notification).where(due).order_by(col(Notification.next_attempt_at))
                 .limit(limit).with_for_update(skip_locked=True))
    claimed = list((await db.exec(statement)).all())
    for message in claimed:
        message.status, message.claimed_until = "sending", claim_until
        message.attempts += 1
        db.add(message)
    await db.flush()
    return claimed


async def settle(db: AsyncSession, message_id: str, *, attempt: int, **values) -> bool:
    """Record how an attempt ended; False when the claim was lost meanwhile (it ran out and
    another sender took the message), so a late sender never overwrites a newer attempt."""
    result = await db.exec(
        update(Notification)
        .where(col(Notification.id) == message_id, col(Notification.status) == "sending",
               col(Notification.attempts) == attempt)
        .values(claimed_until=None, **values)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


async def page_of_person(db: AsyncSession, params: PageParams, *, person_id: str,
                         email: str | None) -> tuple[list[Notification], str | None]:
    """The person's messages: about their registrations, and, when `email` is given (only ever
    a verified address of this person), sent to their address (a poll invitation names an
    email, not a person)."""
    mine = Notification.person_id == person_id
    if email:
        mine = or_(mine, func.lower(Notification.email) == email.strip().lower())
    statement = select(Notification).where(mine)
    return await fetch_page(db, statement, Notification.id, params, newest_first=True)


async def page_all(db: AsyncSession, params: PageParams, *,
                   status: str | None) -> tuple[list[Notification], str | None]:
    statement = select(Notification)
    if status is not None:
        statement = statement.where(Notification.status == status)
    return await fetch_page(db, statement, Notification.id, params, newest_first=True)


async def get(db: AsyncSession, message_id: str) -> Notification | None:
    return await db.get(Notification, message_id)


async def live_registrations_of_event(db: AsyncSession,
                                      event_id: str) -> list[tuple[Registration, Session]]:
    statement = (
        select(Registration, Session).join(Session, col(Session.id) == Registration.session_id)
        .where(Registration.event_id == event_id, Registration.status != "cancelled")
        .order_by(col(Registration.id))
    )
    return list((await db.exec(statement)).all())


async def unreminded_registrations(db: AsyncSession, *, starting_after: datetime,
                                   starting_by: datetime,
                                   limit: int) -> list[tuple[Registration, Session, Event]]:
    """Confirmed seats in sessions of published events starting in the window, whose person has
    not been sent (or queued) a reminder for that registration yet."""
    reminded = exists().where(Notification.registration_id == Registration.id,
                              Notification.kind == "reminder")
    statement = (
        select(Registration, Session, Event)
        .join(Session, col(Session.id) == Registration.session_id)
        .join(Event, col(Event.id) == Session.event_id)
        .where(Registration.status == "confirmed", Event.status == "published",
               col(Session.starts_at) > starting_after, col(Session.starts_at) <= starting_by,
               ~reminded)
        .order_by(col(Session.starts_at), col(Registration.id))
        .limit(limit)
    )
    return list((await db.exec(statement)).all())
