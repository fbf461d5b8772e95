"""Small SQL helpers the identity repositories share."""

from datetime import date
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, func
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


async def insert_unique(db: AsyncSession, row: Any) -> bool:
    """Insert `row` unless a unique constraint refuses it; False then, and the transaction lives on.

    A savepoint confines the failure: two writers racing to create the same record (two sign-in
    sheet imports naming one new district, say) end with one row and no error.
    """
    try:
        async with db.begin_nested():
            db.add(row)
    except IntegrityError:
        return False
    return True
