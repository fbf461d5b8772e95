"""Every SQL statement that writes reach's read model."""

from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from services.reach.db import ServiceTable


async def delete(db: AsyncSession, model: type[ServiceTable], row_id: str) -> None:
    row = await db.get(model, row_id)
    if row is not None:
        await db.delete(row)
        await db.flush()


async def upsert(db: AsyncSession, model: type[ServiceTable], values: dict[str, Any], *,
                 version: int) -> None:
    """Insert or update the row with values["id"], unless a later event already wrote it."""
    row = await db.get(model, values["id"])
    if row is None:
        db.add(model(**values, version=version))
    elif row.version < version:
        for name, value in values.items():
            setattr(row, name, value)
        row.version = version
    else:
        return
    # Flushed at once so a second event for the same id in the same page finds this row.
    await db.flush()
