"""The outbox: events written in the same transaction as the change, served as an ordered feed,
and read by other services from a cursor they keep in their own database.

A service declares its tables from the bases here, on its own registry:

    class OutboxEvent(OutboxEventBase, ServiceTable, table=True): pass
    class FeedCursor(FeedCursorBase, ServiceTable, table=True): pass    # consumers only
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from typing import Any

import httpx
import sqlalchemy as sa
from fastapi import APIRouter, Query
from pydantic import BaseModel
from sqlalchemy import JSON, text, update
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlalchemy.schema import SchemaItem, conv
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.sqltypes import AutoString

from shared.auth import ServicePrincipalDep
from shared.db import SessionDep, UTCDateTime, insert_rows, utcnow
from shared.denials import Attempt, DenialHook
from shared.errors import Forbidden
from shared.ids import new_id
from shared.service import finish_before_stopping

log = logging.getLogger("cascade.outbox")

# Any constant works: the lock is per database, and each service has its own schema.
_OUTBOX_LOCK = 0x0CA5CADE


class OutboxEventBase(SQLModel):
    id: int | None = Field(default=None, primary_key=True)
    topic: str = Field(max_length=100)
    key: str = Field(max_length=64)
    payload: dict[str, Any] = Field(sa_type=JSON)
    occurred_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


def event_table_columns() -> list[SchemaItem]:
    """The outbox_event table as a service's first migration creates it:
    op.create_table("outbox_event", *event_table_columns()).

    Migrations that ran already use it, so it stays as it is: a change to the table is a new
    migration, not an edit here. Names are given as the naming convention made them (op.f)."""
    return [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("topic", AutoString(length=100), nullable=False),
        sa.Column("key", AutoString(length=64), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=conv("pk_outbox_event")),
    ]


class FeedCursorBase(SQLModel):
    feed: str = Field(primary_key=True, max_length=64)
    position: str = Field(default="0", max_length=64)


async def publish(db: AsyncSession, model: type[OutboxEventBase], *, topic: str, key: str,
                  payload: dict[str, Any]) -> None:
    """Record an event in the current transaction: it exists exactly when the change commits."""
    await publish_all(db, model, [(topic, key, payload)])


async def publish_all(db: AsyncSession, model: type[OutboxEventBase],
                      events: list[tuple[str, str, dict[str, Any]]]) -> None:
    """publish for many events (topic, key, payload) at once: one lock and one INSERT, the
    events in the feed in the order given."""
    if not events:
        return
    connection = await db.connection()
    if connection.dialect.name == "postgresql":
        # Ids come from a sequence, so on PostgreSQL two writers could commit ids out of order and
        # a reader could pass over the earlier one. Holding this lock from the insert to commit
        # makes id order commit order. (SQLite's BEGIN IMMEDIATE already serializes writers.)
        await db.exec(text("SELECT pg_advisory_xact_lock(:k)").bindparams(k=_OUTBOX_LOCK))
    now = utcnow()
    await insert_rows(db, model, [{"topic": topic, "key": key, "payload": payload,
                                   "occurred_at": now} for topic, key, payload in events])


# Refused attempts (shared/denials.py), for identity's audit log and no one else: they name who
# tried what.
DENIED_TOPIC = "access.denied"
DENIED_READERS = frozenset({"service:identity"})


def denials_to_outbox(model: type[OutboxEventBase]) -> DenialHook:
    """A service's record_denial: an `access.denied` event per organization, in a transaction of
    its own. Its key is the audit row's id-to-be, so a redelivered event writes no second row."""

    async def record_denial(app: Any, attempt: Attempt) -> None:
        async with app.state.sessions() as db, db.begin():
            for organization_id in attempt.denied.organization_ids:
                key = new_id()
                await publish(db, model, topic=DENIED_TOPIC, key=key, payload={
                    "id": key, "organization_id": organization_id,
                    "actor_subject": attempt.actor_subject, "action": attempt.action,
                    "target_type": attempt.denied.target_type,
                    "target_id": attempt.denied.target_id, "details": attempt.details()})

    return record_denial


class FeedEvent(BaseModel):
    id: str
    topic: str
    key: str
    payload: dict[str, Any]
    occurred_at: datetime


class FeedPage(BaseModel):
    events: list[FeedEvent]
    next_cursor: str
    has_more: bool


def feed_router(model: type[OutboxEventBase], *, readers: frozenset[str] | None = None,
                private_topics: Mapping[str, frozenset[str]] | None = None) -> APIRouter:
    """The feed of `model`'s outbox. `readers`, when given, are the only services (token
    subjects, "service:<name>") that read it at all, beside platform admins (403 for any
    other). `private_topics` maps a topic to the only callers it is served to; every other
    caller reads past those events. Refused attempts are always private to identity."""
    router = APIRouter(tags=["feed"])
    private = {DENIED_TOPIC: DENIED_READERS, **(private_topics or {})}

    @router.get("/feed", response_model=FeedPage, summary="The service's event feed")
    async def read_feed(
        db: SessionDep,
        _caller: ServicePrincipalDep,
        # ASCII digits that fit a 64-bit id: str.isdigit() took "\u00b2", which int() refuses,
        # and SQL overflows on a longer number; both were 500s.
        after: str = Query("0", pattern=r"^[0-9]{1,18}$",
                           description="the next_cursor of the previous page"),
        limit: int = Query(100, ge=1, le=1000),
    ) -> FeedPage:
        if readers is not None and not (_caller.is_platform_admin or _caller.subject in readers):
            raise Forbidden("This feed is not for this service.")
        statement = select(model).where(model.id > int(after))
        hidden = [topic for topic, readers in private.items() if _caller.subject not in readers]
        if hidden:
            statement = statement.where(col(model.topic).not_in(hidden))
        rows = (await db.exec(statement.order_by(model.id).limit(limit + 1))).all()
        page = rows[:limit]
        return FeedPage(
            events=[FeedEvent(id=str(e.id), topic=e.topic, key=e.key, payload=e.payload,
                              occurred_at=e.occurred_at) for e in page],
            next_cursor=str(page[-1].id) if page else after,
            has_more=len(rows) > limit,
        )

    return router


Apply = Callable[[AsyncSession, FeedEvent], Awaitable[None]]
# A whole page at once, in feed order: for consumers that write a page in a few statements.
ApplyPage = Callable[[AsyncSession, list[FeedEvent]], Awaitable[None]]


def one_at_a_time(apply: Apply) -> ApplyPage:
    """The page applied event by event, in order."""

    async def apply_page(db: AsyncSession, events: list[FeedEvent]) -> None:
        for event in events:
            await apply(db, event)

    return apply_page


class FeedConsumer:
    """Reads one feed into the consumer's database, exactly once per event.

    Each page is applied in one transaction together with the cursor move, guarded by the cursor
    the page was read from: a restart resumes from the cursor, and a second replica reading the
    same page finds the cursor moved and discards its copy. Give `apply` to apply each event
    alone, or `apply_page` to be handed the page's events together.
    """

    def __init__(
        self,
        *,
        feed: str,
        path: str,
        client: httpx.AsyncClient,
        sessions: async_sessionmaker[AsyncSession],
        cursor_model: type[FeedCursorBase],
        apply: Apply | None = None,
        apply_page: ApplyPage | None = None,
        headers: Callable[[], Awaitable[dict[str, str]]],
        poll_interval: float = 0.3,
        page_size: int = 500,
    ) -> None:
        self.feed, self.path, self.client = feed, path, client
        if (apply is None) == (apply_page is None):
            raise TypeError("give either apply or apply_page")
        self.sessions, self.cursor_model = sessions, cursor_model
        self.apply_page = apply_page or one_at_a_time(apply)
        self.headers, self.poll_interval, self.page_size = headers, poll_interval, page_size

    async def position(self) -> str:
        async with self.sessions() as db:
            cursor = await db.get(self.cursor_model, self.feed)
            return cursor.position if cursor else "0"

    async def poll_once(self) -> int:
        """Apply the next page; returns how many events it applied."""
        position = await self.position()
        response = await self.client.get(
            self.path, params={"after": position, "limit": self.page_size},
            headers=await self.headers(),
        )
        response.raise_for_status()
        page = FeedPage.model_validate(response.json())
        if not page.events:
            return 0
        async with self.sessions() as db:
            moved = await db.exec(
                update(self.cursor_model)
                .where(self.cursor_model.feed == self.feed, self.cursor_model.position == position)
                .values(position=page.next_cursor)
            )
            if moved.rowcount == 0:
                if position != "0" or await db.get(self.cursor_model, self.feed):
                    await db.rollback()  # another reader applied this page first
                    return 0
                db.add(self.cursor_model(feed=self.feed, position=page.next_cursor))
            await self.apply_page(db, page.events)
            await db.commit()
        return len(page.events)

    async def run(self) -> None:
        backoff = self.poll_interval
        while True:
            try:
                applied = await finish_before_stopping(self.poll_once())
                backoff = self.poll_interval
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                # A service that is down or still starting is expected: one line, no traceback.
                log.warning("feed %s: poll failed (%s); retrying in %.1fs", self.feed, exc,
                            backoff, exc_info=not isinstance(exc, httpx.HTTPError))
                applied = 0
                backoff = min(backoff * 2, 5.0)
            if not applied:
                await asyncio.sleep(backoff)
