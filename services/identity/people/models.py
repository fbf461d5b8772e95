from datetime import datetime

from sqlmodel import Field

from services.identity.db import ServiceTable
from shared.db import UTCDateTime, utcnow
from shared.ids import new_id


class Person(ServiceTable, table=True):
    id: str = Field(default_factory=new_id, primary_key=True, max_length=26)
    # Stored lower-cased, so the unique constraint makes email unique case-insensitively.
    email: str = Field(max_length=320, unique=True)
    full_name: str = Field(max_length=200)
    role: str = Field(max_length=30)
    school_id: str | None = Field(default=None, foreign_key="organization.id", max_length=26)
    district_id: str | None = Field(default=None, foreign_key="organization.id", max_length=26)
    county: str | None = Field(default=None, max_length=100)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class PersonAffiliation(ServiceTable, table=True):
    """A person belongs to an organization's people (a network's, a district's) without holding a
    role there: matched or created for it, or seen at its events. Read by the directory's scope."""

    __tablename__ = "person_affiliation"

    person_id: str = Field(foreign_key="person.id", primary_key=True, max_length=26)
    organization_id: str = Field(primary_key=True, index=True, max_length=26)
    source: str = Field(max_length=30)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
