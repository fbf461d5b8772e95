from datetime import datetime

from sqlalchemy import Text
from sqlmodel import Field

from services.scheduling.db import ServiceTable
from shared.db import UTCDateTime, utcnow
from shared.ids import new_id


class Event(ServiceTable, table=True):
    id: str = Field(default_factory=new_id, primary_key=True, max_length=26)
    network_id: str = Field(max_length=64, index=True)  # an identity organization (no FK)
    kind: str = Field(max_length=32)
    title: str = Field(max_length=200)
    description: str = Field(default="", sa_type=Text)
    # Comma-joined, so that "has subject X" is one portable LIKE on SQLite and PostgreSQL.
    subjects: str = Field(default="", max_length=200)
    # Ordinals: TK = -1, K = 0, "1".."12" = 1..12, so grade ranges compare as numbers.
    grade_min: int
    grade_max: int
    audience: str | None = Field(default=None, max_length=200)
    format: str = Field(default="in_person", max_length=16)
    venue: str | None = Field(default=None, max_length=300)
    # Normalised on input (see schemas.County), so the catalog filters with an indexed equality.
    county: str | None = Field(default=None, max_length=100, index=True)
    timezone: str = Field(max_length=64)
    credit_hours: float = 0.0
    status: str = Field(default="draft", max_length=16, index=True)
    # One of the network's programs, when the event is part of one.
    program_id: str | None = Field(default=None, foreign_key="program.id", max_length=26,
                                   index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Slot(ServiceTable, table=True):
    """A conference breakout period; its parallel sessions share its times."""

    id: str = Field(default_factory=new_id, primary_key=True, max_length=26)
    event_id: str = Field(foreign_key="event.id", max_length=26, index=True)
    label: str = Field(max_length=200)
    starts_at: datetime = Field(sa_type=UTCDateTime)
    ends_at: datetime = Field(sa_type=UTCDateTime)
