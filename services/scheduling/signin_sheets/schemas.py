from typing import Literal

from pydantic import BaseModel

from services.scheduling.jobs.schemas import LineErrorPublic


class SignInSheetJobPublic(BaseModel):
    job_id: str
    session_id: str
    status: Literal["queued", "running", "done", "failed"]
    total: int
    processed: int
    attended: int
    people_created: int
    people_matched: int
    errors: list[LineErrorPublic]
    message: str | None = None  # why the job failed, when it did
