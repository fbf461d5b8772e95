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


MAX_BATCH = 1000


class AttendanceBatchCreate(BaseModel):
    """Many people checked in to one session at once (a typed-in sign-in sheet, say)."""

    model_config = ConfigDict(extra="forbid")

    person_ids: list[str] = Field(min_length=1, max_length=MAX_BATCH)
    source: Literal["check_in", "manual"] = "manual"


class AttendanceBatchItem(BaseModel):
    person_id: str
    status: Literal["recorded", "already", "error"]
    message: str | None = None  # what is wrong with the item, when it is an error


class AttendanceBatchResult(BaseModel):
    recorded: int  # attendance new with this request
    already: int  # recorded before (or twice in the list): recorded once
    errors: int
    items: list[AttendanceBatchItem]  # in the order of person_ids


def batch_result(person_ids: list[str], new: dict[str, bool]) -> AttendanceBatchResult:
    """The answer to a batch: `new` holds, for each person recorded, whether it was new; an id
    missing from it named no one."""
    items, seen = [], set()
    for person_id in person_ids:
        if person_id not in new:
            item = AttendanceBatchItem(person_id=person_id, status="error",
                                       message="No one in Cascade has this id.")
        else:
            fresh = new[person_id] and person_id not in seen
            item = AttendanceBatchItem(person_id=person_id,
                                       status="recorded" if fresh else "already")
        seen.add(person_id)
        items.append(item)
    counts = {status: sum(i.status == status for i in items)
              for status in ("recorded", "already", "error")}
    return AttendanceBatchResult(recorded=counts["recorded"], already=counts["already"],
                                 errors=counts["error"], items=items)
