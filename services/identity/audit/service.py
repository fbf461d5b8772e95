"""The audit log: who changed what, written in the transaction of the change itself; and who
was refused what (shared/denials.py): identity's own refusals in a transaction of their own,
the other services' from their feeds."""

import hashlib
import logging
from typing import Any

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from services.identity import access
from services.identity.audit import repository
from services.identity.audit.models import AuditEntry
from services.identity.audit.schemas import AuditFilter
from services.identity.organizations import repository as organizations
from shared.auth import Principal
from shared.db import insert_unless_duplicate
from shared.denials import Attempt, DenialHook
from shared.outbox import FeedEvent
from shared.pagination import PageParams

log = logging.getLogger("cascade.identity.audit")
_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"  # the alphabet of shared/ids.py


async def record(db: AsyncSession, *, actor: str, action: str, target_type: str, target_id: str,
                 organization_id: str | None = None, details: dict[str, Any] | None = None
                 ) -> AuditEntry:
    return await repository.add(db, AuditEntry(
        actor_subject=actor, action=action, target_type=target_type, target_id=target_id,
        organization_id=organization_id, details=details or {},
    ))


async def record_all(db: AsyncSession, entries: list[dict[str, Any]]) -> None:
    """Many entries, each given as its columns (id and time left to their defaults), in one
    statement (a whole sign-in sheet's people, say)."""
    await repository.add_all(db, entries)


async def record_attempt(db: AsyncSession, attempt: Attempt) -> None:
    """Audits a refused attempt: a row under each network the refused object is in (where its
    admins read it); none when it names only organizations identity does not know, and one for
    platform admins alone when it names none (a person who belongs nowhere yet)."""
    denied = attempt.denied
    named = set(denied.organization_ids)
    filed_under = sorted(await organizations.networks_of(db, named)) if named else [None]
    for organization_id in filed_under:
        await record(db, actor=attempt.actor_subject, action=attempt.action,
                     target_type=denied.target_type, target_id=denied.target_id,
                     organization_id=organization_id, details=attempt.details())


def denials_to_audit(sessions: async_sessionmaker[AsyncSession]) -> DenialHook:
    """Identity's record_denial: its own refusals go straight to the log, in a transaction of
    their own (the request's rolled back with the refusal)."""

    async def record_denial(_app: object, attempt: Attempt) -> None:
        async with sessions() as db, db.begin():
            await record_attempt(db, attempt)

    return record_denial


def _text(payload: dict[str, Any], name: str, longest: int) -> str | None:
    value = payload.get(name)
    return value if isinstance(value, str) and 0 < len(value) <= longest else None


def _row_id(event_id: str, organization_id: str) -> str:
    """The audit row a denial event makes under one organization: always the same for the same
    two (a redelivered event finds its rows), and as time-ordered as the event's own id (its
    first ten characters are its time)."""
    digest = hashlib.sha256(f"{event_id}|{organization_id}".encode()).digest()
    number = int.from_bytes(digest[:10], "big")
    return event_id[:10] + "".join(_ALPHABET[(number >> (5 * i)) & 31] for i in range(15, -1, -1))


# Queries other services audit as they answer them (a partner's reach query).
QUERY_ACTIONS = frozenset({"reach.query"})


async def apply_denied_event(db: AsyncSession, event: FeedEvent) -> None:
    """An `access.denied` (or `reach.queried`) event of another service's feed becomes the audit
    rows it describes, under the networks of the organization it names (a district's, say),
    once: a redelivered
    event writes nothing. One naming an organization identity does not know, or a field the
    table cannot hold, writes nothing either (it would otherwise stop the feed there)."""
    payload = event.payload
    fields = {name: _text(payload, name, longest) for name, longest in (
        ("id", 26), ("organization_id", 26), ("actor_subject", 100), ("action", 50),
        ("target_type", 30), ("target_id", 26))}
    details = payload.get("details")
    if None in fields.values() or not isinstance(details, dict) \
            or not (fields["action"].endswith(".denied") or fields["action"] in QUERY_ACTIONS):
        log.warning("feed event %s: not a denial identity can keep", event.id)
        return
    event_id, named = fields.pop("id"), fields.pop("organization_id")
    for organization_id in sorted(await organizations.networks_of(db, {named})):
        await insert_unless_duplicate(db, AuditEntry(
            id=_row_id(event_id, organization_id), at=event.occurred_at,
            organization_id=organization_id, details=details, **fields))


async def list_entries(db: AsyncSession, actor: Principal, params: PageParams, *,
                       organization_id: str | None, wanted: AuditFilter | None = None
                       ) -> tuple[list[AuditEntry], str | None]:
    if organization_id is None:
        access.require(actor.is_platform_admin, "Only platform admins read the whole audit log.")
    else:
        access.require(access.administers(actor, organization_id),
                       "Only this organization's network admins read its audit log.",
                       organization_id=organization_id)
    return await repository.page(db, params, organization_id=organization_id,
                                 wanted=wanted or AuditFilter())


async def actor_names(db: AsyncSession, subjects: set[str]) -> dict[str, str]:
    """The readable name of each subject identity knows, for a page of the log: one query for
    its people (a user's subject is their account's id), one for its API keys (a service's
    name is in its subject)."""
    key_ids = {s.removeprefix("apikey:") for s in subjects if s.startswith("apikey:")}
    accounts = {s for s in subjects if ":" not in s and len(s) == 26}
    keys = await repository.key_names(db, key_ids)
    names = {f"apikey:{key_id}": f"{organization} (key {prefix}…)"
             for key_id, (prefix, organization) in keys.items()}
    names |= await repository.full_names(db, accounts)
    names |= {s: f"Cascade ({s.removeprefix('service:')})" for s in subjects
              if s.startswith("service:") and len(s) > len("service:")}
    return names
