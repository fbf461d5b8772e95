from datetime import datetime

from sqlalchemy import Text, UniqueConstraint
from sqlmodel import Field

from services.scheduling.db import ServiceTable
from shared.db import UTCDateTime, utcnow
from shared.ids import new_id

# The scope of a network-wide approval; a district approval's scope is the district's id.
NETWORK_SCOPE = "network"


class CreditApproval(ServiceTable, table=True):
    """Where an event stands for PD credit in one district, or network-wide: requested (pending),
    approved for some hours, or revoked. One row per event and scope; its history is in
    credit_action."""

    __tablename__ = "credit_approval"
    __table_args__ = (UniqueConstraint("event_id", "scope"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=26)
    event_id: str = Field(foreign_key="event.id", max_length=26, index=True)
    network_id: str = Field(max_length=64, index=True)  # the event's, for network-wide queues
    # An identity district organization (no FK), or None for a network-wide approval.
    district_id: str | None = Field(default=None, max_length=64, index=True)
    # district_id or NETWORK_SCOPE: NULLs never collide in a unique index, so this column does.
    scope: str = Field(max_length=64)
    status: str = Field(max_length=16, index=True)  # pending | approved | revoked
    hours: float | None = None  # approved hours; None unless approved
    note: str = Field(default="", sa_type=Text)
    requested_by: str | None = Field(default=None, max_length=200)
    requested_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decided_by: str | None = Field(default=None, max_length=200)  # who approved or revoked last
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class CreditAction(ServiceTable, table=True):
    """The audit trail of an approval: every request, approval and revocation, who and when."""

    __tablename__ = "credit_action"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=26)
    approval_id: str = Field(foreign_key="credit_approval.id", max_length=26, index=True)
    action: str = Field(max_length=16)  # requested | approved | revoked
    hours: float | None = None
    note: str = Field(default="", sa_type=Text)
    actor: str = Field(max_length=200)  # the token subject
    person_id: str | None = Field(default=None, max_length=64)  # the actor's person, if any
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
