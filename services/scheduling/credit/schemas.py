from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

CreditStatus = Literal["pending", "approved", "revoked"]
DISTRICT_HELP = "a district organization's id; omit (or null) for a network-wide approval"


class CreditRequestCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    district_id: str | None = Field(None, min_length=1, max_length=64, description=DISTRICT_HELP)
    note: str = Field("", max_length=2000)


class CreditApprovalCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    district_id: str | None = Field(None, min_length=1, max_length=64, description=DISTRICT_HELP)
    hours: float = Field(gt=0, le=1000, description="at most the event's credit_hours")
    note: str = Field("", max_length=2000)


class CreditRevocationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    district_id: str | None = Field(None, min_length=1, max_length=64, description=DISTRICT_HELP)
    note: str = Field("", max_length=2000)


class CreditActionPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    action: Literal["requested", "approved", "revoked"]
    hours: float | None
    note: str
    actor: str
    person_id: str | None
    at: datetime


class CreditApprovalPublic(BaseModel):
    id: str
    event_id: str
    network_id: str
    district_id: str | None = Field(description="None: approved for every district of the network")
    network_wide: bool
    status: CreditStatus
    hours: float | None
    note: str
    requested_by: str | None
    requested_at: datetime | None
    decided_by: str | None
    decided_at: datetime | None
    updated_at: datetime
    history: list[CreditActionPublic] = Field(default_factory=list,
                                              description="oldest first: who did what, and when")


class CreditEventSummary(BaseModel):
    id: str
    title: str
    kind: str
    status: str
    credit_hours: float
    first_session_at: datetime | None


class CreditQueueItem(BaseModel):
    approval: CreditApprovalPublic
    event: CreditEventSummary


ApprovalState = Literal["approved", "pending", "none"]

TRANSCRIPT_METHOD = (
    "One row per event the person attended (attendance records, not registrations). A part of "
    "an event is a session, or for a conference a breakout slot (its parallel sessions count as "
    "one part); cancelled sessions are not parts. hours_earned = approved_hours x parts "
    "attended / parts in the event, rounded to 2 decimals: seat time is credited, so missing "
    "Session II costs its share of the hours, not "
    "all of them. The approval in effect is the person's own district's approval when it is "
    "approved, otherwise a network-wide approval; another district's approval never counts. "
    "Rows without an approval in effect earn 0 hours and are marked pending (a request awaits a "
    "decision) or none. A row's school year (July 1 to June 30) is that of the first session "
    "the person attended, on the event's local calendar. Totals count approved hours only."
)


class TranscriptRow(BaseModel):
    event_id: str
    event_title: str
    event_kind: str
    network_id: str
    school_year: str
    first_attended_on: date
    sessions_attended: int = Field(description="parts attended: sessions, or conference slots")
    sessions_total: int
    credit_hours: float = Field(description="the hours the event offers")
    approved_hours: float | None = Field(description="the hours of the approval in effect")
    approval: ApprovalState
    approval_scope: Literal["district", "network"] | None
    hours_earned: float


class TranscriptYear(BaseModel):
    school_year: str
    starts_on: date
    ends_on: date
    approved_hours: float = Field(description="sum of hours_earned: approved hours only")
    events: int
    pending_events: int
    rows: list[TranscriptRow]


class Transcript(BaseModel):
    person_id: str
    district_id: str | None
    total_hours: float = Field(description="approved hours over every school year")
    pending_events: int
    limited_to_networks: list[str] | None = Field(
        None, description="set when the reader sees only their own networks' events")
    years: list[TranscriptYear] = Field(description="newest school year first")
