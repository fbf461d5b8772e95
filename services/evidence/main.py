"""The evidence service. Run with: uvicorn --factory services.evidence.main:create_app"""

import httpx
from fastapi import FastAPI

from services.evidence.api import api_router
from services.evidence.settings import EvidenceSettings
from shared.auth import TokenVerifier
from shared.service import create_service_app


def create_app(
    settings: EvidenceSettings | None = None,
    *,
    gateway_transport: httpx.AsyncBaseTransport | None = None,
    verifier: TokenVerifier | None = None,
) -> FastAPI:
    return create_service_app(
        settings or EvidenceSettings(),
        title="Cascade evidence",
        description="",
        api_router=api_router(),
        gateway_transport=gateway_transport,
        verifier=verifier,
    )
