from sqlmodel import col, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.identity.people.models import Person, PersonAffiliation
from services.identity.sql import contains_ci
from shared.db import insert_unless_duplicate
from shared.pagination import PageParams, fetch_page


async def get(db: AsyncSession, person_id: str) -> Person | None:
    return await db.get(Person, person_id)


async def by_email(db: AsyncSession, email: str) -> Person | None:
    return (await db.exec(select(Person).where(Person.email == email.strip().lower()))).first()


async def by_ids(db: AsyncSession, ids: set[str]) -> dict[str, Person]:
    if not ids:
        return {}
    return {p.id: p for p in await db.exec(select(Person).where(col(Person.id).in_(ids)))}


async def add_unless_taken(db: AsyncSession, person: Person) -> bool:
    return await insert_unless_duplicate(db, person)


async def save(db: AsyncSession, person: Person) -> Person:
    db.add(person)
    await db.flush()
    return person


async def page(db: AsyncSession, params: PageParams, *, ids: list[str] | None,
               email: str | None, q: str | None) -> tuple[list[Person], str | None]:
    statement = select(Person)
    if ids is not None:
        statement = statement.where(col(Person.id).in_(ids))
    if email:
        statement = statement.where(Person.email == email.strip().lower())
    if q:
        statement = statement.where(or_(contains_ci(Person.full_name, q),
                                        contains_ci(Person.email, q)))
    return await fetch_page(db, statement, Person.id, params)


async def affiliate(db: AsyncSession, *, person_id: str, organization_id: str, source: str) -> bool:
    """Record that the person belongs to the organization's people; False if already known."""
    return await insert_unless_duplicate(db, PersonAffiliation(
        person_id=person_id, organization_id=organization_id, source=source))
