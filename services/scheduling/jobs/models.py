"""The columns every background import job has, whatever it imports: who asked, how far it got,
and a heartbeat. Each kind of job is its own table built on these (sign_in_sheet_job,
event_import_job), with its own counters and its own table of line errors."""

from datetime import datetime

from sqlmodel import Field, SQLModel

from shared.db import UTCDateTime, utcnow


class JobFields(SQLModel):
    requested_by: str = Field(max_length=200)  # the token subject that uploaded the file
    status: str = Field(default="queued", max_length=16)  # queued | running | done | failed
    total: int = 0
    processed: int = 0
    message: str | None = Field(default=None, max_length=500)  # why a job failed
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # Touched with every step: a running job whose heartbeat is old was abandoned by its process.
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class LineErrorFields(SQLModel):
    """A line of an uploaded file that was not applied, and why (a row each, so a long file of
    mistakes does not rewrite one ever-growing column per line)."""

    line: int
    message: str = Field(max_length=500)
