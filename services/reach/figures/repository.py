"""The SQL the figures need beside the engine: a network's own settings and the headcounts of
organizations (for penetration)."""

from collections.abc import Iterable

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.reach.readmodel.models import Organization

_CHUNK = 500  # ids per IN list: well inside SQLite's and PostgreSQL's parameter limits


async def network(db: AsyncSession, network_id: str) -> Organization | None:
    """The organization, when the read model knows it as a network."""
    found = await db.get(Organization, network_id)
    return found if found is not None and found.kind == "network" else None


async def organizations(db: AsyncSession, ids: Iterable[str]) -> dict[str, Organization]:
    ids = sorted(set(ids))
    found: dict[str, Organization] = {}
    for i in range(0, len(ids), _CHUNK):
        chunk = ids[i:i + _CHUNK]
        rows = await db.exec(select(Organization).where(col(Organization.id).in_(chunk)))
        found |= {row.id: row for row in rows.all()}
    return found
