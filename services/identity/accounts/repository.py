from sqlalchemy import delete
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.identity.accounts.models import Account, Signup
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


async def add_signup(db: AsyncSession, signup: Signup) -> Signup:
    """Stores a sign-up waiting for its link; an earlier unconfirmed one for the same email is
    dropped, so only the newest link (and the password chosen with it) can make the account."""
    await db.exec(delete(Signup).where(col(Signup.email) == signup.email,
                                       col(Signup.used_at).is_(None)))
    db.add(signup)
    await db.flush()
    return signup


async def signup_by_token_hash(db: AsyncSession, token_hash: str) -> Signup | None:
    return (await db.exec(select(Signup).where(Signup.token_hash == token_hash))).first()

