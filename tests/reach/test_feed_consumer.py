"""Reach's read model follows the identity and scheduling feeds exactly once: it resumes from its
cursor after a restart, and a page served again or an event repeated counts nothing twice."""

import asyncio
from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy import func
from sqlmodel import select

from services.reach.readmodel.models import Attendance, EventSession, Organization, Person
from tests.reach.feeds import (
    FakeFeeds,
    attendance,
    caught_up,
    event,
    membership,
    organization,
    person,
    reach_app,
    session,
)
from tests.support.stack import eventually

NET = "net-1"
WINDOW = {"network_id": NET, "from": "2026-09-01", "to": "2026-09-30"}


def seed(feeds: FakeFeeds) -> None:
    feeds.add("identity", "organization.created", organization(NET, "Network", "network"))
    feeds.add("identity", "person.created", person("L1"))
    feeds.add("identity", "membership.created", membership("m1", NET, "L1", "leader"))
    feeds.add("scheduling", "event.created", event("E1", NET, "workshop_series"))
    feeds.add("scheduling", "session.created",
              session("s1", "E1", "2026-09-10T16:00:00+00:00", 3, ["L1"]))
    feeds.add("scheduling", "attendance.recorded", attendance("a1", "s1", "E1", "P1"))


async def summary(app, keys) -> dict:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://reach") as client:
        response = await client.get("/api/reach/v1/summary", params=WINDOW,
                                    headers=keys.headers(roles={NET: ["analyst"]}))
    assert response.status_code == 200, response.text
    return response.json()


async def count(app, model) -> int:
    async with app.state.sessions() as db:
        return (await db.exec(select(func.count()).select_from(model))).one()


@pytest.fixture
def feeds(keys) -> FakeFeeds:
    feeds = FakeFeeds(keys)
    seed(feeds)
    return feeds


class TestConsumer:
    async def test_resumes_from_its_cursor_after_a_restart(self, database_urls, keys, feeds):
        since = datetime.now(UTC)
        first = reach_app(database_urls["reach"], feeds, keys)
        async with first.router.lifespan_context(first):
            await caught_up(first, since)
            assert (await summary(first, keys))["direct"] == 1
        left_at = feeds.last_id("scheduling")

        feeds.add("identity", "person.created", person("P2", county="Alameda"))
        feeds.add("scheduling", "attendance.recorded", attendance("a2", "s1", "E1", "P2"))
        feeds.reads = {"identity": [], "scheduling": []}
        since = datetime.now(UTC)
        second = reach_app(database_urls["reach"], feeds, keys)  # a new process, same database
        async with second.router.lifespan_context(second):
            await caught_up(second, since)
            body = await summary(second, keys)
        assert feeds.reads["scheduling"][0] == left_at  # not from the start
        assert body["direct"] == 2 and body["pd_hours"] == 6.0
        assert await count(second, Attendance) == 2

    async def test_a_page_served_again_counts_nothing_twice(self, database_urls, keys, feeds):
        since = datetime.now(UTC)
        app = reach_app(database_urls["reach"], feeds, keys)
        async with app.router.lifespan_context(app):
            await caught_up(app, since)
            before = await summary(app, keys)
            # The next reads past the start get the first page again.
            feeds.stale = {"identity": 3, "scheduling": 3}
            feeds.add("scheduling", "attendance.recorded", attendance("a2", "s1", "E1", "P2"))
            await eventually(lambda: asyncio.sleep(0, feeds.stale_served == 6))
            since = datetime.now(UTC)
            await caught_up(app, since)
            after = await summary(app, keys)
            assert await count(app, Attendance) == 2 and await count(app, EventSession) == 1
        assert (before["direct"], before["pd_hours"]) == (1, 3.0)
        assert (after["direct"], after["pd_hours"], after["sessions"]) == (2, 6.0, 1)

    async def test_an_event_repeated_counts_once(self, database_urls, keys, feeds):
        repeated = attendance("a2", "s1", "E1", "P2")
        event_id = feeds.add("scheduling", "attendance.recorded", repeated)
        feeds.add("scheduling", "attendance.recorded", repeated, event_id=event_id)
        # The same attendance reported again later (a second check-in) is still one person.
        feeds.add("scheduling", "attendance.recorded", attendance("a3", "s1", "E1", "P2"))
        since = datetime.now(UTC)
        app = reach_app(database_urls["reach"], feeds, keys)
        async with app.router.lifespan_context(app):
            await caught_up(app, since)
            body = await summary(app, keys)
            assert await count(app, Attendance) == 3
        assert (body["direct"], body["pd_hours"]) == (2, 6.0)

    async def test_an_older_event_does_not_undo_a_newer_one(self, database_urls, keys, feeds):
        created = organization("S1", "Old name", "school")
        first = feeds.add("identity", "organization.created", created)
        feeds.add("identity", "organization.updated", {**created, "name": "New name"})
        feeds.add("identity", "organization.created", created, event_id=first)  # replayed
        since = datetime.now(UTC)
        app = reach_app(database_urls["reach"], feeds, keys)
        async with app.router.lifespan_context(app):
            await caught_up(app, since)
            async with app.state.sessions() as db:
                assert (await db.get(Organization, "S1")).name == "New name"

    async def test_updates_replace_what_reach_knew(self, database_urls, keys, feeds):
        since = datetime.now(UTC)
        app = reach_app(database_urls["reach"], feeds, keys)
        async with app.router.lifespan_context(app):
            await caught_up(app, since)
            assert (await summary(app, keys))["leaders"] == 1
            # The leadership ended before the window: L1 no longer leads, s1 no longer counts.
            feeds.add("identity", "membership.updated",
                      membership("m1", NET, "L1", "leader", "2025-07-01", "2026-06-30"))
            feeds.add("identity", "person.updated", person("P1", county="Fresno"))
            since = datetime.now(UTC)
            await caught_up(app, since)
            body = await summary(app, keys)
            async with app.state.sessions() as db:
                assert (await db.get(Person, "P1")).county == "Fresno"
        assert (body["leaders"], body["direct"]) == (0, 0)

    async def test_as_of_waits_for_both_feeds(self, database_urls, keys):
        # The scheduling feed empty: caught up at once, with no cursor yet.
        feeds = FakeFeeds(keys)
        feeds.add("identity", "organization.created", organization(NET, "Network", "network"))
        since = datetime.now(UTC)
        app = reach_app(database_urls["reach"], feeds, keys)
        async with app.router.lifespan_context(app):
            await caught_up(app, since)
            as_of = datetime.fromisoformat((await summary(app, keys))["as_of"])
        assert as_of > since

    async def test_no_workers_when_feeds_are_turned_off(self, database_urls, keys, feeds):
        app = reach_app(database_urls["reach"], feeds, keys, consume_feeds=False)
        async with app.router.lifespan_context(app):
            await app.state.reach_index.refresh()  # loaded from the (empty) read model
            body = await summary(app, keys)
        assert body["as_of"] is None and body["direct"] == 0
        assert feeds.reads == {"identity": [], "scheduling": []}
