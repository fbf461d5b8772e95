"""Mail identity asks for, read from identity's feed and queued as notifications.

Identity writes a `mail.requested` event in the transaction of the change the mail is about, so
mail about a rolled-back change never reaches the feed. This worker reads the feed with a
FeedConsumer (cursor in scheduling's own database, moved in the transaction that queues the
page's mail) and queues each one under its dedupe key, so a page read twice (a second replica, a
retry after a crash) queues nothing twice.
"""

import logging

from fastapi import FastAPI
from pydantic import ValidationError
from sqlmodel.ext.asyncio.session import AsyncSession

from services.scheduling.notifications.models import FeedCursor
from services.scheduling.notifications.schemas import MailRequest
from services.scheduling.notifications.service import enqueue
from shared.outbox import FeedConsumer, FeedEvent

log = logging.getLogger("cascade.scheduling.notifications")

FEED, PATH, TOPIC = "identity", "/api/identity/v1/feed", "mail.requested"
KIND = "account"


async def apply_identity_event(db: AsyncSession, event: FeedEvent) -> None:
    if event.topic != TOPIC:
        return
    try:
        mail = MailRequest.model_validate(event.payload)
    except ValidationError:
        # One malformed event must not stop the feed for good: it is logged and passed over.
        log.error("identity feed event %s asks for unreadable mail; skipped", event.id)
        return
    await enqueue(db, kind=KIND, person_id=mail.person_id, email=mail.to_email, name="",
                  subject=mail.subject, body=mail.body, dedupe_key=f"identity:{mail.dedupe_key}")


def identity_mail_consumer(app: FastAPI) -> FeedConsumer:
    settings = app.state.settings
    return FeedConsumer(
        feed=FEED, path=PATH, client=app.state.gateway, sessions=app.state.sessions,
        cursor_model=FeedCursor, apply=apply_identity_event,
        headers=app.state.service_token.headers,
        poll_interval=settings.identity_mail_poll_interval,
    )


async def consume_identity_mail(app: FastAPI) -> None:
    """The worker: reads identity's feed for as long as the app runs."""
    await identity_mail_consumer(app).run()
