"""Applying feed events to the read model: upserts keyed by id, so an event applied twice (a
page served again, an event repeated) changes nothing."""

import logging

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


async def _apply(topics: dict[str, Target], db: AsyncSession, event: FeedEvent) -> None:
    target = topics.get(event.topic)
    if target is None:
        return
    payload_model, table = target
    try:
        payload = payload_model.model_validate(event.payload)
    except ValidationError:
        # One malformed event must not stop the feed for good: it is logged and passed over.
        log.error("feed event %s (%s) has an unreadable payload; skipped", event.id, event.topic,
                  exc_info=True)
        return
    await repository.upsert(db, table, payload.model_dump(), version=int(event.id))


async def apply_identity_event(db: AsyncSession, event: FeedEvent) -> None:
    deleted = IDENTITY_DELETIONS.get(event.topic)
    if deleted is not None:
        # Feeds are read in order, so no earlier event can bring the row back afterwards.
        await repository.delete(db, deleted, str(event.key))
        return
    await _apply(IDENTITY_TOPICS, db, event)


async def apply_scheduling_event(db: AsyncSession, event: FeedEvent) -> None:
    await _apply(SCHEDULING_TOPICS, db, event)
