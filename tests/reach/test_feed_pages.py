"""A feed page goes into reach's read model in a few statements per table, and gives the rows the
one-event-at-a-time rules gave them: the latest event for a row wins whatever the page's order,
an older event never rolls a row back, a page applied again changes nothing, and a deletion keeps
its place in the page."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import func
from sqlmodel import select

from services.reach.readmodel.models import Attendance, Membership, Organization, Person
from services.reach.readmodel.service import apply_identity_page, apply_scheduling_page
from shared.db import create_engine, session_factory
from shared.outbox import FeedConsumer, FeedEvent
from tests.reach.feeds import attendance, membership, organization, person


@pytest.fixture
async def sessions(database_urls):
    engine = create_engine(database_urls["reach"], schema="reach")
    yield session_factory(engine)
    await engine.dispose()


def feed_event(position: int, topic: str, payload: dict) -> FeedEvent:
    return FeedEvent(id=str(position), topic=topic, key=payload["id"], payload=payload,
                     occurred_at=datetime.now(UTC))


async def apply(sessions, events: list[FeedEvent], page=apply_identity_page) -> None:
    async with sessions() as db:
        await page(db, events)
        await db.commit()


async def rows(sessions, model) -> dict[str, object]:
    async with sessions() as db:
        return {row.id: row for row in (await db.exec(select(model))).all()}


class TestPage:
    async def test_the_later_of_two_events_for_one_row_in_a_page_wins(self, sessions):
        school = organization("S1", "First name", "school")
        await apply(sessions, [
            feed_event(1, "organization.created", school),
            feed_event(2, "organization.updated", {**school, "name": "Second name"}),
            feed_event(3, "person.created", person("P1", county="Kern")),
            feed_event(4, "person.updated", person("P1", county="Fresno")),
        ])
        schools, people = await rows(sessions, Organization), await rows(sessions, Person)
        assert (schools["S1"].name, schools["S1"].version) == ("Second name", 2)
        assert (people["P1"].county, people["P1"].version) == ("Fresno", 4)

    async def test_a_replayed_older_event_later_in_the_page_loses(self, sessions):
        school = organization("S1", "Old name", "school")
        await apply(sessions, [
            feed_event(5, "organization.created", school),
            feed_event(6, "organization.updated", {**school, "name": "New name"}),
            feed_event(5, "organization.created", school),  # served again
        ])
        assert (await rows(sessions, Organization))["S1"].name == "New name"

    async def test_an_older_event_in_a_later_page_does_not_roll_a_row_back(self, sessions):
        school = organization("S1", "Old name", "school")
        await apply(sessions, [feed_event(7, "organization.created", school),
                               feed_event(8, "organization.updated",
                                          {**school, "name": "New name", "county": "Kern"})])
        await apply(sessions, [feed_event(7, "organization.created", school),
                               feed_event(9, "person.created", person("P9"))])
        found = (await rows(sessions, Organization))["S1"]
        assert (found.name, found.county, found.version) == ("New name", "Kern", 8)
        assert set(await rows(sessions, Person)) == {"P9"}

    async def test_a_page_applied_again_changes_nothing(self, sessions):
        page = [feed_event(n, "attendance.recorded", attendance(f"a{n}", "s1", "E1", f"P{n}"))
                for n in range(1, 301)]
        page.append(feed_event(301, "attendance.recorded", attendance("a1", "s2", "E1", "P1")))
        await apply(sessions, page, apply_scheduling_page)
        before = {a.id: (a.session_id, a.version) for a in
                  (await rows(sessions, Attendance)).values()}
        await apply(sessions, page, apply_scheduling_page)
        after = {a.id: (a.session_id, a.version) for a in
                 (await rows(sessions, Attendance)).values()}
        assert after == before and len(after) == 300
        assert after["a1"] == ("s2", 301)

    async def test_updates_and_new_rows_in_one_page_leave_the_other_rows_alone(self, sessions):
        await apply(sessions, [feed_event(1, "person.created", person("P1", county="Kern")),
                               feed_event(2, "person.created", person("P2", county="Kern"))])
        await apply(sessions, [feed_event(3, "person.updated",
                                          person("P1", county="Fresno", school_id="S1")),
                               feed_event(4, "person.created", person("P3"))])
        people = await rows(sessions, Person)
        assert {p.id: (p.county, p.school_id, p.version) for p in people.values()} == {
            "P1": ("Fresno", "S1", 3), "P2": ("Kern", None, 2), "P3": (None, None, 4)}

    async def test_a_deletion_keeps_its_place_in_the_page(self, sessions):
        granted = membership("m1", "net", "L1", "leader")
        again = membership("m2", "net", "L2", "leader")
        await apply(sessions, [
            feed_event(1, "membership.created", granted),
            feed_event(2, "membership.created", again),
            feed_event(3, "membership.deleted", granted),  # m1 goes
            feed_event(4, "membership.deleted", again),
            feed_event(5, "membership.created", {**again, "role": "coordinator"}),  # m2 back
        ])
        memberships = await rows(sessions, Membership)
        assert {m.id: m.role for m in memberships.values()} == {"m2": "coordinator"}

    async def test_unreadable_and_unknown_events_are_passed_over(self, sessions):
        await apply(sessions, [
            feed_event(1, "person.created", {"id": "P1", "role": ["not", "a", "role"]}),
            feed_event(2, "registration.created", {"id": "r1"}),
            feed_event(3, "person.created", person("P2")),
        ])
        assert set(await rows(sessions, Person)) == {"P2"}

    async def test_thousands_of_rows_of_several_tables_in_one_page(self, sessions):
        page = [feed_event(n, "person.created", person(f"P{n}")) for n in range(1, 1201)]
        page += [feed_event(2000 + n, "person.updated", person(f"P{n}", county="Tulare"))
                 for n in range(1, 1201, 2)]
        await apply(sessions, page)
        async with sessions() as db:
            tulare = (await db.exec(select(func.count()).select_from(Person)
                                    .where(Person.county == "Tulare"))).one()
            total = (await db.exec(select(func.count()).select_from(Person))).one()
        assert (total, tulare) == (1200, 600)


def test_a_consumer_is_given_one_way_to_apply():
    with pytest.raises(TypeError):
        FeedConsumer(feed="f", path="/feed", client=None, sessions=None, cursor_model=None,
                     headers=None)
