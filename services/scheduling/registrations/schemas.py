from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

RegistrationStatus = Literal["confirmed", "waitlisted", "cancelled"]


class RegistrationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # Omitted: the caller signs themself up. Named: staff or a facilitator signs someone up.
    person_id: str | None = Field(None, min_length=1, max_length=64)


class RegistrationPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    session_id: str
    event_id: str
    person_id: str
    status: RegistrationStatus
    waitlist_position: int | None
    created_at: datetime
    updated_at: datetime


class RosterEntry(RegistrationPublic):
    person_name: str
    person_email: str
    attended: bool


class MyRegistration(RegistrationPublic):
    """A line of the caller's schedule."""

    session_title: str
    starts_at: datetime
    ends_at: datetime
    room: str | None
    slot_id: str | None
    event_title: str
    event_kind: str
    timezone: str
    venue: str | None
