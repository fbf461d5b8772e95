"""Invitations: a network admin offers an address a role; the membership exists only once the
mailed link is accepted, by the account of that address (signing in) or by signing up with it
(which also confirms the address). Single-use, expiring, stored as a hash, audited."""

from sqlmodel.ext.asyncio.session import AsyncSession

from services.identity import access, links
from services.identity.accounts import passwords
from services.identity.accounts import repository as accounts
from services.identity.accounts.models import Account
from services.identity.accounts.service import LINK_GONE, activate, mark_email_verified
from services.identity.audit import service as audit
from services.identity.errors import InvitationClosed, InvitationNotFound, LinkNotFound
from services.identity.invitations import repository
from services.identity.invitations.models import Invitation
from services.identity.invitations.schemas import (
    InvitationAccept,
    InvitationAccepted,
    InvitationCreate,
    InvitationPreview,
    InvitationPublic,
    InvitationStatus,
)
from services.identity.mail import request_mail
from services.identity.memberships.models import Membership
from services.identity.memberships.service import grant_invited
from services.identity.organizations.models import Organization
from services.identity.organizations.service import get_organization
from services.identity.people.models import Person
from services.identity.settings import IdentitySettings
from shared.auth import Principal
from shared.db import utcnow
from shared.errors import Forbidden, InvalidInput
from shared.pagination import PageParams

MIN_PASSWORD_LENGTH = 10
ROLE_NAMES = {"network_admin": "network admin"}


def status_of(invitation: Invitation) -> InvitationStatus:
    if invitation.accepted_at is not None:
        return InvitationStatus.accepted
    if invitation.withdrawn_at is not None:
        return InvitationStatus.withdrawn
    if invitation.expires_at <= utcnow():
        return InvitationStatus.expired
    return InvitationStatus.pending


def public(invitation: Invitation) -> InvitationPublic:
    return InvitationPublic.model_validate(
        {**invitation.model_dump(), "status": status_of(invitation)})


def _require_admin(actor: Principal, organization_id: str) -> None:
    access.require(access.administers(actor, organization_id),
                   "Only platform admins and this organization's network admins invite people.",
                   organization_id=organization_id)


def _audit(db: AsyncSession, actor: str, action: str, invitation: Invitation):
    return audit.record(db, actor=actor, action=f"invitation.{action}", target_type="invitation",
                        target_id=invitation.id, organization_id=invitation.organization_id,
                        details={"email": invitation.email, "role": invitation.role})


async def _mail_link(db: AsyncSession, invitation: Invitation, organization: Organization, *,
                     settings: IdentitySettings) -> None:
    """A new token for the invitation (any earlier link stops working), mailed to the address."""
    token, token_hash = links.new_token()
    invitation.token_hash = token_hash
    invitation.expires_at = links.expires_in(settings.invitation_ttl)
    invitation.sent_at = utcnow()
    await repository.save(db, invitation)
    role = ROLE_NAMES.get(invitation.role, invitation.role)
    span = ""
    if invitation.starts_on or invitation.ends_on:
        span = (f" from {invitation.starts_on or 'now'}"
                f"{f' to {invitation.ends_on}' if invitation.ends_on else ''}")
    await request_mail(
        db, to_email=invitation.email, person_id=None,
        subject=f"You're invited to {organization.name} on Cascade"[:300],
        body=(f"Hello,\n\nYou are invited to join {organization.name} on Cascade as {role}"
              f"{span}. To accept, open this link and sign in, or make your account if you "
              f"have none yet:\n\n{settings.site_url}/invitations/{token}\n\nThe link works "
              f"once, within {max(settings.invitation_ttl // 86400, 1)} days. If you did not "
              "expect this, ignore this mail."),
        dedupe_key=f"invitation:{token_hash[:32]}",
    )


async def create_invitation(db: AsyncSession, actor: Principal, organization_id: str,
                            data: InvitationCreate, *, settings: IdentitySettings) -> Invitation:
    _require_admin(actor, organization_id)
    organization = await get_organization(db, organization_id)
    invitation = Invitation(
        organization_id=organization_id, email=data.email.strip().lower(),
        role=data.role.value, starts_on=data.starts_on, ends_on=data.ends_on,
        invited_by=actor.subject, token_hash="", expires_at=utcnow())
    await _mail_link(db, invitation, organization, settings=settings)
    await _audit(db, actor.subject, "create", invitation)
    return invitation


async def list_open(db: AsyncSession, actor: Principal, organization_id: str,
                    params: PageParams) -> tuple[list[Invitation], str | None]:
    _require_admin(actor, organization_id)
    await get_organization(db, organization_id)
    return await repository.page_open(db, params, organization_id=organization_id)


async def _open_one(db: AsyncSession, actor: Principal, organization_id: str,
                    invitation_id: str) -> Invitation:
    _require_admin(actor, organization_id)
    invitation = await repository.get(db, invitation_id)
    if invitation is None or invitation.organization_id != organization_id:
        raise InvitationNotFound(f"No invitation {invitation_id} in this organization.")
    if status_of(invitation) in (InvitationStatus.accepted, InvitationStatus.withdrawn):
        raise InvitationClosed(f"This invitation was {status_of(invitation).value}.")
    return invitation


async def resend(db: AsyncSession, actor: Principal, organization_id: str, invitation_id: str,
                 *, settings: IdentitySettings) -> Invitation:
    """Mails a new link, valid for the full time again; the earlier link stops working."""
    invitation = await _open_one(db, actor, organization_id, invitation_id)
    organization = await get_organization(db, organization_id)
    await _mail_link(db, invitation, organization, settings=settings)
    await _audit(db, actor.subject, "resend", invitation)
    return invitation


async def withdraw(db: AsyncSession, actor: Principal, organization_id: str,
                   invitation_id: str) -> None:
    invitation = await _open_one(db, actor, organization_id, invitation_id)
    if not await repository.close(db, invitation, withdrawn_at=utcnow()):
        raise InvitationClosed("This invitation was accepted or withdrawn meanwhile.")
    await _audit(db, actor.subject, "withdraw", invitation)


async def _by_token(db: AsyncSession, token: str) -> Invitation:
    invitation = await repository.by_token_hash(db, links.hash_token(token))
    if (invitation is None or not links.matches(invitation.token_hash, token)
            or status_of(invitation) is not InvitationStatus.pending):
        raise LinkNotFound(LINK_GONE)
    return invitation


async def preview(db: AsyncSession, token: str) -> InvitationPreview:
    invitation = await _by_token(db, token)
    organization = await get_organization(db, invitation.organization_id)
    return InvitationPreview(
        organization_id=organization.id, organization_name=organization.name,
        role=invitation.role, email=invitation.email, starts_on=invitation.starts_on,
        ends_on=invitation.ends_on,
        has_account=await accounts.with_person_by_email(db, invitation.email) is not None)


async def _accepting_account(db: AsyncSession, invitation: Invitation, data: InvitationAccept,
                             actor: Principal | None) -> tuple[Account, Person]:
    found = await accounts.with_person_by_email(db, invitation.email)
    if actor is not None:
        if actor.kind != "user" or found is None or found[0].id != actor.subject:
            raise Forbidden("This invitation is for another address: sign in as "
                            f"{invitation.email} to accept it.")
        return found
    if found is not None:
        matches, _ = await passwords.verify_password(found[0].password_hash, data.password or "")
        if not matches:
            raise Forbidden("That is not the password of the invited address's account.")
        return found
    if not data.full_name or len(data.password or "") < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"To make your account, give your name and a password of at least "
                           f"{MIN_PASSWORD_LENGTH} characters.")
    return await activate(db, email=invitation.email, full_name=data.full_name, role="other",
                          password_hash=await passwords.hash_password(data.password or ""),
                          verified_at=utcnow())


async def accept(db: AsyncSession, data: InvitationAccept,
                 actor: Principal | None) -> InvitationAccepted:
    invitation = await _by_token(db, data.token)
    account, person = await _accepting_account(db, invitation, data, actor)
    if not await repository.close(db, invitation, accepted_at=utcnow()):
        raise LinkNotFound(LINK_GONE)
    await mark_email_verified(db, account)  # the link came to this address
    subject = f"account:{account.id}"
    membership = await grant_invited(db, actor=subject, membership=Membership(
        organization_id=invitation.organization_id, person_id=person.id, role=invitation.role,
        starts_on=invitation.starts_on, ends_on=invitation.ends_on))
    invitation.membership_id = membership.id if membership else None
    await repository.save(db, invitation)
    await _audit(db, subject, "accept", invitation)
    return InvitationAccepted(account_id=account.id, person_id=person.id,
                              membership_id=invitation.membership_id)
