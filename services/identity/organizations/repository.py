from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.identity.organizations.models import Organization
from services.identity.sql import contains_ci, equals_ci
from shared.db import insert_unless_duplicate
from shared.pagination import PageParams, fetch_page


async def get(db: AsyncSession, organization_id: str) -> Organization | None:
    return await db.get(Organization, organization_id)


async def by_ids(db: AsyncSession, ids: set[str]) -> dict[str, Organization]:
    if not ids:
        return {}
    rows = await db.exec(select(Organization).where(col(Organization.id).in_(ids)))
    return {row.id: row for row in rows}


async def by_natural_key(db: AsyncSession, natural_key: str) -> Organization | None:
    return (await db.exec(
        select(Organization).where(Organization.natural_key == natural_key)
    )).first()


async def add_unless_present(db: AsyncSession, organization: Organization) -> bool:
    return await insert_unless_duplicate(db, organization)


async def page(db: AsyncSession, params: PageParams, *, kind: str | None, parent_id: str | None,
               q: str | None) -> tuple[list[Organization], str | None]:
    statement = select(Organization)
    if kind:
        statement = statement.where(Organization.kind == kind)
    if parent_id:
        statement = statement.where(Organization.parent_id == parent_id)
    if q:
        statement = statement.where(contains_ci(Organization.name, q))
    return await fetch_page(db, statement, Organization.id, params)


async def named(db: AsyncSession, *, kind: str, name: str, parent_id: str | None = None
                ) -> list[Organization]:
    """Organizations of `kind` called `name` (case-insensitively), under `parent_id` if given."""
    statement = select(Organization).where(Organization.kind == kind,
                                           equals_ci(Organization.name, name))
    if parent_id:
        statement = statement.where(Organization.parent_id == parent_id)
    return list(await db.exec(statement.order_by(col(Organization.id))))


async def named_any(db: AsyncSession, *, kind: str, names: set[str]
                    ) -> dict[str, list[Organization]]:
    """named for many names at once: the organizations of `kind` by each name as named compares
    it (its lowercase), each list in id order."""
    lowered = func.lower(col(Organization.name))
    wanted = sorted({name.strip().lower() for name in names})
    found: dict[str, list[Organization]] = {}
    if not wanted:
        return found
    rows = await db.exec(select(Organization, lowered)
                         .where(Organization.kind == kind, lowered.in_(wanted))
                         .order_by(col(Organization.id)))
    for organization, name in rows:
        found.setdefault(name, []).append(organization)
    return found


async def networks_of(db: AsyncSession, organization_ids: set[str]) -> set[str]:
    """The networks these organizations are in: a network is in itself, a district in the
    network of its county office, and so on up. When none is in a network they stand for
    themselves. Ids of no organization count for nothing."""
    found = await by_ids(db, organization_ids)
    networks: set[str] = set()
    for organization in found.values():
        seen: set[str] = set()
        current: Organization | None = organization
        while current is not None and current.id not in seen:  # a cycle would never end
            seen.add(current.id)
            if current.kind == "network":
                networks.add(current.id)
            current = await get(db, current.parent_id) if current.parent_id else None
    return networks or set(found)
