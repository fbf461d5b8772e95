"""Idempotency-Key at the HTTP edge: the first answer, or its replay, as a JSON response."""

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse
from sqlmodel.ext.asyncio.session import AsyncSession

from services.scheduling.idempotency.service import fingerprint, run_once


async def respond(
    db: AsyncSession,
    request: Request,
    *,
    subject: str,
    key: str | None,
    body: Any,
    action: Callable[[], Awaitable[tuple[int, dict[str, Any]]]],
) -> JSONResponse:
    """run_once for a route: the answer (first or replayed) as JSON, marked when replayed."""
    method, path = request.method, request.url.path
    outcome = await run_once(db, subject=subject, key=key, method=method, path=path,
                             request_hash=fingerprint(method, path, body), action=action)
    headers = {"Idempotent-Replayed": "true"} if outcome.replayed else None
    return JSONResponse(outcome.body, status_code=outcome.status_code, headers=headers)
