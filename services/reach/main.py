"""The reach service. Run with: uvicorn --factory services.reach.main:create_app"""

import httpx
from fastapi import FastAPI

from services.reach import models  # noqa: F401  (every table on the registry)
from services.reach.api import api_router
from services.reach.db import OutboxEvent
from services.reach.engine.provider import index_worker, install_index
from services.reach.feeds.workers import feed_workers
from services.reach.settings import ReachSettings
from services.reach.webhooks.worker import webhook_workers
from shared.auth import TokenVerifier
from shared.outbox import denials_to_outbox
from shared.service import create_service_app


def create_app(
    settings: ReachSettings | None = None,
    *,
    gateway_transport: httpx.AsyncBaseTransport | None = None,
    verifier: TokenVerifier | None = None,
    webhook_transport: httpx.AsyncBaseTransport | None = None,
) -> FastAPI:
    settings = settings or ReachSettings()
    app = create_service_app(
        settings,
        title="Cascade reach",
        description="How far a network's professional learning has reached: leaders, direct, "
                    "conference and indirect (cascade) reach, footprint and depth, built from the "
                    "identity and scheduling event feeds. Partners see suppressed aggregates only.",
        api_router=api_router(),
        gateway_transport=gateway_transport,
        verifier=verifier,
        record_denial=denials_to_outbox(OutboxEvent),
        workers=[index_worker, *(feed_workers() if settings.consume_feeds else []),
                 *webhook_workers(settings, webhook_transport)],
    )
    install_index(app)
    return app
