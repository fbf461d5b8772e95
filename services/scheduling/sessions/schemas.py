from datetime import datetime
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

PersonId = Annotated[str, Field(min_length=1, max_length=64)]


class SessionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=200)
    description: str = Field("", max_length=10_000)
    room: str | None = Field(None, max_length=200)
    # A session in a slot may omit its times and takes the slot's.
    slot_id: str | None = Field(None, max_length=26)
    starts_at: AwareDatetime | None = None
    ends_at: AwareDatetime | None = None
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
