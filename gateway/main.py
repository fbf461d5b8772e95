"""The gateway: Cascade's one public listener. /api/<service>/... goes to that service, everything
else to web. Run with: uvicorn --factory gateway.main:create_app

Request path, outermost first: request id (always minted here) -> nosniff -> client address
(behind trusted proxies) -> rate limit -> body size limit -> proxy (pure ASGI; forwards nearly
everything) -> FastAPI routes for /healthz, /readyz, /api/docs and /api/openapi.json (see
GatewayApp).
"""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial

import httpx
from fastapi import FastAPI
from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.apikeys import ApiKeyExchange
from gateway.docs import COMBINED, CombinedDocument, docs_router
from gateway.health import health_router
from gateway.middleware import (
    BodySizeLimitMiddleware,
    ClientAddressMiddleware,
    RateLimitMiddleware,
)
from gateway.proxy import ProxyMiddleware
from gateway.settings import GatewaySettings
from gateway.upstreams import build_upstreams
from shared.errors import install_error_handlers
from shared.requests import DefaultHeadersMiddleware, RequestIdMiddleware, configure_logging

LOCAL_PATHS = frozenset({"/healthz", "/readyz", "/api/docs", COMBINED})
NOSNIFF = {"X-Content-Type-Options": "nosniff"}


def create_app(
    settings: GatewaySettings | None = None,
    *,
    upstream_transports: dict[str, httpx.AsyncBaseTransport] | None = None,
) -> FastAPI:
    """`upstream_transports` (keys identity, scheduling, evidence, reach, web) replace the
    network for those upstreams, e.g. with httpx.ASGITransport(app=<service app>) in tests."""
    settings = settings or GatewaySettings()
    configure_logging(settings.log_level)
    # httpx logs every request it sends at INFO: for the gateway that is a line per health
    # check and per key exchange, with nothing to act on.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    upstreams = build_upstreams(settings, upstream_transports)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            for upstream in upstreams.values():
                await upstream.aclose()

    # FastAPI's built-in telemetry looks up the OpenTelemetry providers on every request, which
    # costs more than the proxy's own work; the gateway exports no telemetry.
    app = GatewayApp(title="Cascade gateway", lifespan=lifespan,
                     openapi_url=None, docs_url=None, redoc_url=None,
                     telemetry={"tracing": False, "metrics": False, "logs": False})
    app.state.settings = settings
    app.state.upstreams = upstreams
    app.state.api_keys = ApiKeyExchange(upstreams["identity"].client,
                                        max_age=settings.api_key_cache_seconds)
    install_error_handlers(app)
    app.include_router(health_router(upstreams, timeout=settings.health_timeout))
    app.include_router(docs_router(CombinedDocument(
        upstreams, cache_seconds=settings.openapi_cache_seconds, timeout=settings.read_timeout)))

    proxy = ProxyMiddleware(partial(FastAPI.__call__, app), upstreams=upstreams,
                            local_paths=LOCAL_PATHS, api_keys=app.state.api_keys,
                            retry_after=settings.retry_after)
    limited = BodySizeLimitMiddleware(proxy, max_body_size=settings.max_body_size)
    throttled = RateLimitMiddleware(limited, burst=settings.rate_limit_burst,
                                    per_second=settings.rate_limit_per_second,
                                    exempt=settings.rate_limit_exempt)
    # Whatever a service or web sends, and the gateway's own answers: never sniffed.
    addressed = ClientAddressMiddleware(throttled, trusted_proxies=settings.trusted_proxies)
    sniffless = DefaultHeadersMiddleware(addressed, headers=NOSNIFF)
    app.front = RequestIdMiddleware(sniffless, trust_incoming=False)
    return app


class GatewayApp(FastAPI):
    """A FastAPI app whose requests enter through the gateway's pure ASGI chain, outermost
    first: request id (always minted here) -> nosniff -> client address -> rate limit -> body
    size limit -> proxy.
    The proxy forwards nearly everything and hands only the gateway's own routes (health, API
    docs) to FastAPI. Proxied requests so skip FastAPI's and Starlette's layers, which cost a
    tenth of the gateway's CPU per request (bench/gateway.py)."""

    front: ASGIApp

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await super().__call__(scope, receive, send)
        else:
            await self.front(scope, receive, send)
