"""Starting an import job from its upload route, the same way for every kind of import."""

from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from sqlmodel.ext.asyncio.session import AsyncSession

from services.scheduling.idempotency.responses import respond
from shared.auth import Principal
from shared.service import start_task


async def start_job(
    request: Request,
    *,
    principal: Principal,
    key: str | None,
    fingerprint: Any,
    create: Callable[[AsyncSession], Awaitable[tuple[Any, dict[str, Any]]]],
    work: Callable[[Any], Coroutine[Any, Any, None]],
    name: str,
) -> Response:
    """Create the job (`create` answers the job row and its public body) and answer 202 with it,
    or replay the first answer to this Idempotency-Key; then start `work(job)` in the
    background, once the job is committed. A replay starts nothing.

    The route has no request unit of work: the job must be committed before its task starts, and
    on SQLite a second open transaction would wait on the first one's write lock."""
    created: list[Any] = []

    async def action() -> tuple[int, dict[str, Any]]:
        job, body = await create(db)
        created.append(job)
        return 202, body

    async with request.app.state.sessions() as db:
        response = await respond(db, request, subject=principal.subject, key=key,
                                 body=fingerprint, action=action)
        await db.commit()
    if created:
        # Cancelled with the app when the service stops; the job is then marked failed.
        start_task(request.app, work(created[0]), name=f"{name}-{created[0].id}")
    return response
