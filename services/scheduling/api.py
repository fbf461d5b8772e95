from fastapi import APIRouter

from services.scheduling.db import OutboxEvent
from shared.outbox import feed_router


def api_router() -> APIRouter:
    router = APIRouter(prefix="/api/scheduling/v1")
    router.include_router(feed_router(OutboxEvent))
    return router
