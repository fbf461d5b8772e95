"""The scheduling service's own table registry; on PostgreSQL its tables live in schema "scheduling"."""

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.db import SQLModel, new_registry
from shared.outbox import OutboxEventBase


class ServiceTable(SQLModel, registry=new_registry()):
    """Base of every scheduling table."""


class OutboxEvent(OutboxEventBase, ServiceTable, table=True):
    __tablename__ = "outbox_event"


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC datetime on both backends.

    SQLite keeps no offset, so values are stored as naive UTC there and given back their UTC
    offset on the way out; PostgreSQL stores timestamptz. Naive input is refused rather than
    guessed.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; give an offset")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


async def rows_by_id(db: AsyncSession, model: Any, ids: Iterable[str]) -> dict[str, Any]:
    """Rows of one table by id, in one query (for lists that show related records)."""
    wanted = list(set(ids))
    if not wanted:
        return {}
    rows = (await db.exec(select(model).where(col(model.id).in_(wanted)))).all()
    return {row.id: row for row in rows}
