"""Each service's OpenAPI document as the service really answers: every error is RFC 9457
problem+json (shared/errors.py), and the routes that read a bearer token say so.

FastAPI documents a route's success and, when it has parameters, a 422 as its own
`HTTPValidationError` JSON. Here, once per app, every operation gets the errors its shape implies,
all as the shared `Problem` schema under application/problem+json:

- 400 when it takes a body (a body that cannot be parsed), 413 likewise (the gateway's size limit)
- 401 when it reads a token (none, expired, not for this service), 403 and 503 (the token keys
  could not be fetched) when it requires one
- 404 when its path names a resource; 409 when it changes state (the change conflicts with
  what is stored, or an Idempotency-Key was reused)
- 422 when it takes any input; `default` for anything else (a 5xx, the gateway's 502/503/504)

A route with other statuses of its own (415, 429, ...) lists them with `problem_responses`;
whatever it documents itself is kept, given the Problem body if it has none.
"""

import json
from collections.abc import Iterable
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, RouteContext, iter_route_contexts

from shared.auth import optional_principal, require_principal, require_service
from shared.errors import PROBLEM_JSON, CascadeError

BEARER = "bearer"
PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "type": "object",
    "description": "An RFC 9457 problem: what went wrong, with a stable `code` to act on.",
    "required": ["type", "title", "status", "code", "detail"],
    "properties": {
        "type": {"type": "string", "description": "/problems/<code>"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "code": {"type": "string", "description": "Stable, machine-readable"},
        "detail": {"type": "string"},
        "request_id": {"type": ["string", "null"]},
        "instance": {"type": "string", "description": "The path that answered"},
        "errors": {
            "type": "array",
            "description": "On a 422 for malformed input: each field that failed",
            "items": {
                "type": "object",
                "required": ["loc", "msg", "type"],
                "properties": {
                    "loc": {"type": "array", "items": {"type": ["string", "integer"]}},
                    "msg": {"type": "string"},
                    "type": {"type": "string"},
                },
            },
        },
    },
    "additionalProperties": True,  # a problem may carry facts of its own (retry_after, ...)
}

BEARER_SCHEME = {
    "type": "http",
    "scheme": "bearer",
    "bearerFormat": "JWT",
    "description": "An access token from POST /api/identity/v1/token (a user's, a partner's "
                   "API key exchanged at the gateway, or a service's).",
}

_WHY = {
    400: "The body could not be parsed",
    401: "No valid access token",
    403: "The token's holder may not do this",
    404: "Not found",
    409: "Conflicts with the current state",
    413: "Body too large",
    422: "Invalid input (text never holds U+0000)",
    503: "A service or the token keys could not be reached; retry after Retry-After",
    "default": "Any other failure (a 5xx, or the gateway's 502, 503 or 504)",
}


def problem_response(description: str) -> dict[str, Any]:
    return {"description": description, "content": {PROBLEM_JSON: {"schema": PROBLEM_REF}}}


def problem_responses(*errors: type[CascadeError] | int) -> dict[int | str, dict[str, Any]]:
    """`responses=` for a route's own statuses: error classes (their titles become the
    description, several of one status joined) or bare status codes."""
    titles: dict[int, list[str]] = {}
    for error in errors:
        status, title = (error, None) if isinstance(error, int) else (error.status_code,
                                                                       error.title)
        titles.setdefault(status, [])
        if title and title not in titles[status]:
            titles[status].append(title)
    return {status: problem_response("; ".join(named) or HTTPStatus(status).phrase)
            for status, named in titles.items()}


def _calls(dependant: Dependant) -> Iterable[Any]:
    yield dependant.call
    for sub in dependant.dependencies:
        yield from _calls(sub)


def token_use(route: RouteContext) -> str | None:
    """'required', 'optional' or None: whether the route verifies a bearer token."""
    calls = set(_calls(route.dependant))
    if calls & {require_principal, require_service}:
        return "required"
    if optional_principal in calls:
        return "optional"
    return None


def _implied_statuses(route: RouteContext, method: str, operation: dict) -> list[int]:
    statuses = []
    has_body = "requestBody" in operation
    if has_body:
        statuses += [400, 413]
    use = token_use(route)
    if use:
        statuses.append(401)
    if use == "required":
        statuses += [403, 503]
    if route.dependant.path_params:
        statuses.append(404)
    if method in WRITE_METHODS:
        statuses.append(409)
    if has_body or operation.get("parameters"):
        statuses.append(422)
    return statuses


def describe_errors(document: dict, routes: Iterable[Any]) -> dict:
    """Rewrites `document` (FastAPI's, for these routes) in place and returns it."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas["Problem"] = PROBLEM_SCHEMA
    document["components"].setdefault("securitySchemes", {})[BEARER] = BEARER_SCHEME
    for route in iter_route_contexts(list(routes)):
        if not isinstance(route.original_route, APIRoute) or not route.include_in_schema:
            continue
        item = document.get("paths", {}).get(route.path_format, {})
        use = token_use(route)
        for method in route.methods:
            operation = item.get(method.lower())
            if operation is None:
                continue
            responses = operation.setdefault("responses", {})
            for status in _implied_statuses(route, method, operation):
                responses.setdefault(str(status), problem_response(_WHY[status]))
            responses.setdefault("default", problem_response(_WHY["default"]))
            for status, response in responses.items():
                if status == "default" or int(status) >= 400:
                    # FastAPI's 422 (HTTPValidationError as JSON) is not what is served.
                    response["content"] = {PROBLEM_JSON: {"schema": PROBLEM_REF}}
            operation["responses"] = dict(sorted(
                responses.items(), key=lambda kv: (kv[0] == "default", kv[0])))
            if use == "required":
                operation["security"] = [{BEARER: []}]
            elif use == "optional":
                operation["security"] = [{}, {BEARER: []}]
    for unused in ("HTTPValidationError", "ValidationError"):
        if f"#/components/schemas/{unused}\"" not in json.dumps(document):
            schemas.pop(unused, None)
    return document


def install_openapi(app: FastAPI) -> None:
    """Makes app.openapi() describe FastAPI's document (which it caches, and builds again when
    routes are added) once per build."""
    described: list[int] = []

    def openapi() -> dict[str, Any]:
        document = FastAPI.openapi(app)
        if described != [id(document)]:
            described[:] = [id(document)]
            describe_errors(document, app.routes)
        return document

    app.openapi = openapi  # type: ignore[method-assign]
