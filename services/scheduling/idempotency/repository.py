"""Every SQL statement of idempotency records."""

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.scheduling.idempotency.models import IdempotencyRecord


async def find(db: AsyncSession, *, subject: str, key: str) -> IdempotencyRecord | None:
    statement = select(IdempotencyRecord).where(
        IdempotencyRecord.subject == subject, IdempotencyRecord.key == key
    )
    return (await db.exec(statement)).first()


async def save(db: AsyncSession, record: IdempotencyRecord) -> None:
    db.add(record)
    await db.flush()
