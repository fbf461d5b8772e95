"""The frame every service's create_app builds on: database, token verification, the client
through which it reaches other services (always via the gateway), errors, request ids, health."""

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any, TypeVar

import httpx
from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute

from shared.auth import ServiceTokenProvider, TokenVerifier, jwks_over_http
from shared.db import create_engine, session_factory
from shared.denials import DenialHook
from shared.errors import RefuseNulMiddleware, install_error_handlers
from shared.health import health_router
from shared.http import make_client
from shared.openapi import install_openapi
from shared.requests import (
    API_RESPONSE_HEADERS,
    DefaultHeadersMiddleware,
    RequestIdMiddleware,
    configure_logging,
)
from shared.revocations import RevokedSessions, revoked_over_http
from shared.settings import BaseServiceSettings

T = TypeVar("T")

# A background job started with the app and cancelled when it stops (a feed consumer, say).
Worker = Callable[[FastAPI], Any]


def create_service_app(
    settings: BaseServiceSettings,
    *,
    title: str,
    description: str,
    api_router: APIRouter,
    gateway_transport: httpx.AsyncBaseTransport | None = None,
    verifier: TokenVerifier | None = None,
    workers: list[Worker] | None = None,
    startup: Callable[[FastAPI], Awaitable[None]] | None = None,
    record_denial: DenialHook | None = None,
) -> FastAPI:
    name = settings.service_name
    settings.check_secrets()
    configure_logging(settings.log_level)
    workers = workers or []

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            stack.push_async_callback(app.state.engine.dispose)
            stack.push_async_callback(app.state.gateway.aclose)
            if startup is not None:
                await startup(app)
            for worker in workers:
                start_task(app, worker(app), name=f"{name}-worker")
            try:
                yield
            finally:
                tasks = list(app.state.tasks)
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)

    app = FastAPI(
        title=title,
        description=description,
        version="1.0.0",
        lifespan=lifespan,
        openapi_url=f"/api/{name}/v1/openapi.json",
        docs_url=f"/api/{name}/v1/docs",
        redoc_url=None,
        generate_unique_id_function=lambda route: _operation_id(name, route),
    )
    app.state.settings = settings
    app.state.record_denial = record_denial  # audits refused attempts (shared/denials.py)
    app.state.tasks = set()  # every background task of this app, cancelled when it stops
    app.state.engine = create_engine(settings.db_url, schema=name)
    app.state.sessions = session_factory(app.state.engine)
    app.state.gateway = make_client(settings.gateway_url, transport=gateway_transport)
    app.state.service_token = ServiceTokenProvider(
        app.state.gateway, client_id=name, client_secret=settings.client_secret
    )
    app.state.verifier = verifier or TokenVerifier(
        fetch_jwks=jwks_over_http(app.state.gateway, "/api/identity/v1/jwks.json"),
        issuer=settings.token_issuer,
        audience=name,
        revocations=RevokedSessions(
            revoked_over_http(app.state.gateway, "/api/identity/v1/sessions/revoked",
                              app.state.service_token.headers),
            max_age=settings.revocation_cache_seconds),
    )
    install_error_handlers(app)
    app.add_middleware(RefuseNulMiddleware)
    app.add_middleware(DefaultHeadersMiddleware, headers=API_RESPONSE_HEADERS)
    app.add_middleware(RequestIdMiddleware, trust_incoming=True)  # outermost: ids every answer
    app.include_router(health_router())
    app.include_router(api_router)
    install_openapi(app)
    return app


def start_task(app: FastAPI, work: Coroutine[Any, Any, Any], *, name: str) -> asyncio.Task:
    """Runs `work` alongside the app: referenced while it runs (asyncio keeps only weak
    references), cancelled when the app stops."""
    task = asyncio.create_task(work, name=name)
    app.state.tasks.add(task)
    task.add_done_callback(app.state.tasks.discard)
    return task


def _operation_id(service: str, route: APIRoute) -> str:
    tag = route.tags[0] if route.tags else "default"
    return f"{service}-{tag}-{route.name}"


async def finish_before_stopping(work: Awaitable[T]) -> T:
    """Runs `work` to its end even when the caller is cancelled meanwhile; then the cancellation
    wins. Cancelled mid-transaction, an aiosqlite connection can be dropped with its write lock
    held, stalling every other writer (and the shutdown) for the busy timeout."""
    task = asyncio.ensure_future(work)
    try:
        return await asyncio.shield(task)
    except asyncio.CancelledError:
        # Whatever became of the work, stopping wins: letting its error escape here would
        # swallow the cancellation and keep a worker's loop running forever.
        with contextlib.suppress(Exception):
            await task
        raise
