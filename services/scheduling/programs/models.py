from datetime import date, datetime

from sqlalchemy import Text, UniqueConstraint
from sqlmodel import Field

from services.scheduling.db import ServiceTable
from shared.db import UTCDateTime, utcnow
from shared.ids import new_id


class Program(ServiceTable, table=True):
    """A network's initiative across years, e.g. "Phase 2, 2017-2020"."""

    id: str = Field(default_factory=new_id, primary_key=True, max_length=26)
    network_id: str = Field(max_length=64, index=True)  # an identity organization (no FK)
    name: str = Field(max_length=200)
    description: str = Field(default="", sa_type=Text)
    starts_on: date
    ends_on: date
    status: str = Field(default="active", max_length=16)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class CohortEntry(ServiceTable, table=True):
    """A person in a program's corps for one program year (July 1 to June 30), as leader or
    coach."""

    __tablename__ = "cohort_entry"
    # One entry per person and year of a program: the unique index settles concurrent adds too.
    __table_args__ = (UniqueConstraint("program_id", "program_year", "person_id"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=26)
    program_id: str = Field(foreign_key="program.id", max_length=26, index=True)
    network_id: str = Field(max_length=64)  # the program's, kept here for the event payloads
    person_id: str = Field(max_length=64, index=True)  # an identity person (no FK)
    program_year: str = Field(max_length=7)  # "2017-18"
    role: str = Field(default="leader", max_length=16)
    # A leader's membership of the network for this year, granted in identity (null for a coach,
    # or when the person already held that leadership through another grant).
    membership_id: str | None = Field(default=None, max_length=26)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
