from datetime import date, datetime

from sqlmodel import Field

from services.identity.db import ServiceTable
from shared.db import UTCDateTime, utcnow
from shared.ids import new_id


class Membership(ServiceTable, table=True):
    """A person's role in an organization, for a span of days (open-ended when a bound is null)."""

    id: str = Field(default_factory=new_id, primary_key=True, max_length=26)
    organization_id: str = Field(foreign_key="organization.id", index=True, max_length=26)
    person_id: str = Field(foreign_key="person.id", index=True, max_length=26)
    role: str = Field(max_length=20)
    starts_on: date | None = None
    ends_on: date | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
