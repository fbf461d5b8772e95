"""The reach service. Run with: uvicorn --factory services.reach.main:create_app"""

import httpx
from fastapi import FastAPI

from services.reach.api import api_router
from services.reach.settings import ReachSettings
from shared.auth import TokenVerifier
from shared.service import create_service_app


def create_app(
    settings: ReachSettings | None = None,
    *,
    gateway_transport: httpx.AsyncBaseTransport | None = None,
    verifier: TokenVerifier | None = None,
) -> FastAPI:
    return create_service_app(
        settings or ReachSettings(),
        title="Cascade reach",
        description="",
        api_router=api_router(),
        gateway_transport=gateway_transport,
        verifier=verifier,
    )
