"""Accounts: a person's credentials, made by the person (sign-up) or by the command line."""

from sqlmodel.ext.asyncio.session import AsyncSession

from services.identity.accounts import passwords, repository
from services.identity.accounts.models import Account
from services.identity.accounts.schemas import AccountCreate, Me, MeMembership
from services.identity.audit import service as audit
from services.identity.errors import AccountExists
from services.identity.memberships import repository as memberships
from services.identity.organizations.service import Place
from services.identity.people import repository as people
from services.identity.people.models import Person
from services.identity.people.schemas import PersonPublic
from services.identity.people.service import add_person
from services.identity.sql import today
from shared.auth import Principal
from shared.errors import Forbidden, NotFound

NOWHERE = Place(school_id=None, district_id=None, county=None)


async def sign_up(db: AsyncSession, data: AccountCreate) -> tuple[Account, Person]:
    """Creates the account, claiming the person a sign-in sheet already recorded with this email."""
    # Hashed before the first query, so the transaction (SQLite's write lock) is not held
    # through the 20 ms of hashing.
    password_hash = await passwords.hash_password(data.password)
    person = await people.by_email(db, data.email)
    if person is not None and await repository.by_person(db, person.id) is not None:
        raise AccountExists("An account with this email already exists; sign in instead.")
    if person is None:
        person = await add_person(db, email=data.email, full_name=data.full_name,
                                  role=data.role.value, place=NOWHERE)
    account = Account(person_id=person.id, password_hash=password_hash)
    if not await repository.add_unless_present(db, account):
        raise AccountExists("An account with this email already exists; sign in instead.")
    return account, person


async def make_platform_admin(db: AsyncSession, *, email: str, password_hash: str,
                              full_name: str, actor: str) -> Account:
    """Creates a platform admin, or promotes the account of that email and sets its password."""
    person = await people.by_email(db, email) or await add_person(
        db, email=email, full_name=full_name, role="other", place=NOWHERE)
    account = await repository.by_person(db, person.id)
    if account is None:
        account = Account(person_id=person.id, password_hash=password_hash)
    account.password_hash = password_hash
    account.is_platform_admin = True
    await repository.save(db, account)
    await audit.record(db, actor=actor, action="admin.create", target_type="account",
                       target_id=account.id, details={"person_id": person.id})
    return account


async def get_me(db: AsyncSession, actor: Principal) -> Me:
    if actor.kind != "user":
        raise Forbidden("Only a signed-in person has a profile.")
    account = await repository.get(db, actor.subject)
    person = await people.get(db, account.person_id) if account else None
    if account is None or person is None:
        raise NotFound("This account no longer exists.")
    rows = await memberships.active_with_organizations(db, person.id, today())
    return Me(
        account_id=account.id,
        person=PersonPublic.model_validate(person),
        is_platform_admin=account.is_platform_admin,
        memberships=[MeMembership(
            organization_id=organization.id, organization_name=organization.name,
            organization_kind=organization.kind, role=membership.role,
            starts_on=membership.starts_on, ends_on=membership.ends_on,
        ) for membership, organization in rows],
    )
