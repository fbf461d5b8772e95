from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class AttendanceCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    person_id: str = Field(min_length=1, max_length=64)
    source: Literal["check_in", "manual"] = "check_in"


class AttendancePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    session_id: str
    event_id: str
    person_id: str
    source: str
    recorded_at: datetime
