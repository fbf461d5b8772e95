"""Accounts: a person's credentials, made by the person (sign-up, confirmed by a mailed link),
by accepting an invitation, or by the command line."""

from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from services.identity import links
from services.identity.accounts import passwords, repository
from services.identity.accounts.models import Account, Signup
from services.identity.accounts.schemas import (
    AccountCreate,
    Me,
    MeMembership,
    SignupAnswer,
    SignupConfirm,
)
from services.identity.audit import service as audit
from services.identity.errors import AccountExists, LinkNotFound
from services.identity.mail import request_mail
from services.identity.memberships import repository as memberships
from services.identity.organizations.service import Place
from services.identity.people import repository as people
from services.identity.people.models import Person
from services.identity.people.schemas import PersonPublic
from services.identity.people.service import add_person
from services.identity.settings import IdentitySettings
from services.identity.sql import spend_link, today
from shared.auth import Principal
from shared.db import utcnow
from shared.errors import Forbidden, NotFound

NOWHERE = Place(school_id=None, district_id=None, county=None)
LINK_GONE = "This link is not valid: it was used already, has expired, or never existed."


async def sign_up(db: AsyncSession, data: AccountCreate, *,
                  settings: IdentitySettings) -> SignupAnswer:
    """Mails a link that confirms the address; nothing is linked to anyone until it is used.

    The answer is the same for every email. When the email already has an account, its owner
    gets a note instead (at most one an hour), and nothing is created."""
    # Hashed before the first query, so the transaction (SQLite's write lock) is not held
    # through the 20 ms of hashing; hashed for every email, so the time tells nothing either.
    password_hash = await passwords.hash_password(data.password)
    email = data.email.strip().lower()
    found = await repository.with_person_by_email(db, email)
    if found is not None:
        account, person = found
        await request_mail(
            db, to_email=person.email, person_id=person.id,
            subject="Someone tried to sign up with your email",
            body=(f"Hello {person.full_name},\n\nSomeone (you, perhaps) tried to make a new "
                  "Cascade account with this address, which already has one. Nothing was "
                  f"changed.\n\nSign in: {settings.site_url}/login\nForgot your password? "
                  f"{settings.site_url}/forgot-password"),
            dedupe_key=f"signup_note:{account.id}:{utcnow():%Y%m%d%H}",
        )
        return SignupAnswer()
    token, token_hash = links.new_token()
    await repository.add_signup(db, Signup(
        email=email, full_name=data.full_name.strip(), role=data.role.value,
        password_hash=password_hash, token_hash=token_hash,
        expires_at=links.expires_in(settings.signup_link_ttl)))
    await request_mail(
        db, to_email=email, person_id=None, subject="Confirm your email for Cascade",
        body=(f"Hello {data.full_name.strip()},\n\nTo finish making your Cascade account, open "
              f"this link and sign in with the password you chose:\n\n"
              f"{settings.site_url}/verify/{token}\n\nThe link works once, within "
              f"{settings.signup_link_ttl // 3600 or 1} hours. If you did not sign up, ignore "
              "this mail: no account is made."),
        dedupe_key=f"signup:{token_hash[:32]}",
    )
    return SignupAnswer()


async def confirm_signup(db: AsyncSession, data: SignupConfirm) -> tuple[Account, Person]:
    """Makes the account of a confirmed sign-up, linked to the person with that email (or a new
    one). The link works once; a wrong password leaves it unused."""
    signup = await repository.signup_by_token_hash(db, links.hash_token(data.token))
    if not links.opens(signup, data.token):
        raise LinkNotFound(LINK_GONE)
    matches, _ = await passwords.verify_password(signup.password_hash, data.password)
    if not matches:
        raise Forbidden("That is not the password chosen when signing up.")
    now = utcnow()
    if not await spend_link(db, signup, now):
        raise LinkNotFound(LINK_GONE)
    account, person = await activate(db, email=signup.email, full_name=signup.full_name,
                                     role=signup.role, password_hash=signup.password_hash,
                                     verified_at=now)
    await audit.record(db, actor=f"account:{account.id}", action="account.signup_confirmed",
                       target_type="account", target_id=account.id,
                       details={"person_id": person.id})
    return account, person


async def activate(db: AsyncSession, *, email: str, full_name: str, role: str,
                   password_hash: str, verified_at: datetime | None) -> tuple[Account, Person]:
    """The account of a proven address, on the person recorded with that email (a sign-in
    sheet's, say) or a new one. AccountExists when the email has an account already."""
    person = await people.by_email(db, email)
    if person is not None and await repository.by_person(db, person.id) is not None:
        raise AccountExists("An account with this email already exists; sign in instead.")
    if person is None:
        person = await add_person(db, email=email, full_name=full_name, role=role, place=NOWHERE)
    account = Account(person_id=person.id, password_hash=password_hash,
                      email_verified_at=verified_at)
    if not await repository.add_unless_present(db, account):
        raise AccountExists("An account with this email already exists; sign in instead.")
    return account, person


async def mark_email_verified(db: AsyncSession, account: Account) -> None:
    """The account's owner used a link mailed to its address."""
    if account.email_verified_at is None:
        account.email_verified_at = utcnow()
        await repository.save(db, account)


async def make_platform_admin(db: AsyncSession, *, email: str, password_hash: str,
                              full_name: str, actor: str) -> Account:
    """Creates a platform admin, or promotes the account of that email and sets its password.
    The operator running the command vouches for the address."""
    person = await people.by_email(db, email) or await add_person(
        db, email=email, full_name=full_name, role="other", place=NOWHERE)
    account = await repository.by_person(db, person.id)
    if account is None:
        account = Account(person_id=person.id, password_hash=password_hash)
    account.password_hash = password_hash
    account.is_platform_admin = True
    account.email_verified_at = account.email_verified_at or utcnow()
    await repository.save(db, account)
    await audit.record(db, actor=actor, action="admin.create", target_type="account",
                       target_id=account.id, details={"person_id": person.id})
    return account


async def make_account(db: AsyncSession, *, email: str, password_hash: str, full_name: str,
                       actor: str) -> Account:
    """An operator's account for an address they vouch for (the demo's logins), confirmed."""
    account, person = await activate(db, email=email.strip().lower(), full_name=full_name,
                                     role="other", password_hash=password_hash,
                                     verified_at=utcnow())
    await audit.record(db, actor=actor, action="account.create", target_type="account",
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
        email_verified=account.email_verified_at is not None,
        memberships=[MeMembership(
            organization_id=organization.id, organization_name=organization.name,
            organization_kind=organization.kind, role=membership.role,
            starts_on=membership.starts_on, ends_on=membership.ends_on,
        ) for membership, organization in rows],
    )
