from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from services.identity.accounts.schemas import LinkToken
from services.identity.memberships.schemas import MembershipRole, _Span
from services.identity.people.schemas import Email


class InvitationStatus(StrEnum):
    pending = "pending"
    expired = "expired"
    accepted = "accepted"
    withdrawn = "withdrawn"


class InvitationCreate(_Span):
    email: Email
    role: MembershipRole


class InvitationPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    organization_id: str
    email: str
    role: str
    starts_on: date | None
    ends_on: date | None
    invited_by: str
    created_at: datetime
    sent_at: datetime
    expires_at: datetime
    status: InvitationStatus


class InvitationToken(BaseModel):
    token: LinkToken


class InvitationPreview(BaseModel):
    """What the invitation page shows its holder before they accept."""

    organization_id: str
    organization_name: str
    role: str
    email: str
    starts_on: date | None
    ends_on: date | None
    # Whether accepting means signing in (the address has an account) or signing up.
    has_account: bool


class InvitationAccept(InvitationToken):
    """Accepted by the signed-in account of the invited address (a bearer token, nothing
    else), by its password when the address has an account, or by signing up: a full name and
    a new password, which also confirms the address."""

    password: str | None = Field(default=None, max_length=1024)
    full_name: str | None = Field(default=None, min_length=1, max_length=200)


class InvitationAccepted(BaseModel):
    account_id: str
    person_id: str
    membership_id: str | None  # None when the person already held this role from that day
