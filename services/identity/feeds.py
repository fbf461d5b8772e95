"""The background workers that read other services' feeds into identity: scheduling's into the
affiliations of a network's people, and every service's refused attempts into the audit log."""

from fastapi import FastAPI
from sqlmodel.ext.asyncio.session import AsyncSession

from services.identity.affiliations.models import FeedCursor
from services.identity.affiliations.service import apply_scheduling_event
from services.identity.audit.service import apply_denied_event
from shared.outbox import DENIED_TOPIC, Apply, FeedConsumer, FeedEvent
from shared.service import Worker

# What other services ask the audit log to keep: refused attempts, and partners' reach queries.
AUDITED_TOPICS = frozenset({DENIED_TOPIC, "reach.queried"})


def _with_denials(apply: Apply | None = None) -> Apply:
    async def apply_event(db: AsyncSession, event: FeedEvent) -> None:
        if event.topic in AUDITED_TOPICS:
            await apply_denied_event(db, event)
        elif apply is not None:
            await apply(db, event)

    return apply_event


def feed_worker(feed: str, apply: Apply) -> Worker:
    async def consume(app: FastAPI) -> None:
        settings = app.state.settings
        await FeedConsumer(
            feed=feed, path=f"/api/{feed}/v1/feed", client=app.state.gateway,
            sessions=app.state.sessions, cursor_model=FeedCursor, apply=apply,
            headers=app.state.service_token.headers, poll_interval=settings.feed_poll_interval,
            page_size=settings.feed_page_size,
        ).run()

    return consume


def feed_workers() -> list[Worker]:
    return [feed_worker("scheduling", _with_denials(apply_scheduling_event)),
            feed_worker("evidence", _with_denials()),
            feed_worker("reach", _with_denials())]
