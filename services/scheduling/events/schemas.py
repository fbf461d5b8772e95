import re
from datetime import datetime
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from services.scheduling.sessions.schemas import SessionPublic
from shared.dates import Moment

EventKind = Literal["workshop_series", "conference", "institute", "webinar", "coaching_cycle",
                    "community_of_practice", "lesson_study"]
Subject = Literal["ELA", "math", "science", "ELD", "other"]
EventFormat = Literal["in_person", "virtual", "hybrid"]
EventStatus = Literal["draft", "published", "cancelled"]

GRADES = ("TK", "K", *(str(n) for n in range(1, 13)))


def grade_ordinal(grade: str) -> int:
    """TK = -1, K = 0, "1".."12" = 1..12."""
    return GRADES.index(grade) - 1


def grade_label(ordinal: int) -> str:
    return GRADES[ordinal + 1]


def _grade_text(value: Any) -> Any:
    # Accept 3 as "3" and "k" as "K": the stored form is the label.
    return str(value).upper() if isinstance(value, int | str) else value


Grade = Annotated[Literal[GRADES], BeforeValidator(_grade_text)]


def parse_grade_span(text: str) -> tuple[str, str]:
    """("3", "5") from "3-5", ("TK", "6") from "tk-6", ("K", "K") from "K": the way people write
    a grade span in a filter or a spreadsheet. ValueError says what is wrong."""
    parts = [part.strip().upper() for part in re.split(r"[-–]", text.strip(), maxsplit=1)]
    for part in parts:
        if part not in GRADES:
            raise ValueError(f"{part or text!r} is not a grade (TK, K, 1 to 12; a span like 3-5)")
    low, high = parts[0], parts[-1]
    if grade_ordinal(low) > grade_ordinal(high):
        raise ValueError(f"grade span {text.strip()!r} runs backwards; write the lower grade first")
    return low, high


def _grade_span_text(text: str) -> str:
    low, high = parse_grade_span(text)
    return f"{low}-{high}"


# A query's grade or grade span ("7", "3-5", "TK-6"), normalised to "low-high".
GradeSpan = Annotated[str, Field(max_length=8), AfterValidator(_grade_span_text)]

# Each word of a county name: letters, with inner periods, hyphens and apostrophes ("St. Mary's").
COUNTY_WORD = re.compile(r"[^\W\d_]+(?:[.'’-][^\W\d_]*)*")


def _county(value: str) -> str:
    """One spelling per county, so the filter is an indexed equality: whitespace collapsed and
    each word capitalised ("san luis  obispo" is "San Luis Obispo"; "McCurtain" stays)."""
    words = value.split()
    if not words or not all(COUNTY_WORD.fullmatch(word) for word in words):
        raise ValueError("a county is a name of letters, spaces, periods, hyphens and apostrophes")
    return " ".join(word[:1].upper() + word[1:] for word in words)


County = Annotated[str, Field(min_length=1, max_length=100), AfterValidator(_county)]


def _known_timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"unknown time zone {name!r}; use an IANA name like America/Los_Angeles") from None
    return name


ProgramId = Annotated[str, Field(min_length=1, max_length=26)]

TimeZoneName = Annotated[str, Field(min_length=1, max_length=64), AfterValidator(_known_timezone)]


def _grade_order(low: str | None, high: str | None) -> None:
    if low is not None and high is not None and grade_ordinal(low) > grade_ordinal(high):
        raise ValueError("grade_min must not be above grade_max")


class EventFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: EventKind
    title: str = Field(min_length=1, max_length=200)
    description: str = Field("", max_length=10_000)
    subjects: list[Subject] = Field(default_factory=list)
    grade_min: Grade
    grade_max: Grade
    audience: str | None = Field(None, max_length=200)
    format: EventFormat = "in_person"
    venue: str | None = Field(None, max_length=300)
    county: County | None = None
    timezone: TimeZoneName
    credit_hours: float = Field(0.0, ge=0, le=1000)
    status: EventStatus = "draft"
    program_id: ProgramId | None = None

    @model_validator(mode="after")
    def _grades(self) -> "EventFields":
        _grade_order(self.grade_min, self.grade_max)
        self.subjects = list(dict.fromkeys(self.subjects))
        return self


class EventCreate(EventFields):
    network_id: str = Field(min_length=1, max_length=64)


class EventUpdate(BaseModel):
    """Any subset of the event's fields; its network never changes."""

    model_config = ConfigDict(extra="forbid")

    kind: EventKind | None = None
    title: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = Field(None, max_length=10_000)
    subjects: list[Subject] | None = None
    grade_min: Grade | None = None
    grade_max: Grade | None = None
    audience: str | None = Field(None, max_length=200)
    format: EventFormat | None = None
    venue: str | None = Field(None, max_length=300)
    county: County | None = None
    timezone: TimeZoneName | None = None
    credit_hours: float | None = Field(None, ge=0, le=1000)
    status: EventStatus | None = None
    # null takes the event out of its program.
    program_id: ProgramId | None = None

    @model_validator(mode="after")
    def _grades(self) -> "EventUpdate":
        _grade_order(self.grade_min, self.grade_max)
        return self


class EventPublic(BaseModel):
    id: str
    network_id: str
    kind: EventKind
    title: str
    description: str
    subjects: list[Subject]
    grade_min: Grade
    grade_max: Grade
    audience: str | None
    format: EventFormat
    venue: str | None
    county: str | None
    timezone: str
    credit_hours: float
    status: EventStatus
    program_id: str | None
    created_at: datetime
    updated_at: datetime
    sessions: list[SessionPublic]


class CountyPublic(BaseModel):
    name: str
    events: int  # events held there that the caller can see


class SlotCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    label: str = Field(min_length=1, max_length=200)
    starts_at: Moment
    ends_at: Moment

    @model_validator(mode="after")
    def _order(self) -> "SlotCreate":
        if self.ends_at <= self.starts_at:
            raise ValueError("ends_at must be after starts_at")
        return self


class SlotPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    event_id: str
    label: str
    starts_at: datetime
    ends_at: datetime
