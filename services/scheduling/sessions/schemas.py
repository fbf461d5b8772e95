from datetime import datetime, time
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from shared.dates import Day, Moment

SessionStatus = Literal["scheduled", "cancelled"]
PersonId = Annotated[str, Field(min_length=1, max_length=64)]


class SessionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=200)
    description: str = Field("", max_length=10_000)
    room: str | None = Field(None, max_length=200)
    # A session in a slot may omit its times and takes the slot's.
    slot_id: str | None = Field(None, max_length=26)
    starts_at: Moment | None = None
    ends_at: Moment | None = None
    capacity: int = Field(ge=0, le=100_000)
    facilitator_ids: list[PersonId] = Field(default_factory=list, max_length=50)

    @model_validator(mode="after")
    def _times(self) -> "SessionCreate":
        if (self.starts_at is None) != (self.ends_at is None):
            raise ValueError("give both starts_at and ends_at, or neither (in a slot)")
        if self.starts_at is None and self.slot_id is None:
            raise ValueError("starts_at and ends_at are required outside a slot")
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValueError("ends_at must be after starts_at")
        self.facilitator_ids = list(dict.fromkeys(self.facilitator_ids))
        return self


class SessionPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    event_id: str
    network_id: str
    slot_id: str | None
    title: str
    description: str
    room: str | None
    starts_at: datetime
    ends_at: datetime
    capacity: int
    facilitator_ids: list[str]
    confirmed_count: int
    waitlist_count: int
    status: SessionStatus
    cancelled_at: datetime | None


Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
WEEKDAYS: tuple[str, ...] = Weekday.__args__


class SessionSeriesCreate(BaseModel):
    """A weekly series, stored as one concrete session per meeting. Dates and times are
    wall-clock values in the event's time zone."""

    model_config = ConfigDict(extra="forbid")

    # A base title numbered " 1".." N", or one title per meeting.
    title: str | None = Field(None, min_length=1, max_length=190)
    titles: list[Annotated[str, Field(min_length=1, max_length=200)]] | None = None
    description: str = Field("", max_length=10_000)
    room: str | None = Field(None, max_length=200)
    first_date: Day
    # The meeting weekday; the first meeting is on it, on or after first_date.
    weekday: Weekday | None = None
    start_time: time
    end_time: time
    every_weeks: int = Field(1, ge=1, le=8)
    count: int = Field(ge=1, le=52)
    capacity: int = Field(ge=0, le=100_000)
    facilitator_ids: list[PersonId] = Field(default_factory=list, max_length=50)

    @model_validator(mode="after")
    def _shape(self) -> "SessionSeriesCreate":
        if (self.title is None) == (self.titles is None):
            raise ValueError("give either title (numbered per meeting) or titles, not both")
        if self.titles is not None and len(self.titles) != self.count:
            raise ValueError("titles must have exactly count entries")
        if self.start_time.tzinfo or self.end_time.tzinfo:
            raise ValueError("times are wall-clock times in the event's time zone; give no offset")
        if self.end_time <= self.start_time:
            raise ValueError("end_time must be after start_time")
        self.facilitator_ids = list(dict.fromkeys(self.facilitator_ids))
        return self

    def meeting_titles(self) -> list[str]:
        return self.titles or [f"{self.title} {n}" for n in range(1, self.count + 1)]

    def meeting_weekday(self) -> int:
        """0 = Monday, like date.weekday()."""
        return WEEKDAYS.index(self.weekday) if self.weekday else self.first_date.weekday()


class SessionUpdate(BaseModel):
    """Move, retitle or resize one session; its event and slot never change."""

    model_config = ConfigDict(extra="forbid")

    title: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = Field(None, max_length=10_000)
    room: str | None = Field(None, max_length=200)
    starts_at: Moment | None = None
    ends_at: Moment | None = None
    capacity: int | None = Field(None, ge=0, le=100_000)
    facilitator_ids: list[PersonId] | None = Field(None, max_length=50)
