"""Who belongs to a network's people without a role there, from scheduling's feed: those
registered for its events, checked in at its sessions, facilitating them, or in its programs'
cohorts. The people directory shows a network's admins these people (people/repository.py).

Applying an event twice changes nothing (affiliations are unique per person and organization),
and an event naming a person identity does not know adds nothing."""

import logging

from sqlmodel.ext.asyncio.session import AsyncSession

from services.identity.affiliations import repository
from services.identity.people import repository as people
from shared.outbox import FeedEvent

log = logging.getLogger("cascade.identity.affiliations")


ID_LENGTH = 26


def _ids(value: object) -> list[str]:
    """The ids in a payload field; anything else (too long to be an id identity could know) is
    dropped, since a value the tables cannot hold would stop the feed at that event forever."""
    values = value if isinstance(value, list) else [value]
    return [v for v in values if isinstance(v, str) and 0 < len(v) <= ID_LENGTH]


Affiliations = dict[tuple[str, str], str]  # (person id, network id) -> source, first wins


async def _named(db: AsyncSession, event: FeedEvent, wanted: Affiliations) -> None:
    """What one event says: an event's network remembered at once (later events of the page
    look it up), and the affiliations it names added to `wanted`."""
    payload, topic = event.payload, event.topic
    if topic in ("event.created", "event.updated"):
        event_ids, network_ids = _ids(payload.get("id")), _ids(payload.get("network_id"))
        if event_ids and network_ids:
            await repository.remember_event(db, event_id=event_ids[0], network_id=network_ids[0])
        return
    if topic == "cohort.added":
        person_ids, network_id = _ids(payload.get("person_id")), _ids(payload.get("network_id"))
        source = "cohort"
    else:
        sources = {"registration.created": ("person_id", "registration"),
                   "registration.updated": ("person_id", "registration"),
                   "attendance.recorded": ("person_id", "attendance"),
                   "session.created": ("facilitator_ids", "facilitation"),
                   "session.updated": ("facilitator_ids", "facilitation")}
        event_ids = _ids(payload.get("event_id"))
        if topic not in sources or not event_ids:
            return
        field, source = sources[topic]
        found = await repository.network_of(db, event_ids[0])
        if found is None:
            log.warning("scheduling event %s names event %s, not seen in the feed", event.id,
                        event_ids[0])
        person_ids, network_id = _ids(payload.get(field)), [found] if found else []
    for person_id in person_ids if network_id else ():
        wanted.setdefault((person_id, network_id[0]), source)


async def apply_scheduling_page(db: AsyncSession, events: list[FeedEvent]) -> None:
    """A page of scheduling's feed, in order, with the affiliations of the whole page added in a
    few statements at the end ("False for a duplicate, and for a person identity does not know"
    as one at a time)."""
    wanted: Affiliations = {}
    for event in events:
        await _named(db, event, wanted)
    await people.affiliate_all(db, wanted)
