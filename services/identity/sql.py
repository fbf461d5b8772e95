"""Small SQL helpers the identity repositories share."""

from datetime import date
from typing import Any

from sqlmodel import col, func

from shared.db import utcnow


def today() -> date:
    return utcnow().date()


def contains_ci(column: Any, text: str) -> Any:
    """Case-insensitive substring match; the caller's %, _ and \\ match themselves."""
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return func.lower(col(column)).like(f"%{escaped}%", escape="\\")


def equals_ci(column: Any, text: str) -> Any:
    return func.lower(col(column)) == text.strip().lower()
