"""Every SQL statement on jobs and their line errors, for any kind of job table."""

from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import update
from sqlmodel import SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

Row = TypeVar("Row", bound=SQLModel)


async def save(db: AsyncSession, row: SQLModel) -> None:
    db.add(row)
    await db.flush()


async def save_all(db: AsyncSession, rows: list[SQLModel]) -> None:
    db.add_all(rows)
    await db.flush()


async def get(db: AsyncSession, model: type[Row], job_id: str) -> Row | None:
    return await db.get(model, job_id)


async def errors_of(db: AsyncSession, error_model: Any, job_id: str) -> list[Any]:
    statement = (select(error_model).where(error_model.job_id == job_id)
                 .order_by(col(error_model.line), col(error_model.id)))
    return list((await db.exec(statement)).all())


async def fail_if_silent(db: AsyncSession, model: Any, *, job_id: str, since: datetime,
                         message: str, now: datetime) -> bool:
    """Mark the job failed when it is unfinished and its heartbeat is older than `since`; the
    guard in the statement keeps a job that just moved from being failed by mistake."""
    result = await db.exec(
        update(model)
        .where(col(model.id) == job_id, col(model.status).in_(("queued", "running")),
               col(model.updated_at) < since)
        .values(status="failed", message=message, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1
