from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlmodel import col, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.identity.accounts.models import Account
from services.identity.api_keys.models import ApiKey
from services.identity.audit.models import AuditEntry
from services.identity.audit.schemas import AuditFilter
from services.identity.organizations.models import Organization
from services.identity.people.models import Person
from shared.db import insert_rows
from shared.pagination import PageParams, fetch_page

DENIED_SUFFIX = ".denied"  # the actions of refused attempts (shared/denials.py)


async def add(db: AsyncSession, entry: AuditEntry) -> AuditEntry:
    db.add(entry)
    await db.flush()
    return entry


async def add_all(db: AsyncSession, entries: list[dict[str, Any]]) -> None:
    await insert_rows(db, AuditEntry, entries)


async def page(db: AsyncSession, params: PageParams, *, organization_id: str | None,
               wanted: AuditFilter) -> tuple[list[AuditEntry], str | None]:
    statement = select(AuditEntry)
    if organization_id:
        statement = statement.where(AuditEntry.organization_id == organization_id)
    if wanted.actor_subject:
        statement = statement.where(AuditEntry.actor_subject == wanted.actor_subject)
    if wanted.action:
        statement = statement.where(or_(AuditEntry.action == wanted.action,
                                        col(AuditEntry.action).startswith(f"{wanted.action}.",
                                                                          autoescape=True)))
    if wanted.target_id:
        statement = statement.where(AuditEntry.target_id == wanted.target_id)
    if wanted.denied is not None:
        refused = col(AuditEntry.action).endswith(DENIED_SUFFIX)
        statement = statement.where(refused if wanted.denied else ~refused)
    if wanted.since:
        statement = statement.where(
            col(AuditEntry.at) >= datetime.combine(wanted.since, time(), tzinfo=UTC))
    if wanted.until:
        statement = statement.where(col(AuditEntry.at) < datetime.combine(
            wanted.until + timedelta(days=1), time(), tzinfo=UTC))
    return await fetch_page(db, statement, AuditEntry.id, params, newest_first=True)


async def full_names(db: AsyncSession, account_ids: set[str]) -> dict[str, str]:
    """The full name of the person of each account (a user token's subject)."""
    if not account_ids:
        return {}
    rows = await db.exec(select(Account.id, Person.full_name)
                         .join(Person, col(Person.id) == Account.person_id)
                         .where(col(Account.id).in_(account_ids)))
    return dict(rows.all())


async def key_names(db: AsyncSession, key_ids: set[str]) -> dict[str, tuple[str, str]]:
    """Each key's prefix and its partner organization's name."""
    if not key_ids:
        return {}
    rows = await db.exec(select(ApiKey.id, ApiKey.prefix, Organization.name)
                         .join(Organization, col(Organization.id) == ApiKey.organization_id)
                         .where(col(ApiKey.id).in_(key_ids)))
    return {key_id: (prefix, name) for key_id, prefix, name in rows.all()}
