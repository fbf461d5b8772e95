"""Idempotency-Key: the first answer to a key is stored in the same transaction as the change it
reports, and every retry with that key gets the same status and body back; the same key sent
with a different request is refused (422).

A service declares its table from the base here, on its own registry (as with the outbox):

    class IdempotencyRecord(IdempotencyRecordBase, ServiceTable, table=True):
        __tablename__ = "idempotency_record"
        __table_args__ = (UniqueConstraint("subject", "key"),)

    idempotency = Idempotency(IdempotencyRecord)
    ... return await idempotency.respond(db, request, subject=..., key=..., body=..., action=...)
    ... or, when the answer is a schema: return await idempotency.respond_once(db, request,
        actor, key, body=..., status_code=201, work=lambda: service.create(...), public=...)

The claim is inserted before the work: on PostgreSQL a concurrent attempt with the same key waits
on the unique index until the first commits, then fails and replays the stored answer; on SQLite
BEGIN IMMEDIATE already runs them one after the other, so the second simply finds the record.
Failures (4xx raised as errors) roll the claim back with everything else, so a retry runs afresh.
"""

import hashlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import Header, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import JSON
from sqlalchemy.exc import IntegrityError
from sqlalchemy.schema import SchemaItem, conv
from sqlmodel import Field, SQLModel, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.sqltypes import AutoString

from shared.auth import Principal
from shared.db import UTCDateTime, utcnow
from shared.errors import Conflict, InvalidInput
from shared.ids import new_id

# The optional header every write route takes.
IdempotencyKey = Annotated[str | None, Header(min_length=1, max_length=255)]

# The header of write routes that must be retried safely (a batch): a request without it is 422.
RequiredIdempotencyKey = Annotated[str, Header(
    min_length=1, max_length=255,
    description="Required: a retry with the same key gets the first answer again.")]

# `responses=` of a route taking RequiredIdempotencyKey (the body is the shared Problem).
REQUIRED_KEY_RESPONSES: dict[int | str, dict[str, Any]] = {
    422: {"description": "Invalid input, or no Idempotency-Key header (the key is required)"}}

KEY_DESCRIPTION = ("A retry with the same Idempotency-Key gets the first answer again "
                   "(header Idempotent-Replayed: true).")

Action = Callable[[], Awaitable[tuple[int, Any]]]


class IdempotencyKeyReused(InvalidInput):
    code, title = "idempotency_key_reused", "Idempotency key reused with another request"


class IdempotencyRecordBase(SQLModel):
    """The first answer to a request sent with an Idempotency-Key, replayed to its retries.

    Unique per caller and key (the service's table declares the constraint): of two concurrent
    first attempts only one can insert its claim."""

    id: str = Field(default_factory=new_id, primary_key=True, max_length=26)
    subject: str = Field(max_length=200)
    key: str = Field(max_length=255)
    method: str = Field(max_length=10)
    path: str = Field(max_length=500)
    request_hash: str = Field(max_length=64)
    status_code: int = 0
    response: Any | None = Field(default=None, sa_type=JSON)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


@dataclass(frozen=True)
class Outcome:
    status_code: int
    body: Any  # the JSON answer: an object, or a list for routes that answer one
    replayed: bool = False


def fingerprint(method: str, path: str, body: Any) -> str:
    canonical = json.dumps({"method": method, "path": path, "body": body}, sort_keys=True,
                           separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _replay(record: IdempotencyRecordBase, request_hash: str) -> Outcome:
    if record.request_hash != request_hash:
        raise IdempotencyKeyReused("This Idempotency-Key was first used for a different request.")
    return Outcome(record.status_code, record.response, replayed=True)


class Idempotency:
    """Idempotency-Key handling over one service's record table."""

    def __init__(self, model: type[IdempotencyRecordBase]) -> None:
        self.model = model

    async def _find(self, db: AsyncSession, *, subject: str, key: str
                    ) -> IdempotencyRecordBase | None:
        statement = select(self.model).where(self.model.subject == subject,
                                             self.model.key == key)
        return (await db.exec(statement)).first()

    async def run_once(self, db: AsyncSession, *, subject: str, key: str | None, method: str,
                       path: str, request_hash: str, action: Action,
                       stored: Callable[[Any], Any] | None = None) -> Outcome:
        """stored, when given, is what the record keeps of the answer (a secret shown once, such
        as a private link or an API key, is left out, so a replay answers without it)."""
        if key is None:
            return Outcome(*await action())
        found = await self._find(db, subject=subject, key=key)
        if found is not None:
            return _replay(found, request_hash)
        claim = self.model(subject=subject, key=key, method=method, path=path,
                           request_hash=request_hash)
        try:
            db.add(claim)
            await db.flush()
        except IntegrityError:
            # A concurrent attempt with this key committed first. Its transaction is over, so
            # end ours and read what it answered.
            await db.rollback()
            found = await self._find(db, subject=subject, key=key)
            if found is None:
                raise Conflict("A request with this Idempotency-Key is still in progress."
                               ) from None
            return _replay(found, request_hash)
        status_code, body = await action()
        claim.status_code, claim.response = status_code, stored(body) if stored else body
        db.add(claim)
        await db.flush()
        return Outcome(status_code, body)

    async def respond(self, db: AsyncSession, request: Request, *, subject: str,
                      key: str | None, body: Any, action: Action,
                      stored: Callable[[Any], Any] | None = None,
                      headers: dict[str, str] | None = None) -> Response:
        """run_once for a route: the answer (first or replayed) as JSON, marked when replayed.
        A 204 answer is replayed as an empty 204. `headers` go on every answer."""
        method, path = request.method, request.url.path
        outcome = await self.run_once(db, subject=subject, key=key, method=method, path=path,
                                      request_hash=fingerprint(method, path, body),
                                      action=action, stored=stored)
        sent = dict(headers or {})
        if outcome.replayed:
            sent["Idempotent-Replayed"] = "true"
        if outcome.status_code == 204:
            return Response(status_code=204, headers=sent or None)
        return JSONResponse(outcome.body, status_code=outcome.status_code, headers=sent or None)

    async def respond_once(self, db: AsyncSession, request: Request, actor: Principal,
                           key: str | None, *, body: Any, status_code: int,
                           work: Callable[[], Awaitable[Any]],
                           public: Callable[[Any], BaseModel] | None = None,
                           stored: Callable[[Any], Any] | None = None,
                           headers: dict[str, str] | None = None) -> Response:
        """respond for a write route as most are: the caller's subject scopes the key, `body` is
        the request as a retry must repeat it, and the answer is what `work` returns, shown
        through `public` when it is a record rather than a schema (nothing for a 204)."""
        async def action() -> tuple[int, Any]:
            done = await work()
            if status_code == 204:
                return 204, None
            return status_code, (public(done) if public else done).model_dump(mode="json")

        return await self.respond(db, request, subject=actor.subject, key=key, body=body,
                                  action=action, stored=stored, headers=headers)


def record_table_columns() -> list[SchemaItem]:
    """The idempotency_record table as a service's migration creates it:
    op.create_table("idempotency_record", *record_table_columns()).

    Migrations that ran already use it, so it stays as it is: a change to the table is a new
    migration, not an edit here. Names are given as the naming convention made them (op.f)."""
    return [
        sa.Column("id", AutoString(length=26), nullable=False),
        sa.Column("subject", AutoString(length=200), nullable=False),
        sa.Column("key", AutoString(length=255), nullable=False),
        sa.Column("method", AutoString(length=10), nullable=False),
        sa.Column("path", AutoString(length=500), nullable=False),
        sa.Column("request_hash", AutoString(length=64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("response", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=conv("pk_idempotency_record")),
        sa.UniqueConstraint("subject", "key", name=conv("uq_idempotency_record_subject_key")),
    ]
