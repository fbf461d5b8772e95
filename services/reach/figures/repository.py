"""Every SQL statement that reads reach's read model for the figures."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func
from sqlmodel import col, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.reach.readmodel.models import (
    Attendance,
    Event,
    EventSession,
    Membership,
    Organization,
    Person,
)

# Cancelled sessions never happened, as far as reach is concerned.
_held = col(EventSession.status) != "cancelled"
_CHUNK = 500  # ids per IN list: well inside SQLite's and PostgreSQL's parameter limits


@dataclass(frozen=True)
class SessionFact:
    id: str
    event_id: str
    network_id: str | None
    kind: str
    timezone: str | None
    starts_at: datetime
    ends_at: datetime | None
    facilitator_ids: frozenset[str]


async def leader_ids(db: AsyncSession, *, network_id: str, start: date, end: date) -> set[str]:
    rows = await db.exec(
        select(Membership.person_id).distinct().where(
            Membership.organization_id == network_id,
            Membership.role == "leader",
            or_(col(Membership.starts_on).is_(None), col(Membership.starts_on) <= end),
            or_(col(Membership.ends_on).is_(None), col(Membership.ends_on) >= start),
        )
    )
    return set(rows.all())


async def sessions_starting_between(db: AsyncSession, lo: datetime, hi: datetime
                                    ) -> list[SessionFact]:
    rows = await db.exec(
        select(EventSession, Event.network_id, Event.kind, Event.timezone)
        .join(Event, col(Event.id) == col(EventSession.event_id))
        .where(col(EventSession.starts_at) >= lo, col(EventSession.starts_at) < hi, _held)
    )
    return [
        SessionFact(
            id=session.id, event_id=session.event_id, network_id=network_id, kind=kind,
            timezone=timezone, starts_at=session.starts_at, ends_at=session.ends_at,
            facilitator_ids=frozenset(session.facilitator_ids or ()),
        )
        for session, network_id, kind, timezone in rows.all()
    ]


async def attendees_of_sessions_starting_between(db: AsyncSession, lo: datetime, hi: datetime
                                                 ) -> dict[str, set[str]]:
    rows = await db.exec(
        select(Attendance.session_id, Attendance.person_id).distinct()
        .join(EventSession, col(EventSession.id) == col(Attendance.session_id))
        .where(col(EventSession.starts_at) >= lo, col(EventSession.starts_at) < hi, _held)
    )
    attendees: dict[str, set[str]] = {}
    for session_id, person_id in rows.all():
        attendees.setdefault(session_id, set()).add(person_id)
    return attendees


async def session_counts(db: AsyncSession, event_ids: Iterable[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for chunk in _chunks(event_ids):
        rows = await db.exec(
            select(EventSession.event_id, func.count())
            .where(col(EventSession.event_id).in_(chunk), _held)
            .group_by(EventSession.event_id)
        )
        counts.update(dict(rows.all()))
    return counts


async def people(db: AsyncSession, ids: Iterable[str]) -> dict[str, Person]:
    return await _by_id(db, Person, ids)


async def organizations(db: AsyncSession, ids: Iterable[str]) -> dict[str, Organization]:
    return await _by_id(db, Organization, ids)


async def _by_id(db: AsyncSession, model, ids: Iterable[str]) -> dict:
    found = {}
    for chunk in _chunks(ids):
        rows = await db.exec(select(model).where(col(model.id).in_(chunk)))
        found.update({row.id: row for row in rows.all()})
    return found


async def organization(db: AsyncSession, organization_id: str) -> Organization | None:
    return await db.get(Organization, organization_id)


def _chunks(ids: Iterable[str]) -> Iterable[list[str]]:
    unique = sorted({i for i in ids if i})
    for n in range(0, len(unique), _CHUNK):
        yield unique[n:n + _CHUNK]
