"""Idempotency-Key at the HTTP edge: the first answer, or its replay, as a JSON response."""

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import Header, Request, Response
from fastapi.responses import JSONResponse
from sqlmodel.ext.asyncio.session import AsyncSession

from services.scheduling.idempotency.service import fingerprint, run_once

# The optional header every write route takes.
IdempotencyKey = Annotated[str | None, Header(min_length=1, max_length=255)]

KEY_DESCRIPTION = ("A retry with the same Idempotency-Key gets the first answer again "
                   "(header Idempotent-Replayed: true).")


async def respond(
    db: AsyncSession,
    request: Request,
    *,
    subject: str,
    key: str | None,
    body: Any,
    action: Callable[[], Awaitable[tuple[int, Any]]],
    stored: Callable[[Any], Any] | None = None,
) -> Response:
    """run_once for a route: the answer (first or replayed) as JSON, marked when replayed.
    A 204 answer is replayed as an empty 204."""
    method, path = request.method, request.url.path
    outcome = await run_once(db, subject=subject, key=key, method=method, path=path,
                             request_hash=fingerprint(method, path, body), action=action,
                             stored=stored)
    headers = {"Idempotent-Replayed": "true"} if outcome.replayed else None
    if outcome.status_code == 204:
        return Response(status_code=204, headers=headers)
    return JSONResponse(outcome.body, status_code=outcome.status_code, headers=headers)
