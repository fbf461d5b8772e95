"""The scheduling service's own table registry; on PostgreSQL its tables live in schema
"scheduling"."""

from collections.abc import Iterable
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.db import SQLModel, new_registry
from shared.outbox import OutboxEventBase


class ServiceTable(SQLModel, registry=new_registry()):
    """Base of every scheduling table."""


class OutboxEvent(OutboxEventBase, ServiceTable, table=True):
    __tablename__ = "outbox_event"


async def rows_by_id(db: AsyncSession, model: Any, ids: Iterable[str]) -> dict[str, Any]:
    """Rows of one table by id, in one query (for lists that show related records)."""
    wanted = list(set(ids))
    if not wanted:
        return {}
    rows = (await db.exec(select(model).where(col(model.id).in_(wanted)))).all()
    return {row.id: row for row in rows}
