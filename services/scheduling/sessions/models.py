from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, Text
from sqlmodel import Field

from services.scheduling.db import ServiceTable
from shared.db import UTCDateTime, utcnow
from shared.ids import new_id


class Session(ServiceTable, table=True):
    """One meeting of an event. Seat counters live on the row so one guarded UPDATE takes a seat."""

    __table_args__ = (
        # Backstop behind the guarded UPDATE: the database itself refuses an overbooked session.
        CheckConstraint("confirmed_count <= capacity", name="seats"),
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=26)
    event_id: str = Field(foreign_key="event.id", max_length=26, index=True)
    # Copied from the event (it never changes) so access checks need no join.
    network_id: str = Field(max_length=64, index=True)
    slot_id: str | None = Field(default=None, foreign_key="slot.id", max_length=26, index=True)
    title: str = Field(max_length=200)
    description: str = Field(default="", sa_type=Text)
    room: str | None = Field(default=None, max_length=200)
    starts_at: datetime = Field(sa_type=UTCDateTime, index=True)
    ends_at: datetime = Field(sa_type=UTCDateTime)
    capacity: int
    facilitator_ids: list[str] = Field(default_factory=list, sa_type=JSON)
    confirmed_count: int = 0
    waitlist_count: int = 0
    # scheduled | cancelled. A cancelled session keeps its row (and its registrations, all
    # cancelled) so calendars and rosters can still say what happened to it.
    status: str = Field(default="scheduled", max_length=16,
                        sa_column_kwargs={"server_default": "scheduled"})
    cancelled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
