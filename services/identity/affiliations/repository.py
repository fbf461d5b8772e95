from sqlmodel.ext.asyncio.session import AsyncSession

from services.identity.affiliations.models import EventNetwork


async def network_of(db: AsyncSession, event_id: str) -> str | None:
    row = await db.get(EventNetwork, event_id)
    return row.network_id if row else None


async def remember_event(db: AsyncSession, *, event_id: str, network_id: str) -> None:
    row = await db.get(EventNetwork, event_id)
    if row is None:
        db.add(EventNetwork(event_id=event_id, network_id=network_id))
    else:
        row.network_id = network_id
    await db.flush()
