"""Scheduling's feed applied to identity's affiliations: idempotent, and blind to people identity
does not know (a record that points at nothing adds no one to a network)."""

from datetime import UTC, datetime

from sqlmodel import select

from services.identity.affiliations.service import apply_scheduling_page
from services.identity.people.models import PersonAffiliation
from shared.outbox import FeedEvent


def _event(n: int, topic: str, **payload) -> FeedEvent:
    return FeedEvent(id=str(n), topic=topic, key=str(n), payload=payload,
                     occurred_at=datetime.now(UTC))


async def test_events_applied_twice_affiliate_known_people_once(api, identity_app):
    network = await api.organization("Golden State Network", "network")
    person = await api.person("pat@example.org")
    events = [
        _event(1, "event.created", id="01jevent000000000000000000", network_id=network["id"]),
        _event(2, "registration.created", event_id="01jevent000000000000000000",
               person_id=person["id"]),
        _event(3, "attendance.recorded", event_id="01jevent000000000000000000",
               person_id="01jnobody00000000000000000"),
        _event(4, "cohort.added", network_id=network["id"], person_id=person["id"]),
        _event(5, "session.created", event_id="01junknownevent00000000000",
               facilitator_ids=[person["id"]]),
        _event(6, "registration.created", event_id="x" * 300, person_id=person["id"]),
        _event(7, "event.updated", id="01jother000000000000000000", network_id="y" * 300),
    ]
    for page in ([events[:3], events[3:]], [events]):  # in two pages, then served again in one
        for events_of_page in page:
            async with identity_app.state.sessions() as db:
                await apply_scheduling_page(db, events_of_page)
                await db.commit()
    async with identity_app.state.sessions() as db:
        rows = list(await db.exec(select(PersonAffiliation)))
    assert [(r.person_id, r.organization_id, r.source) for r in rows] == [
        (person["id"], network["id"], "registration")]


async def test_a_page_affiliates_its_people_once_each_with_the_first_source(api, identity_app):
    network = await api.organization("Central Valley Network", "network")
    people = [await api.person(f"teacher{n}@example.org") for n in range(4)]
    ids = [p["id"] for p in people]
    event_id = "01jevent000000000000000001"
    page = [
        _event(1, "event.created", id=event_id, network_id=network["id"]),
        _event(2, "session.created", event_id=event_id, facilitator_ids=ids[:1]),
        *(_event(3 + n, "attendance.recorded", event_id=event_id, person_id=person_id)
          for n, person_id in enumerate(ids)),
        _event(9, "registration.created", event_id=event_id, person_id=ids[1]),
        _event(10, "cohort.added", network_id="01jnonetwork00000000000000", person_id=ids[2]),
    ]
    async with identity_app.state.sessions() as db:
        await apply_scheduling_page(db, page)
        await db.commit()
    async with identity_app.state.sessions() as db:
        rows = list(await db.exec(select(PersonAffiliation)
                                  .where(PersonAffiliation.source != "match")))
    assert sorted((r.person_id, r.organization_id, r.source) for r in rows) == sorted(
        [(ids[0], network["id"], "facilitation"),
         *((person_id, network["id"], "attendance") for person_id in ids[1:])])
