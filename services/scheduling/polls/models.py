from datetime import datetime

from sqlalchemy import CheckConstraint, UniqueConstraint
from sqlmodel import Field

from services.scheduling.db import ServiceTable
from shared.db import UTCDateTime, utcnow
from shared.ids import new_id


class Poll(ServiceTable, table=True):
    """A leader's question to colleagues: which of these times work for the event's next session?"""

    id: str = Field(default_factory=new_id, primary_key=True, max_length=26)
    event_id: str = Field(foreign_key="event.id", max_length=26, index=True)
    # Copied from the event (it never changes) so access checks need no join.
    network_id: str = Field(max_length=64, index=True)
    title: str = Field(max_length=200)
    deadline_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # "open" until the winner is picked, then "decided"; one guarded UPDATE makes that move.
    status: str = Field(default="open", max_length=16)
    # Plain columns: the option and the session are written after the poll row exists.
    winner_option_id: str | None = Field(default=None, max_length=26)
    session_id: str | None = Field(default=None, max_length=26)
    created_by: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class PollOption(ServiceTable, table=True):
    """One candidate time, stored in UTC; pages show it in the event's time zone."""

    __tablename__ = "poll_option"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=26)
    poll_id: str = Field(foreign_key="poll.id", max_length=26, index=True)
    starts_at: datetime = Field(sa_type=UTCDateTime)
    ends_at: datetime = Field(sa_type=UTCDateTime)


class PollInvitee(ServiceTable, table=True):
    """A colleague asked to answer; they need no account, only their private link.

    The link's token is kept as its SHA-256 only, like partner API keys: a copy of the database
    gives nobody a way to answer for someone."""

    __tablename__ = "poll_invitee"
    __table_args__ = (UniqueConstraint("poll_id", "email"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=26)
    poll_id: str = Field(foreign_key="poll.id", max_length=26, index=True)
    name: str = Field(max_length=200)
    email: str = Field(max_length=320)
    token_hash: str = Field(max_length=64, unique=True)
    answered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class PollAnswer(ServiceTable, table=True):
    """What one invitee said of one candidate time."""

    __tablename__ = "poll_answer"
    __table_args__ = (CheckConstraint("choice IN ('yes', 'if_need_be', 'no')", name="choice"),)

    invitee_id: str = Field(foreign_key="poll_invitee.id", primary_key=True, max_length=26)
    option_id: str = Field(foreign_key="poll_option.id", primary_key=True, max_length=26)
    poll_id: str = Field(foreign_key="poll.id", max_length=26, index=True)  # for the tally
    choice: str = Field(max_length=16)
