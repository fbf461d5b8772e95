import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from services.scheduling.sessions.schemas import PersonId, SessionPublic
from services.scheduling.signin_sheets.service import EMAIL
from shared.dates import Day, Moment

Choice = Literal["yes", "if_need_be", "no"]
# open: taking answers; closed: its deadline passed; decided: the winner is a session.
PollStatus = Literal["open", "closed", "decided"]
MAX_TIMES, MAX_INVITEES = 20, 200


class CandidateTime(BaseModel):
    """A wall-clock time in the event's time zone, as the leader and invitees read it."""

    model_config = ConfigDict(extra="forbid")

    date: Day
    start_time: dt.time
    end_time: dt.time

    @model_validator(mode="after")
    def _order(self) -> "CandidateTime":
        if self.start_time.tzinfo or self.end_time.tzinfo:
            raise ValueError("times are wall-clock times in the event's time zone; give no offset")
        if self.end_time <= self.start_time:
            raise ValueError("end_time must be after start_time")
        return self


class InviteeCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    email: str = Field(max_length=320, pattern=EMAIL.pattern)


class PollCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=200)
    times: list[CandidateTime] = Field(min_length=1, max_length=MAX_TIMES)
    deadline_at: Moment | None = None
    invitees: list[InviteeCreate] = Field(min_length=1, max_length=MAX_INVITEES)

    @model_validator(mode="after")
    def _distinct(self) -> "PollCreate":
        emails = [i.email.strip().lower() for i in self.invitees]
        if len(set(emails)) != len(emails):
            raise ValueError("each invitee's email may appear only once")
        if len({(t.date, t.start_time, t.end_time) for t in self.times}) != len(self.times):
            raise ValueError("each candidate time may appear only once")
        return self


class OptionPublic(BaseModel):
    """A candidate time and how the invitees answered it (no_answer: invitees still silent)."""

    id: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    yes: int = 0
    if_need_be: int = 0
    no: int = 0
    no_answer: int = 0


class PollPublic(BaseModel):
    id: str
    event_id: str
    network_id: str
    title: str
    timezone: str
    status: PollStatus
    deadline_at: dt.datetime | None
    invitee_count: int
    options: list[OptionPublic]
    winner_option_id: str | None
    session_id: str | None
    created_at: dt.datetime
    decided_at: dt.datetime | None


class InviteeLink(BaseModel):
    """The private link's token, shown once. A replayed answer (same Idempotency-Key) has it as
    null, since only its hash is kept: give the invitee a new link instead."""

    id: str
    name: str
    email: str
    token: str | None


class PollCreated(PollPublic):
    invitees: list[InviteeLink]


class InviteeAnswers(BaseModel):
    """Who answered what, for the poll's leaders."""

    id: str
    name: str
    email: str
    answered_at: dt.datetime | None
    answers: dict[str, Choice]


class PollDecision(BaseModel):
    """The winning time becomes a session of the event with these details."""

    model_config = ConfigDict(extra="forbid")

    option_id: str = Field(min_length=1, max_length=26)
    capacity: int = Field(ge=0, le=100_000)
    title: str | None = Field(None, min_length=1, max_length=200)
    room: str | None = Field(None, max_length=200)
    # Omitted: the leader who picks facilitates.
    facilitator_ids: list[PersonId] | None = Field(None, max_length=50)


class PollDecided(BaseModel):
    poll: PollPublic
    session: SessionPublic


class AnswerItem(BaseModel):
    model_config = ConfigDict(extra="forbid")

    option_id: str = Field(min_length=1, max_length=26)
    choice: Choice


class AnswersPut(BaseModel):
    """The invitee's whole answer: times left out count as not answered."""

    model_config = ConfigDict(extra="forbid")

    answers: Annotated[list[AnswerItem], Field(max_length=MAX_TIMES)]


class InvitationTime(BaseModel):
    id: str
    starts_at: dt.datetime
    ends_at: dt.datetime


class Invitation(BaseModel):
    """What a private link shows: the poll's title and times, and this invitee's own answers;
    nothing about the other invitees."""

    title: str
    timezone: str
    status: PollStatus
    deadline_at: dt.datetime | None
    name: str
    times: list[InvitationTime]
    answers: dict[str, Choice]
