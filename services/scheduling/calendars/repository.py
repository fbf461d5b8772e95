"""Every SQL statement of personal calendar feeds."""

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.scheduling.registrations.models import Registration


async def registrations_of(db: AsyncSession, person_id: str) -> list[Registration]:
    """All of a person's registrations, cancelled ones too: a feed must carry the cancellation
    for a client to remove an entry it already shows."""
    statement = (select(Registration).where(Registration.person_id == person_id)
                 .order_by(col(Registration.id)))
    return list((await db.exec(statement)).all())
