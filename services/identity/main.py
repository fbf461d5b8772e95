"""The identity service. Run with: uvicorn --factory services.identity.main:create_app"""

import httpx
from fastapi import FastAPI

from services.identity.api import api_router
from services.identity.settings import IdentitySettings
from shared.auth import TokenVerifier
from shared.service import create_service_app


def create_app(
    settings: IdentitySettings | None = None,
    *,
    gateway_transport: httpx.AsyncBaseTransport | None = None,
    verifier: TokenVerifier | None = None,
) -> FastAPI:
    return create_service_app(
        settings or IdentitySettings(),
        title="Cascade identity",
        description="",
        api_router=api_router(),
        gateway_transport=gateway_transport,
        verifier=verifier,
    )
