"""The background workers that read other services' feeds into identity: scheduling's into the
affiliations of a network's people, and every service's refused attempts into the audit log."""

from fastapi import FastAPI
from sqlmodel.ext.asyncio.session import AsyncSession

from services.identity.affiliations.models import FeedCursor
from services.identity.affiliations.service import apply_scheduling_page
from services.identity.audit.service import apply_denied_event
from shared.outbox import DENIED_TOPIC, ApplyPage, FeedConsumer, FeedEvent
from shared.service import Worker

# What other services ask the audit log to keep: refused attempts, and partners' reach queries.
AUDITED_TOPICS = frozenset({DENIED_TOPIC, "reach.queried"})


def _with_denials(apply_page: ApplyPage | None = None) -> ApplyPage:
    """The audited events of a page one at a time, and the rest, when there is a use for them,
    as a page (the two write different tables, so neither waits for the other)."""

    async def apply(db: AsyncSession, events: list[FeedEvent]) -> None:
        rest = []
        for event in events:
            if event.topic in AUDITED_TOPICS:
                await apply_denied_event(db, event)
            else:
                rest.append(event)
        if apply_page is not None and rest:
            await apply_page(db, rest)

    return apply


def feed_worker(feed: str, apply_page: ApplyPage) -> Worker:
    async def consume(app: FastAPI) -> None:
        settings = app.state.settings
        await FeedConsumer(
            feed=feed, path=f"/api/{feed}/v1/feed", client=app.state.gateway,
            sessions=app.state.sessions, cursor_model=FeedCursor, apply_page=apply_page,
            headers=app.state.service_token.headers, poll_interval=settings.feed_poll_interval,
            page_size=settings.feed_page_size,
        ).run()

    return consume


def feed_workers() -> list[Worker]:
    return [feed_worker("scheduling", _with_denials(apply_scheduling_page)),
            feed_worker("evidence", _with_denials()),
            feed_worker("reach", _with_denials())]
