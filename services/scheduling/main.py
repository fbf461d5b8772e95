"""The scheduling service. Run with: uvicorn --factory services.scheduling.main:create_app"""

import httpx
from fastapi import FastAPI

from services.scheduling import models  # noqa: F401  (every table on the metadata)
from services.scheduling.api import api_router
from services.scheduling.db import OutboxEvent
from services.scheduling.notifications.identity_mail import consume_identity_mail
from services.scheduling.notifications.sender import run_sender
from services.scheduling.notifications.service import SITE_URL
from services.scheduling.settings import SchedulingSettings
from shared.auth import TokenVerifier
from shared.outbox import denials_to_outbox
from shared.service import create_service_app


def create_app(
    settings: SchedulingSettings | None = None,
    *,
    gateway_transport: httpx.AsyncBaseTransport | None = None,
    verifier: TokenVerifier | None = None,
) -> FastAPI:
    settings = settings or SchedulingSettings()
    workers = [run_sender] if settings.send_notifications else []
    if settings.consume_identity_mail:
        workers.append(consume_identity_mail)
    app = create_service_app(
        settings,
        title="Cascade scheduling",
        description="Events, sessions, registrations and waitlists, attendance and calendar feeds.",
        api_router=api_router(),
        gateway_transport=gateway_transport,
        verifier=verifier,
        record_denial=denials_to_outbox(OutboxEvent),
        workers=workers,
    )
    app.state.sessions.configure(info={SITE_URL: settings.site_url})
    return app
