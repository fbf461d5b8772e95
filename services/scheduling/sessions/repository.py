"""Every SQL statement of sessions, including the guarded seat and waitlist counters."""

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.scheduling.db import rows_by_id
from services.scheduling.sessions.models import Session


async def add(db: AsyncSession, session: Session) -> None:
    db.add(session)
    await db.flush()


async def get(db: AsyncSession, session_id: str) -> Session | None:
    statement = select(Session).where(Session.id == session_id).execution_options(
        populate_existing=True  # counters move under raw UPDATEs; always read the row afresh
    )
    return (await db.exec(statement)).first()


async def lock(db: AsyncSession, session_id: str) -> Session | None:
    """The session row, locked until commit: every change to its registrations takes this lock
    first, so they run one at a time per session and always in the same lock order."""
    statement = (
        select(Session).where(Session.id == session_id)
        .with_for_update().execution_options(populate_existing=True)
    )
    return (await db.exec(statement)).first()


async def of_events(db: AsyncSession, event_ids: Iterable[str]) -> dict[str, list[Session]]:
    ids = list(event_ids)
    grouped: dict[str, list[Session]] = defaultdict(list)
    if not ids:
        return grouped
    statement = (
        select(Session).where(col(Session.event_id).in_(ids))
        .order_by(col(Session.starts_at), col(Session.id))
        .execution_options(populate_existing=True)
    )
    for session in (await db.exec(statement)).all():
        grouped[session.event_id].append(session)
    return grouped


async def get_many(db: AsyncSession, session_ids: Iterable[str]) -> dict[str, Session]:
    return await rows_by_id(db, Session, session_ids)


async def take_seat(db: AsyncSession, session_id: str) -> bool:
    """One guarded statement: a seat is taken only while one is left, whatever runs alongside."""
    result = await db.exec(
        update(Session)
        .where(col(Session.id) == session_id, col(Session.confirmed_count) < col(Session.capacity))
        .values(confirmed_count=col(Session.confirmed_count) + 1)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


async def join_waitlist(db: AsyncSession, session_id: str) -> int | None:
    """The next waitlist position, only while the session is still full (else None: a seat
    freed since take_seat looked, so the caller should try for the seat again)."""
    result = await db.exec(
        update(Session)
        .where(col(Session.id) == session_id, col(Session.confirmed_count) >= col(Session.capacity))
        .values(waitlist_count=col(Session.waitlist_count) + 1)
        .returning(col(Session.waitlist_count))
        .execution_options(synchronize_session=False)
    )
    return result.scalar_one_or_none()


async def move_counters(db: AsyncSession, session_id: str, *, confirmed: int = 0,
                        waitlisted: int = 0) -> None:
    await db.exec(
        update(Session).where(col(Session.id) == session_id)
        .values(confirmed_count=col(Session.confirmed_count) + confirmed,
                waitlist_count=col(Session.waitlist_count) + waitlisted)
        .execution_options(synchronize_session=False)
    )
