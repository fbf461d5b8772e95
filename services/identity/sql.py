"""Small SQL helpers the identity repositories share."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import update
from sqlmodel import SQLModel, col, func
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.db import utcnow


def today() -> date:
    return utcnow().date()


def contains_ci(column: Any, text: str) -> Any:
    """Case-insensitive substring match; the caller's %, _ and \\ match themselves."""
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return func.lower(col(column)).like(f"%{escaped}%", escape="\\")


def equals_ci(column: Any, text: str) -> Any:
    return func.lower(col(column)) == text.strip().lower()


async def spend_link(db: AsyncSession, row: SQLModel, used_at: datetime) -> bool:
    """Spends a single-use link's row (a table with id and used_at): True for the one caller
    whose UPDATE found it unused, so two requests racing with one link cannot both use it."""
    model = type(row)
    moved = await db.exec(
        update(model).where(col(model.id) == row.id, col(model.used_at).is_(None))
        .values(used_at=used_at).execution_options(synchronize_session=False)
    )
    return moved.rowcount == 1
