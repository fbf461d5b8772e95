"""The evidence service. Run with: uvicorn --factory services.evidence.main:create_app"""

import httpx
from fastapi import FastAPI

from services.evidence import models  # noqa: F401  (every table on the registry)
from services.evidence.api import api_router
from services.evidence.artifacts.storage import FileStore
from services.evidence.db import OutboxEvent
from services.evidence.settings import EvidenceSettings
from shared.auth import TokenVerifier
from shared.outbox import denials_to_outbox
from shared.service import create_service_app


def create_app(
    settings: EvidenceSettings | None = None,
    *,
    gateway_transport: httpx.AsyncBaseTransport | None = None,
    verifier: TokenVerifier | None = None,
) -> FastAPI:
    settings = settings or EvidenceSettings()
    app = create_service_app(
        settings,
        title="Cascade evidence",
        description="Artifacts of professional learning sessions (sign-in sheets, agendas, "
                    "student work samples ...), stored under their SHA-256.",
        api_router=api_router(),
        gateway_transport=gateway_transport,
        verifier=verifier,
        record_denial=denials_to_outbox(OutboxEvent),
    )
    app.state.files = FileStore(settings.files_dir)
    return app
