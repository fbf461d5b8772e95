from datetime import date

from sqlalchemy import true
from sqlmodel import col, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.identity.memberships.models import Membership
from services.identity.organizations.models import Organization
from shared.pagination import PageParams, fetch_page


def _active_on(day: date):
    return (or_(col(Membership.starts_on).is_(None), col(Membership.starts_on) <= day),
            or_(col(Membership.ends_on).is_(None), col(Membership.ends_on) >= day))


async def get(db: AsyncSession, membership_id: str) -> Membership | None:
    return await db.get(Membership, membership_id)


async def save(db: AsyncSession, membership: Membership) -> Membership:
    db.add(membership)
    await db.flush()
    return membership


async def delete(db: AsyncSession, membership: Membership) -> None:
    await db.delete(membership)
    await db.flush()


async def same_exists(db: AsyncSession, membership: Membership, *, other_than: str | None = None
                      ) -> bool:
    return (await db.exec(select(Membership.id).where(
        Membership.id != other_than if other_than else true(),
        Membership.organization_id == membership.organization_id,
        Membership.person_id == membership.person_id,
        Membership.role == membership.role,
        Membership.starts_on == membership.starts_on if membership.starts_on
        else col(Membership.starts_on).is_(None),
    ))).first() is not None


async def page(db: AsyncSession, params: PageParams, *, organization_id: str, role: str | None
               ) -> tuple[list[Membership], str | None]:
    statement = select(Membership).where(Membership.organization_id == organization_id)
    if role:
        statement = statement.where(Membership.role == role)
    return await fetch_page(db, statement, Membership.id, params)


async def active_with_organizations(db: AsyncSession, person_id: str, day: date
                                    ) -> list[tuple[Membership, Organization]]:
    rows = await db.exec(
        select(Membership, Organization)
        .join(Organization, col(Organization.id) == col(Membership.organization_id))
        .where(Membership.person_id == person_id, *_active_on(day))
        .order_by(col(Membership.id))
    )
    return list(rows)


async def active_roles(db: AsyncSession, person_id: str, day: date) -> dict[str, list[str]]:
    rows = await db.exec(
        select(Membership.organization_id, Membership.role)
        .where(Membership.person_id == person_id, *_active_on(day))
    )
    roles: dict[str, set[str]] = {}
    for organization_id, role in rows:
        roles.setdefault(organization_id, set()).add(role)
    return {organization_id: sorted(held) for organization_id, held in roles.items()}
