from fastapi import APIRouter

from services.evidence.artifacts.router import router as artifacts_router
from services.evidence.db import OutboxEvent
from shared.outbox import feed_router


def api_router() -> APIRouter:
    router = APIRouter(prefix="/api/evidence/v1")
    router.include_router(feed_router(OutboxEvent))
    router.include_router(artifacts_router)
    return router
