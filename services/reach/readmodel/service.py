"""Applying feed events to the read model: upserts keyed by id, so an event applied twice (a
page served again, an event repeated) changes nothing."""

import logging
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlmodel.ext.asyncio.session import AsyncSession

from services.reach.db import ServiceTable
from services.reach.readmodel import repository
from services.reach.readmodel.models import (
    Attendance,
    Event,
    EventSession,
    Membership,
    Organization,
    Person,
)
from services.reach.readmodel.schemas import (
    AttendancePayload,
    EventPayload,
    MembershipPayload,
    OrganizationPayload,
    PersonPayload,
    SessionPayload,
)
from shared.outbox import FeedEvent

log = logging.getLogger("cascade.reach.feeds")

Target = tuple[type[BaseModel], type[ServiceTable]]

IDENTITY_TOPICS: dict[str, Target] = {
    "organization.created": (OrganizationPayload, Organization),
    "organization.updated": (OrganizationPayload, Organization),
    "person.created": (PersonPayload, Person),
    "person.updated": (PersonPayload, Person),
    "membership.created": (MembershipPayload, Membership),
    "membership.updated": (MembershipPayload, Membership),
}

# Records taken back as if they never were (a membership granted by mistake).
IDENTITY_DELETIONS: dict[str, type[ServiceTable]] = {"membership.deleted": Membership}

# Registrations are not reach's business: only who actually attended counts.
SCHEDULING_TOPICS: dict[str, Target] = {
    "event.created": (EventPayload, Event),
    "event.updated": (EventPayload, Event),
    "session.created": (SessionPayload, EventSession),
    "session.updated": (SessionPayload, EventSession),
    "attendance.recorded": (AttendancePayload, Attendance),
}


def _payload(topics: dict[str, Target], event: FeedEvent
             ) -> tuple[type[ServiceTable], dict[str, Any]] | None:
    """The table an event writes and the row's values; None for a topic reach ignores."""
    target = topics.get(event.topic)
    if target is None:
        return None
    payload_model, table = target
    try:
        return table, payload_model.model_validate(event.payload).model_dump()
    except ValidationError:
        # One malformed event must not stop the feed for good: it is logged and passed over.
        log.error("feed event %s (%s) has an unreadable payload; skipped", event.id, event.topic,
                  exc_info=True)
        return None


async def _apply_page(topics: dict[str, Target], deletions: dict[str, type[ServiceTable]],
                      db: AsyncSession, events: list[FeedEvent]) -> None:
    """A page of events applied as if one at a time, in a few statements per table: each row
    takes the values of the latest event for it (by feed position, whatever the page's order),
    unless the row was written by that event or a later one already. A deletion applies the
    events before it first, so the page's order around it is kept."""
    pending: dict[type[ServiceTable], dict[str, tuple[dict[str, Any], int]]] = {}

    async def write_pending() -> None:
        for table, rows in pending.items():
            await repository.upsert_many(db, table, rows)
        pending.clear()

    for event in events:
        deleted = deletions.get(event.topic)
        if deleted is not None:
            await write_pending()
            # Feeds are read in order, so no earlier event can bring the row back afterwards.
            await repository.delete(db, deleted, str(event.key))
            continue
        found = _payload(topics, event)
        if found is None:
            continue
        table, values = found
        version = int(event.id)
        rows = pending.setdefault(table, {})
        if values["id"] not in rows or rows[values["id"]][1] < version:
            rows[values["id"]] = (values, version)
    await write_pending()


async def apply_identity_page(db: AsyncSession, events: list[FeedEvent]) -> None:
    await _apply_page(IDENTITY_TOPICS, IDENTITY_DELETIONS, db, events)


async def apply_scheduling_page(db: AsyncSession, events: list[FeedEvent]) -> None:
    await _apply_page(SCHEDULING_TOPICS, {}, db, events)

