from sqlmodel import Field

from services.scheduling.db import ServiceTable
from services.scheduling.jobs.models import JobFields, LineErrorFields
from shared.ids import new_id


class SignInSheetJob(JobFields, ServiceTable, table=True):
    """One import of a session's sign-in sheet; its counters move as the lines are applied."""

    __tablename__ = "sign_in_sheet_job"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=26)
    session_id: str = Field(foreign_key="session.id", max_length=26, index=True)
    attended: int = 0
    people_created: int = 0
    people_matched: int = 0


class SignInSheetLineError(LineErrorFields, ServiceTable, table=True):
    __tablename__ = "sign_in_sheet_line_error"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=26)
    job_id: str = Field(foreign_key="sign_in_sheet_job.id", max_length=26, index=True)
