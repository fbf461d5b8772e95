from typing import Any

from sqlmodel import col, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.identity.memberships.models import Membership
from services.identity.organizations.models import Organization
from services.identity.people.models import Person, PersonAffiliation
from services.identity.sql import contains_ci
from shared.db import insert_rows_unless_duplicate, insert_unless_duplicate
from shared.pagination import PageParams, fetch_page


async def get(db: AsyncSession, person_id: str) -> Person | None:
    return await db.get(Person, person_id)


async def by_email(db: AsyncSession, email: str) -> Person | None:
    return (await db.exec(select(Person).where(Person.email == email.strip().lower()))).first()


async def by_emails(db: AsyncSession, emails: set[str]) -> dict[str, Person]:
    """The people with these (lower-cased) emails, by email, in one query."""
    if not emails:
        return {}
    statement = select(Person).where(col(Person.email).in_(sorted(emails)))
    return {p.email: p for p in await db.exec(statement)}


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


def of_organizations(organization_ids: set[str]) -> Any:
    """People who belong to any of these organizations: members (past ones too), people affiliated
    with them (matched for them, seen at their events), and people who work there (the district,
    a school of the district, or the school itself)."""
    orgs = sorted(organization_ids)
    return or_(
        col(Person.id).in_(select(Membership.person_id)
                           .where(col(Membership.organization_id).in_(orgs))),
        col(Person.id).in_(select(PersonAffiliation.person_id)
                           .where(col(PersonAffiliation.organization_id).in_(orgs))),
        col(Person.district_id).in_(orgs),
        col(Person.school_id).in_(orgs),
        col(Person.school_id).in_(select(Organization.id)
                                  .where(col(Organization.parent_id).in_(orgs))),
    )


async def belongs_to(db: AsyncSession, person_id: str, organization_ids: set[str]) -> bool:
    if not organization_ids:
        return False
    return (await db.exec(select(Person.id).where(
        Person.id == person_id, of_organizations(organization_ids)))).first() is not None


async def outside_of(db: AsyncSession, ids: set[str], organization_ids: set[str]
                     ) -> list[Person]:
    """Those of these people who belong to none of the organizations, in one query: NOT IN the
    ids of those who do, since NOT of_organizations is NULL (never true) for a person without a
    school or district."""
    if not ids:
        return []
    statement = select(Person).where(col(Person.id).in_(ids))
    if organization_ids:
        statement = statement.where(col(Person.id).not_in(
            select(Person.id).where(col(Person.id).in_(ids), of_organizations(organization_ids))))
    return list(await db.exec(statement.order_by(col(Person.id))))


async def organizations_of(db: AsyncSession, people: list[Person]) -> dict[str, set[str]]:
    """The organizations each person belongs to (of_organizations, the other way round): where
    they hold or held a membership, are affiliated, work. Two queries for all of them."""
    ids = [person.id for person in people]
    found = {person.id: {o for o in (person.district_id, person.school_id) if o}
             for person in people}
    for table in (Membership, PersonAffiliation):
        rows = await db.exec(select(table.person_id, table.organization_id)
                             .where(col(table.person_id).in_(ids)))
        for person_id, organization_id in rows:
            found[person_id].add(organization_id)
    return found


async def existing_ids(db: AsyncSession, *, ids: list[str] | None, email: str | None
                       ) -> list[str]:
    """Which of the asked-for people exist at all (whoever may see them)."""
    statement = select(Person.id)
    if ids is not None:
        statement = statement.where(col(Person.id).in_(ids))
    if email:
        statement = statement.where(Person.email == email.strip().lower())
    return list(await db.exec(statement.order_by(col(Person.id))))


async def page(db: AsyncSession, params: PageParams, *, ids: list[str] | None,
               email: str | None, q: str | None, within: set[str] | None = None
               ) -> tuple[list[Person], str | None]:
    """A page of people; `within`, when given, keeps those of these organizations only."""
    statement = select(Person)
    if within is not None:
        statement = statement.where(of_organizations(within)) if within \
            else statement.where(col(Person.id).is_(None))
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


async def affiliated(db: AsyncSession, *, person_ids: set[str], organization_ids: set[str]
                     ) -> set[tuple[str, str]]:
    """Which (person, organization) pairs among these are already affiliated, in one query."""
    if not person_ids or not organization_ids:
        return set()
    rows = await db.exec(select(PersonAffiliation.person_id, PersonAffiliation.organization_id)
                         .where(col(PersonAffiliation.person_id).in_(sorted(person_ids)),
                                col(PersonAffiliation.organization_id).in_(
                                    sorted(organization_ids))))
    return {(person_id, organization_id) for person_id, organization_id in rows}


async def affiliate_all(db: AsyncSession, wanted: dict[tuple[str, str], str]) -> None:
    """affiliate for many (person id, organization id) pairs, each with its source, in a few
    statements: pairs already affiliated, and those naming a person or an organization identity
    does not know, are passed over; the rest go in one flush."""
    if not wanted:
        return
    person_ids, organization_ids = {p for p, _o in wanted}, {o for _p, o in wanted}
    known = await affiliated(db, person_ids=person_ids, organization_ids=organization_ids)
    people = set(await existing_ids(db, ids=sorted(person_ids), email=None))
    organizations = set(await db.exec(select(Organization.id).where(
        col(Organization.id).in_(sorted(organization_ids)))))
    missing = [{"person_id": person_id, "organization_id": organization_id, "source": source}
               for (person_id, organization_id), source in wanted.items()
               if (person_id, organization_id) not in known and person_id in people
               and organization_id in organizations]
    if not await insert_rows_unless_duplicate(db, PersonAffiliation, missing):
        for row in missing:  # affiliated concurrently: each one that is not yet
            await affiliate(db, **row)
