"""Idempotency-Key on identity's writes, over identity's own record table (the logic is shared):
a retried grant, key or person does its work once; the same key on another request is 422."""

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import Request, Response
from pydantic import BaseModel
from sqlalchemy import UniqueConstraint
from sqlmodel.ext.asyncio.session import AsyncSession

from services.identity.db import ServiceTable
from shared.auth import Principal
from shared.idempotency import KEY_DESCRIPTION, Idempotency, IdempotencyKey, IdempotencyRecordBase


class IdempotencyRecord(IdempotencyRecordBase, ServiceTable, table=True):
    __tablename__ = "idempotency_record"
    __table_args__ = (UniqueConstraint("subject", "key"),)


idempotency = Idempotency(IdempotencyRecord)


async def respond_once(db: AsyncSession, request: Request, actor: Principal, key: str | None,
                       *, body: Any, status_code: int, work: Callable[[], Awaitable[Any]],
                       public: Callable[[Any], BaseModel] | None = None,
                       stored: Callable[[Any], Any] | None = None,
                       headers: dict[str, str] | None = None) -> Response:
    """One of identity's writes, done once per key: the caller's subject scopes the key, `body`
    is the request as a retry must repeat it, and the answer is what `work` returns, shown
    through `public` when it is a record rather than a schema (nothing for a 204)."""
    async def action() -> tuple[int, Any]:
        done = await work()
        if status_code == 204:
            return 204, None
        return status_code, (public(done) if public else done).model_dump(mode="json")

    return await idempotency.respond(db, request, subject=actor.subject, key=key, body=body,
                                     action=action, stored=stored, headers=headers)


__all__ = ["KEY_DESCRIPTION", "IdempotencyKey", "IdempotencyRecord", "respond_once"]
