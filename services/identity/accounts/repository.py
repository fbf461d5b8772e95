from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.identity.accounts.models import Account
from services.identity.people.models import Person
from shared.db import insert_unless_duplicate


async def get(db: AsyncSession, account_id: str) -> Account | None:
    return await db.get(Account, account_id)


async def by_person(db: AsyncSession, person_id: str) -> Account | None:
    return (await db.exec(select(Account).where(Account.person_id == person_id))).first()


async def with_person_by_email(db: AsyncSession, email: str) -> tuple[Account, Person] | None:
    row = (await db.exec(
        select(Account, Person).join(Person, col(Person.id) == col(Account.person_id))
        .where(Person.email == email.strip().lower())
    )).first()
    return (row[0], row[1]) if row else None


async def add_unless_present(db: AsyncSession, account: Account) -> bool:
    return await insert_unless_duplicate(db, account)


async def save(db: AsyncSession, account: Account) -> Account:
    db.add(account)
    await db.flush()
    return account
