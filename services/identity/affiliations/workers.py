"""The background worker that reads scheduling's feed into identity's affiliations."""

from fastapi import FastAPI

from services.identity.affiliations.models import FeedCursor
from services.identity.affiliations.service import apply_scheduling_event
from shared.outbox import FeedConsumer

SCHEDULING_FEED = "/api/scheduling/v1/feed"


async def consume_scheduling_feed(app: FastAPI) -> None:
    settings = app.state.settings
    await FeedConsumer(
        feed="scheduling", path=SCHEDULING_FEED, client=app.state.gateway,
        sessions=app.state.sessions, cursor_model=FeedCursor, apply=apply_scheduling_event,
        headers=app.state.service_token.headers, poll_interval=settings.feed_poll_interval,
        page_size=settings.feed_page_size,
    ).run()
