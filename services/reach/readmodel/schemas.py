"""The payloads reach reads from the identity and scheduling feeds (fields it does not use are
ignored, so a producer may add fields without breaking reach)."""

from datetime import UTC, date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, field_validator

# The feeds give offsets; a time without one is taken as UTC rather than refused forever.
Instant = Annotated[datetime, AfterValidator(lambda v: v if v.tzinfo else v.replace(tzinfo=UTC))]


GRADES = ("TK", "K", *(str(n) for n in range(1, 13)))


class _Payload(BaseModel):
    model_config = ConfigDict(extra="ignore")


class OrganizationPayload(_Payload):
    id: str
    name: str = ""
    kind: str = ""
    parent_id: str | None = None
    county: str | None = None
    attributes: dict[str, Any] | None = None

    @field_validator("attributes", mode="after")
    @classmethod
    def _no_attributes_is_empty(cls, value: dict[str, Any] | None) -> dict[str, Any]:
        return value or {}


class PersonPayload(_Payload):
    id: str
    role: str | None = None
    school_id: str | None = None
    district_id: str | None = None
    county: str | None = None


class MembershipPayload(_Payload):
    id: str
    organization_id: str
    person_id: str
    role: str
    starts_on: date | None = None
    ends_on: date | None = None


class EventPayload(_Payload):
    id: str
    network_id: str | None = None
    kind: str = ""
    title: str = ""
    timezone: str | None = None
    credit_hours: float | None = None
    status: str | None = None
    subjects: list[str] | None = None
    grade_min: int | None = None
    grade_max: int | None = None
    format: str | None = None
    program_id: str | None = None

    @field_validator("subjects", mode="after")
    @classmethod
    def _no_subjects_is_empty(cls, value: list[str] | None) -> list[str]:
        return value or []

    @field_validator("grade_min", "grade_max", mode="before")
    @classmethod
    def _grade_ordinal(cls, value: Any) -> int | None:
        # The feed names grades as people write them ("TK", "K", "7"); reach compares ordinals.
        if value is None or isinstance(value, int):
            return value
        text = str(value).strip().upper()
        return GRADES.index(text) - 1 if text in GRADES else None


class SessionPayload(_Payload):
    id: str
    event_id: str
    starts_at: Instant | None = None
    ends_at: Instant | None = None
    facilitator_ids: list[str] | None = None
    status: str = "scheduled"  # or cancelled; events from before sessions had a status lack it

    @field_validator("facilitator_ids", mode="after")
    @classmethod
    def _no_facilitators_is_empty(cls, value: list[str] | None) -> list[str]:
        return value or []


class AttendancePayload(_Payload):
    id: str
    session_id: str
    event_id: str | None = None
    person_id: str
    recorded_at: Instant | None = None
