"""RFC 9457 problem+json errors: one base type, one set of handlers for every service."""

import logging
import re
from http import HTTPStatus
from typing import Any, Self

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match, Mount

from shared import denials
from shared.denials import Denied
from shared.requests import current_request_id

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger("cascade.errors")


class CascadeError(Exception):
    """A failure the caller can act on. Subclasses set status_code, code and title."""

    status_code: int = 400
    code: str = "bad_request"
    title: str = "Bad request"
    headers: dict[str, str] | None = None
    denied: Denied | None = None  # set when this refuses an object that exists

    def __init__(self, detail: str | None = None, **extra: Any) -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.extra = extra

    def denying(self, target_type: str, target_id: str, *organization_ids: str | None,
                action: str | None = None, details: dict[str, Any] | None = None) -> Self:
        """Marks this as the refusal of an object (that exists) of these organizations: the
        handler audits it in their log (shared/denials.py). The answer stays the same."""
        self.denied = Denied(target_type, target_id,
                             tuple(sorted({o for o in organization_ids if o})), action, details)
        return self


class NotFound(CascadeError):
    status_code, code, title = 404, "not_found", "Not found"


class Conflict(CascadeError):
    status_code, code, title = 409, "conflict", "Conflict"


class Unauthorized(CascadeError):
    status_code, code, title = 401, "unauthorized", "Authentication required"
    headers = {"WWW-Authenticate": "Bearer"}


class Forbidden(CascadeError):
    status_code, code, title = 403, "forbidden", "Not allowed"


class InvalidInput(CascadeError):
    status_code, code, title = 422, "invalid_input", "Invalid input"


def problem_response(
    status: int,
    code: str,
    *,
    title: str | None = None,
    detail: str | None = None,
    instance: str | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    body = {
        "type": f"/problems/{code}",
        "title": title or HTTPStatus(status).phrase,
        "status": status,
        "code": code,
        "detail": detail or title or HTTPStatus(status).phrase,
        "request_id": current_request_id(),
    }
    body.update(extra)  # may name the request_id when the context no longer holds it
    if instance:
        body["instance"] = instance
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_JSON)


async def _cascade_error(request: Request, exc: CascadeError) -> JSONResponse:
    await denials.record(request, exc.denied)
    return problem_response(
        exc.status_code, exc.code, title=exc.title, detail=exc.detail,
        instance=request.url.path, headers=exc.headers, **exc.extra,
    )


async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = [
        {"loc": list(err.get("loc", ())), "msg": err.get("msg", ""), "type": err.get("type", "")}
        for err in exc.errors()
    ]
    return problem_response(
        422, "invalid_input", title="Invalid input",
        detail="; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in errors),
        instance=request.url.path, errors=errors,
    )


_METHODS = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT")


def allowed_methods(request: Request) -> list[str]:
    """Every method some route serves at this path (RFC 9110 15.5.6: a 405's Allow lists them
    all). Starlette names only those of the first route whose path matches, and FastAPI makes
    one route per method; so each method is tried against the app's routes."""
    routes = [route for route in request.app.router.routes if not isinstance(route, Mount)]
    return [method for method in _METHODS
            if any(route.matches({**request.scope, "method": method})[0] == Match.FULL
                   for route in routes)]


async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    code = HTTPStatus(exc.status_code).phrase.lower().replace(" ", "_").replace("-", "_")
    headers = getattr(exc, "headers", None)
    if exc.status_code == 405 and (methods := allowed_methods(request)):
        headers = {**(headers or {}), "Allow": ", ".join(methods)}
    return problem_response(
        exc.status_code, code, detail=str(exc.detail), instance=request.url.path,
        headers=headers,
    )


async def _unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    request_id = request.scope.get("state", {}).get("request_id")
    log.exception("unhandled error on %s %s (request %s)", request.method, request.url.path,
                  request_id)
    return problem_response(500, "internal_error", detail="Something went wrong on our side.",
                            request_id=request_id,
                            headers={"X-Request-ID": request_id} if request_id else None)


# \u0000 escaped in JSON text, not preceded by an escaped backslash ("\\u0000" is text).
_JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")


class RefuseNulMiddleware:
    """Pure ASGI: PostgreSQL text cannot hold U+0000, so a request carrying one in its path, its
    query or a JSON body is refused up front with a 422 instead of failing in the database as a
    500. (A JSON body is read whole first, as FastAPI would read it anyway.)"""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        if "\x00" in scope["path"] or b"%00" in scope["query_string"]:
            return await _nul_problem(scope, receive, send)
        content_type = dict(scope["headers"]).get(b"content-type", b"")
        if b"json" not in content_type:
            return await self.app(scope, receive, send)
        messages = []
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request" or not message.get("more_body", False):
                break
        if _JSON_NUL.search(b"".join(m.get("body", b"") for m in messages)):
            return await _nul_problem(scope, receive, send)

        async def replay():
            return messages.pop(0) if messages else await receive()

        await self.app(scope, replay, send)


async def _nul_problem(scope, receive, send) -> None:
    response = problem_response(422, "invalid_input", title="Invalid input",
                                detail="Text cannot contain the character U+0000.",
                                instance=scope["path"])
    await response(scope, receive, send)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(CascadeError, _cascade_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected_error)
