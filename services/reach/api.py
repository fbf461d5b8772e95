from fastapi import APIRouter

from services.reach.db import OutboxEvent
from services.reach.figures.audit import QUERIED_TOPIC
from services.reach.figures.router import router as figures_router
from services.reach.webhooks.router import router as webhooks_router
from shared.outbox import DENIED_READERS, feed_router


def api_router() -> APIRouter:
    router = APIRouter(prefix="/api/reach/v1")
    # Partners' queries name their key: identity alone reads them, for the audit log.
    router.include_router(feed_router(OutboxEvent,
                                      private_topics={QUERIED_TOPIC: DENIED_READERS}))
    router.include_router(figures_router)
    router.include_router(webhooks_router)
    return router
