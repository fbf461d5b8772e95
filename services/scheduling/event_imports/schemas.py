from datetime import datetime
from typing import Literal

from pydantic import BaseModel

from services.scheduling.jobs.schemas import LineErrorPublic

# Imported events start as drafts, or published when the importer asks.
ImportedStatus = Literal["draft", "published"]


class PlannedSessionPublic(BaseModel):
    line: int
    title: str
    starts_at: datetime
    ends_at: datetime
    capacity: int
    room: str | None


class PlannedEventPublic(BaseModel):
    """An event the sheet describes; its fields are given only when they are valid."""

    lines: list[int]
    valid: bool
    title: str
    kind: str | None = None
    subjects: list[str] = []
    grade_min: str | None = None
    grade_max: str | None = None
    format: str | None = None
    venue: str | None = None
    county: str | None = None
    timezone: str | None = None
    credit_hours: float | None = None
    sessions: list[PlannedSessionPublic]


class EventImportPreview(BaseModel):
    network_id: str
    lines: int
    valid_events: int
    invalid_events: int
    events: list[PlannedEventPublic]
    errors: list[LineErrorPublic]


class ImportedEventPublic(BaseModel):
    event_id: str
    title: str
    line: int


class EventImportJobPublic(BaseModel):
    job_id: str
    network_id: str
    status: Literal["queued", "running", "done", "failed"]
    event_status: ImportedStatus
    total: int  # events to create
    processed: int
    events_created: int
    sessions_created: int
    skipped_events: int
    errors: list[LineErrorPublic]
    events: list[ImportedEventPublic]
    message: str | None = None
