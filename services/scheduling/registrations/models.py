from datetime import datetime

from sqlalchemy import Index, UniqueConstraint, text
from sqlmodel import Field

from services.scheduling.db import ServiceTable
from shared.db import UTCDateTime, utcnow
from shared.ids import new_id


class Registration(ServiceTable, table=True):
    """One person in one session: confirmed, waitlisted (with a position) or cancelled.

    A cancelled row is reactivated when the person signs up again, so (session, person) stays
    unique. The partial unique index holds the conference rule (one live registration per slot
    and person) even for two sign-ups racing into different sessions of the same slot."""

    __table_args__ = (
        UniqueConstraint("session_id", "person_id"),
        Index(
            "uq_registration_slot_person_live", "slot_id", "person_id", unique=True,
            postgresql_where=text("slot_id IS NOT NULL AND status <> 'cancelled'"),
            sqlite_where=text("slot_id IS NOT NULL AND status <> 'cancelled'"),
        ),
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=26)
    session_id: str = Field(foreign_key="session.id", max_length=26, index=True)
    event_id: str = Field(max_length=26)
    slot_id: str | None = Field(default=None, max_length=26)
    person_id: str = Field(max_length=64, index=True)
    # Snapshots for rosters, taken at sign-up; identity stays the source of truth.
    person_name: str = Field(default="", max_length=200)
    person_email: str = Field(default="", max_length=320)
    status: str = Field(max_length=16)
    waitlist_position: int | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
