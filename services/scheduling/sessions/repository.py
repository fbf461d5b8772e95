"""Every SQL statement of sessions, including the guarded seat and waitlist counters."""

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import case, update
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


def _open(session_id: str) -> tuple:
    # Every seat statement also requires the session not to be cancelled: a sign-up that waited
    # on the row while a cancellation committed re-checks this and takes nothing.
    return col(Session.id) == session_id, col(Session.status) == "scheduled"


async def take_seat(db: AsyncSession, session_id: str) -> bool:
    """One guarded statement: a seat is taken only while one is left, whatever runs alongside."""
    result = await db.exec(
        update(Session)
        .where(*_open(session_id), col(Session.confirmed_count) < col(Session.capacity))
        .values(confirmed_count=col(Session.confirmed_count) + 1)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


async def join_waitlist(db: AsyncSession, session_id: str) -> int | None:
    """The next waitlist position, only while the session is still full (else None: a seat
    freed since take_seat looked, so the caller should try for the seat again)."""
    result = await db.exec(
        update(Session)
        .where(*_open(session_id), col(Session.confirmed_count) >= col(Session.capacity))
        .values(waitlist_count=col(Session.waitlist_count) + 1)
        .returning(col(Session.waitlist_count))
        .execution_options(synchronize_session=False)
    )
    return result.scalar_one_or_none()


async def force_seat(db: AsyncSession, session_id: str) -> int | None:
    """A seat whatever the capacity (a leader's forced add); None when the session is cancelled.

    When the session is full, the same statement raises the capacity by one: the leader has
    added a chair, so confirmed_count <= capacity (and its CHECK) stays true and the seat count
    stays the one number every other rule reads. A separate "forced" counter would instead
    have to be added into every seat check, the CHECK and the pages. The extra chair stays
    when its person leaves; it then goes to the waitlist like any freed seat. Returns the
    capacity after the statement (SET reads the row's old values on both backends)."""
    result = await db.exec(
        update(Session)
        .where(*_open(session_id))
        .values(
            capacity=case((col(Session.confirmed_count) >= col(Session.capacity),
                           col(Session.confirmed_count) + 1), else_=col(Session.capacity)),
            confirmed_count=col(Session.confirmed_count) + 1,
        )
        .returning(col(Session.capacity))
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
