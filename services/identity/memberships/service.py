"""Memberships: roles people hold in organizations, which become the roles in their tokens."""

from sqlmodel.ext.asyncio.session import AsyncSession

from services.identity import access
from services.identity.audit import service as audit
from services.identity.db import OutboxEvent
from services.identity.errors import MembershipExists, MembershipNotFound, PersonNotFound
from services.identity.memberships import repository
from services.identity.memberships.models import Membership
from services.identity.memberships.schemas import (
    MemberPerson,
    MembershipCreate,
    MembershipPublic,
    MembershipUpdate,
)
from services.identity.organizations.service import get_organization
from services.identity.people import repository as people
from services.identity.people import service as people_service
from shared.auth import Principal
from shared.errors import InvalidInput
from shared.outbox import publish
from shared.pagination import PageParams


def event_payload(membership: Membership) -> dict:
    return {"id": membership.id, "organization_id": membership.organization_id,
            "person_id": membership.person_id, "role": membership.role,
            "starts_on": membership.starts_on.isoformat() if membership.starts_on else None,
            "ends_on": membership.ends_on.isoformat() if membership.ends_on else None}


async def _saved(db: AsyncSession, actor: Principal | str, membership: Membership, change: str
                 ) -> Membership:
    """Writes the membership with its event and audit entry, all in the one transaction; the
    actor is the caller, or the subject to audit (an accepted invitation's account)."""
    await repository.save(db, membership)
    payload = event_payload(membership)
    await publish(db, OutboxEvent, topic=f"membership.{change}d", key=membership.id,
                  payload=payload)
    subject = actor if isinstance(actor, str) else actor.subject
    await audit.record(db, actor=subject, action=f"membership.{change}",
                       target_type="membership", target_id=membership.id,
                       organization_id=membership.organization_id, details=payload)
    return membership


def _require_admin(actor: Principal, organization_id: str) -> None:
    access.require(access.administers(actor, organization_id),
                   "Only platform admins and this organization's network admins manage members.",
                   organization_id=organization_id)


async def create_membership(db: AsyncSession, actor: Principal, organization_id: str,
                            data: MembershipCreate) -> Membership:
    _require_admin(actor, organization_id)
    await get_organization(db, organization_id)
    person = await people.get(db, data.person_id)
    if person is None:
        raise PersonNotFound(f"No person has id {data.person_id}.")
    # A role for someone outside the organizations the caller runs would bring that person into
    # their directory (ids are public, on sessions): bring them in by email first (a sign-in
    # sheet match, an invitation). Refused like a person that does not exist, and audited.
    scope = access.people_scope(actor)
    if scope is not None and not await people.belongs_to(db, person.id,
                                                         scope | {organization_id}):
        raise await people_service.denying(
            db, PersonNotFound(f"No person has id {data.person_id}."), person,
            action="membership.create",
            details={"reason": "outside_caller_organizations", "organization_id": organization_id})
    membership = Membership(organization_id=organization_id, person_id=data.person_id,
                            role=data.role.value, starts_on=data.starts_on, ends_on=data.ends_on)
    if await repository.same_exists(db, membership):
        raise MembershipExists("This person already holds this role from that day.")
    return await _saved(db, actor, membership, "create")


async def grant_invited(db: AsyncSession, *, actor: str, membership: Membership
                        ) -> Membership | None:
    """The membership an accepted invitation offered (its inviter was authorized when inviting);
    None when the person already holds that role from that day."""
    if await repository.same_exists(db, membership):
        return None
    return await _saved(db, actor, membership, "create")


async def update_membership(db: AsyncSession, actor: Principal, organization_id: str,
                            membership_id: str, data: MembershipUpdate) -> Membership:
    _require_admin(actor, organization_id)
    membership = await repository.get(db, membership_id)
    if membership is None or membership.organization_id != organization_id:
        raise MembershipNotFound(f"No membership {membership_id} in this organization.")
    changes = data.model_dump(exclude_unset=True)
    if changes.get("role") is None:
        changes.pop("role", None)  # a role is changed, never cleared
    for field, value in changes.items():
        setattr(membership, field, value)
    if await repository.same_exists(db, membership, other_than=membership.id):
        raise MembershipExists("This person already holds this role from that day.")
    # Checked again on the merged values: each bound may come from the body or the record.
    if membership.starts_on and membership.ends_on and membership.ends_on < membership.starts_on:
        raise InvalidInput("ends_on must not be before starts_on.")
    return await _saved(db, actor, membership, "update")


async def delete_membership(db: AsyncSession, actor: Principal, organization_id: str,
                            membership_id: str) -> None:
    """Takes back a membership granted by mistake (a cohort entry removed, say): it never held.
    Ending one that did hold is a change of its ends_on instead."""
    _require_admin(actor, organization_id)
    membership = await repository.get(db, membership_id)
    if membership is None or membership.organization_id != organization_id:
        raise MembershipNotFound(f"No membership {membership_id} in this organization.")
    payload = event_payload(membership)
    await repository.delete(db, membership)
    await publish(db, OutboxEvent, topic="membership.deleted", key=membership_id, payload=payload)
    await audit.record(db, actor=actor.subject, action="membership.delete",
                       target_type="membership", target_id=membership_id,
                       organization_id=organization_id, details=payload)


async def list_members(db: AsyncSession, actor: Principal, organization_id: str,
                       params: PageParams, *, role: str | None
                       ) -> tuple[list[MembershipPublic], str | None]:
    access.require(access.reads_members(actor, organization_id),
                   "Only this organization's admins, coordinators, leaders and analysts see "
                   "its members.", organization_id=organization_id)
    await get_organization(db, organization_id)
    rows, cursor = await repository.page(db, params, organization_id=organization_id, role=role)
    persons = await people.by_ids(db, {row.person_id for row in rows})
    items = []
    for row in rows:
        item = MembershipPublic.model_validate(row)
        if row.person_id in persons:
            item.person = MemberPerson.model_validate(persons[row.person_id])
        items.append(item)
    return items, cursor
