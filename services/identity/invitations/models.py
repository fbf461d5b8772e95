from datetime import date, datetime

from sqlmodel import Field

from services.identity.db import ServiceTable
from shared.db import UTCDateTime, utcnow
from shared.ids import new_id


class Invitation(ServiceTable, table=True):
    """An offer of a role in an organization, mailed to an address; the membership exists only
    once the link is accepted. Pending while not accepted, withdrawn or expired."""

    id: str = Field(default_factory=new_id, primary_key=True, max_length=26)
    organization_id: str = Field(foreign_key="organization.id", index=True, max_length=26)
    email: str = Field(max_length=320)
    role: str = Field(max_length=20)
    starts_on: date | None = None
    ends_on: date | None = None
    invited_by: str = Field(max_length=64)
    token_hash: str = Field(max_length=64, unique=True)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    sent_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    accepted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    withdrawn_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    membership_id: str | None = Field(default=None, max_length=26)
