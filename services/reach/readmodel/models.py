"""Reach's copy of what it needs from identity and scheduling, built only from their feeds.

No names or emails: the feeds do not carry them and reach never needs them. Every row keeps the
feed position (`version`) of the event that last wrote it, so an event replayed after a later one
cannot roll the row back.
"""

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON
from sqlmodel import Field

from services.reach.db import ServiceTable
from shared.db import UTCDateTime

ID = {"primary_key": True, "max_length": 64}


class Organization(ServiceTable, table=True):
    id: str = Field(**ID)
    name: str = Field(default="", max_length=300)
    kind: str = Field(default="", max_length=40)
    parent_id: str | None = Field(default=None, max_length=64, index=True)
    county: str | None = Field(default=None, max_length=120)
    attributes: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    version: int = Field(default=0, index=True)


class Person(ServiceTable, table=True):
    id: str = Field(**ID)
    role: str | None = Field(default=None, max_length=40)
    school_id: str | None = Field(default=None, max_length=64)
    district_id: str | None = Field(default=None, max_length=64)
    county: str | None = Field(default=None, max_length=120)
    version: int = Field(default=0, index=True)


class Membership(ServiceTable, table=True):
    id: str = Field(**ID)
    organization_id: str = Field(max_length=64, index=True)
    person_id: str = Field(max_length=64, index=True)
    role: str = Field(max_length=40)
    starts_on: date | None = None
    ends_on: date | None = None
    version: int = Field(default=0, index=True)


class Event(ServiceTable, table=True):
    id: str = Field(**ID)
    network_id: str | None = Field(default=None, max_length=64, index=True)
    kind: str = Field(default="", max_length=40)
    title: str = Field(default="", max_length=300)
    timezone: str | None = Field(default=None, max_length=64)
    credit_hours: float | None = None
    status: str | None = Field(default=None, max_length=20)
    # What reach filters and breaks down sessions by (grades as ordinals: TK = -1, K = 0).
    subjects: list[str] | None = Field(default=None, sa_type=JSON)
    grade_min: int | None = None
    grade_max: int | None = None
    format: str | None = Field(default=None, max_length=20)
    program_id: str | None = Field(default=None, max_length=64)
    version: int = Field(default=0, index=True)


class EventSession(ServiceTable, table=True):
    __tablename__ = "event_session"

    id: str = Field(**ID)
    event_id: str = Field(max_length=64, index=True)
    starts_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    ends_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    facilitator_ids: list[str] = Field(default_factory=list, sa_type=JSON)
    # A cancelled session counts nowhere: not as a session of its event, not for attendance.
    status: str = Field(default="scheduled", max_length=16,
                        sa_column_kwargs={"server_default": "scheduled"})
    version: int = Field(default=0, index=True)


class Attendance(ServiceTable, table=True):
    id: str = Field(**ID)
    session_id: str = Field(max_length=64, index=True)
    event_id: str | None = Field(default=None, max_length=64)
    person_id: str = Field(max_length=64, index=True)
    recorded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    version: int = Field(default=0, index=True)
