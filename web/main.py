"""Cascade's pages. Run with: uvicorn --factory web.main:create_app (behind the gateway)."""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
from fastapi import Depends, FastAPI, Request
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware

from shared.http import make_client
from shared.requests import RequestIdMiddleware, configure_logging
from web.auth import LoginRequired, login_url, resolve_user, sign_out
from web.clients import ApiError, Clients
from web.dashboard.map import california
from web.htmx import get_htmx
from web.login_sessions import AccessTokens
from web.pages import (
    account,
    accounts,
    auth,
    catalog,
    credit,
    event_imports,
    events,
    imports,
    invitations,
    mailbox,
    manage,
    network,
    people,
    polls,
    programs,
    reach,
    rosters,
    schedule,
    sessions,
)
from web.rendering import render, see_other
from web.security import CsrfRejected, SecurityHeadersMiddleware, csrf_protect
from web.settings import WebSettings

STATIC = Path(__file__).resolve().parent / "static"
log = logging.getLogger("cascade.web")


def create_app(
    settings: WebSettings | None = None,
    *,
    gateway_transport: httpx.AsyncBaseTransport | None = None,
) -> FastAPI:
    settings = settings or WebSettings()
    settings.check_secrets()
    configure_logging(settings.log_level)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # The reach dashboard's county boundaries, decoded once before the first page asks.
        await asyncio.to_thread(california)
        try:
            yield
        finally:
            await app.state.clients.http.aclose()

    app = FastAPI(
        title="Cascade web",
        lifespan=lifespan,
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
        # The user is resolved before every page, so each render can show who is signed in.
        dependencies=[Depends(csrf_protect), Depends(resolve_user)],
    )
    app.state.settings = settings
    app.state.secret_key = settings.resolved_secret_key()
    app.state.clients = Clients.over(make_client(settings.gateway_url, transport=gateway_transport))
    app.state.access_tokens = AccessTokens(max_age=settings.revocation_cache_seconds)

    for module in (auth, catalog, events, sessions, rosters, imports, schedule, mailbox, reach,
                   credit, polls, event_imports, manage, programs, account, network, accounts,
                   invitations, people):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    install_page_errors(app)

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", include_in_schema=False)
    async def readyz() -> dict[str, str]:
        # Web keeps no state of its own; when it answers, it is ready.
        return {"status": "ok"}

    # Outermost first: request ids, security headers, then the session every page reads.
    app.add_middleware(
        SessionMiddleware,
        secret_key=app.state.secret_key,
        session_cookie="cascade_session",
        max_age=settings.session_max_age,
        same_site="lax",
        https_only=settings.cookie_secure,
    )
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(RequestIdMiddleware, trust_incoming=True)
    return app


def error_page(request: Request, status: int, title: str, message: str, *,
               retry: bool = False) -> Response:
    """A whole error page; for an htmx request, the message shown in the flash region instead
    (an htmx 2 client would not swap a 4xx/5xx body at all)."""
    context = {"status": status, "title": title, "message": message, "retry": retry}
    if get_htmx(request).wants_fragment:
        return render(request, "errors/error.html", context, block="flash_message",
                      headers={"HX-Retarget": "#flash", "HX-Reswap": "innerHTML"})
    return render(request, "errors/error.html", context, status_code=status)


def install_page_errors(app: FastAPI) -> None:
    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, exc: LoginRequired) -> Response:
        return see_other(request, login_url(request), full_reload=True)

    @app.exception_handler(CsrfRejected)
    async def csrf_rejected(request: Request, exc: CsrfRejected) -> Response:
        log.warning("CSRF rejected on %s: %s", request.url.path, exc.reason)
        return error_page(request, 403, "This form has expired",
                          "Please go back, reload the page and try again.")

    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> Response:
        if exc.status == 401:
            sign_out(request)
            return see_other(request, login_url(request), full_reload=True)
        if exc.unavailable:
            return error_page(request, 503, "Temporarily unavailable",
                              "Part of Cascade is not answering right now. Please try again in "
                              "a moment.", retry=True)
        if exc.status == 404:
            return error_page(request, 404, "Not found", "There is nothing here.")
        if exc.status == 403:
            return error_page(request, 403, "Not allowed",
                              "Your account does not have access to this page.")
        log.warning("API error on %s: %s", request.url.path, exc)
        return error_page(request, 400 if exc.status < 500 else 502, "Something went wrong",
                          exc.detail)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        with contextlib.suppress(ApiError):
            await resolve_user(request)  # no route ran, so the page's header knows no user yet
        titles = {404: "Not found", 405: "Not allowed"}
        return error_page(request, exc.status_code, titles.get(exc.status_code, "Error"),
                          "There is nothing here." if exc.status_code == 404 else str(exc.detail))

    @app.exception_handler(Exception)
    async def unexpected_error(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return error_page(request, 500, "Something went wrong",
                          "Something went wrong on our side. Please try again.")

