"""The two background workers that keep reach's read model in step with identity and
scheduling, and remember when each feed was last read to its end (the as_of of every figure)."""

import time

from fastapi import FastAPI

from services.reach.feeds import repository
from services.reach.feeds.models import FeedCursor
from services.reach.readmodel.service import apply_identity_page, apply_scheduling_page
from shared.db import utcnow
from shared.outbox import ApplyPage, FeedConsumer
from shared.service import Worker


class CatchingUpConsumer(FeedConsumer):
    """A FeedConsumer that also records when the feed was last read to its end."""

    def __init__(self, *, record_every: float, **kwargs) -> None:
        super().__init__(**kwargs)
        self.record_every = record_every
        self._recorded = float("-inf")

    async def poll_once(self) -> int:
        started = utcnow()
        before = await self.position()
        applied = await super().poll_once()
        if applied < self.page_size and time.monotonic() - self._recorded >= self.record_every:
            after = await self.position()
            # A short page read after `started` holds everything committed before it. Nothing
            # applied with the cursor moved means another replica applied the page instead.
            if applied or after == before:
                async with self.sessions() as db:
                    await repository.mark_caught_up(db, feed=self.feed, position=after, at=started)
                    await db.commit()
                self._recorded = time.monotonic()
        return applied


def consumer(app: FastAPI, feed: str) -> CatchingUpConsumer:
    settings = app.state.settings
    return CatchingUpConsumer(
        feed=feed,
        path=FEEDS[feed],
        client=app.state.gateway,
        sessions=app.state.sessions,
        cursor_model=FeedCursor,
        apply_page=APPLY[feed],
        headers=app.state.service_token.headers,
        poll_interval=settings.feed_poll_interval,
        page_size=settings.feed_page_size,
        record_every=settings.feed_as_of_every,
    )


def feed_worker(feed: str) -> Worker:
    async def consume(app: FastAPI) -> None:
        await consumer(app, feed).run()

    return consume


FEEDS = {"identity": "/api/identity/v1/feed", "scheduling": "/api/scheduling/v1/feed"}
APPLY: dict[str, ApplyPage] = {"identity": apply_identity_page,
                               "scheduling": apply_scheduling_page}


def feed_workers() -> list[Worker]:
    return [feed_worker(feed) for feed in FEEDS]
