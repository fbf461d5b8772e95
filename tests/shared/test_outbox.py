import asyncio

import httpx
import pytest

from services.reach.db import OutboxEvent
from services.reach.main import create_app
from services.reach.settings import ReachSettings
from shared.outbox import publish


@pytest.fixture
async def reach_app(database_urls, keys):
    app = create_app(ReachSettings(database_url=database_urls["reach"]),
                     verifier=keys.verifier("reach"))
    async with app.router.lifespan_context(app):
        yield app


async def _publish(app, count: int, *, rollback: bool = False) -> None:
    async with app.state.sessions() as db:
        for n in range(count):
            await publish(db, OutboxEvent, topic="thing.happened", key=str(n), payload={"n": n})
        if rollback:
            await db.rollback()
        else:
            await db.commit()


class TestFeed:
    async def test_pages_follow_commit_order_and_skip_rolled_back_changes(self, reach_app, keys):
        await _publish(reach_app, 3)
        await _publish(reach_app, 2, rollback=True)
        await asyncio.gather(*(_publish(reach_app, 1) for _ in range(10)))
        transport = httpx.ASGITransport(app=reach_app)
        async with httpx.AsyncClient(transport=transport, base_url="http://reach") as client:
            headers = keys.headers(kind="service", sub="service:test")
            first = (await client.get("/api/reach/v1/feed", params={"limit": 5},
                                      headers=headers)).json()
            rest = (await client.get("/api/reach/v1/feed", params={"after": first["next_cursor"]},
                                     headers=headers)).json()
        ids = [int(e["id"]) for e in first["events"] + rest["events"]]
        assert len(ids) == 13 and ids == sorted(ids)
        assert first["has_more"] is True and rest["has_more"] is False

    @pytest.mark.parametrize("after", ["\u00b2", "1" * 30, "abc", "-1", ""])
    async def test_a_cursor_the_feed_never_gave_is_422(self, reach_app, keys, after):
        # "\u00b2" passed str.isdigit() and then failed int(): a 500; 30 digits overflow SQL.
        transport = httpx.ASGITransport(app=reach_app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://reach") as client:
            response = await client.get("/api/reach/v1/feed", params={"after": after},
                                        headers=keys.headers(kind="service", sub="service:test"))
        assert response.status_code == 422, response.text
        assert response.headers["content-type"] == "application/problem+json"

    async def test_a_person_cannot_read_a_feed(self, reach_app, keys):
        transport = httpx.ASGITransport(app=reach_app)
        async with httpx.AsyncClient(transport=transport, base_url="http://reach") as client:
            response = await client.get("/api/reach/v1/feed", headers=keys.headers())
            anonymous = await client.get("/api/reach/v1/feed")
        assert response.status_code == 403
        assert response.headers["content-type"] == "application/problem+json"
        assert anonymous.status_code == 401


class TestConsumerShutdown:
    async def test_a_consumer_stops_when_cancelled_during_a_failing_poll(self, database_urls):
        """The poll's own error must not swallow the cancellation (it once kept apps from
        stopping)."""
        from services.reach.feeds.models import FeedCursor
        from shared.db import create_engine, session_factory
        from shared.outbox import FeedConsumer

        polling = asyncio.Event()

        async def refuse(request: httpx.Request) -> httpx.Response:
            polling.set()
            await asyncio.sleep(0.05)
            raise httpx.ConnectError("refused", request=request)

        async def no_headers() -> dict[str, str]:
            return {}

        async def nothing(_db, _events) -> None:  # no page is ever read
            return None

        engine = create_engine(database_urls["reach"], schema="reach")
        consumer = FeedConsumer(
            feed="elsewhere", path="/feed", sessions=session_factory(engine),
            client=httpx.AsyncClient(transport=httpx.MockTransport(refuse), base_url="http://x"),
            cursor_model=FeedCursor, apply_page=nothing, headers=no_headers,
        )
        task = asyncio.create_task(consumer.run())
        await asyncio.wait_for(polling.wait(), 5)
        task.cancel()  # lands while the poll is in flight and about to fail
        with pytest.raises(asyncio.CancelledError):
            await asyncio.wait_for(task, 5)
        await engine.dispose()
