from datetime import datetime

from sqlmodel import Field

from services.scheduling.db import ServiceTable
from shared.db import UTCDateTime, utcnow
from shared.ids import new_id


class SignInSheetJob(ServiceTable, table=True):
    """One import of a session's sign-in sheet; its counters move as the lines are applied."""

    __tablename__ = "sign_in_sheet_job"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=26)
    session_id: str = Field(foreign_key="session.id", max_length=26, index=True)
    requested_by: str = Field(max_length=200)  # the token subject that uploaded the sheet
    status: str = Field(default="queued", max_length=16)  # queued | running | done | failed
    total: int = 0
    processed: int = 0
    attended: int = 0
    people_created: int = 0
    people_matched: int = 0
    message: str | None = Field(default=None, max_length=500)  # why a job failed
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # Touched with every line: a running job whose heartbeat is old was abandoned by its process.
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class SignInSheetLineError(ServiceTable, table=True):
    """A line of a sheet that was not applied, and why (a row each, so a long sheet of mistakes
    does not rewrite one ever-growing column per line)."""

    __tablename__ = "sign_in_sheet_line_error"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=26)
    job_id: str = Field(foreign_key="sign_in_sheet_job.id", max_length=26, index=True)
    line: int
    message: str = Field(max_length=500)
