from fastapi import APIRouter

from services.reach.db import OutboxEvent
from services.reach.figures.router import router as figures_router
from services.reach.webhooks.router import router as webhooks_router
from shared.outbox import feed_router


def api_router() -> APIRouter:
    router = APIRouter(prefix="/api/reach/v1")
    router.include_router(feed_router(OutboxEvent))
    router.include_router(figures_router)
    router.include_router(webhooks_router)
    return router
