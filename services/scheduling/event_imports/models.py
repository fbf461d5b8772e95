from sqlmodel import Field

from services.scheduling.db import ServiceTable
from services.scheduling.jobs.models import JobFields, LineErrorFields
from shared.ids import new_id


class EventImportJob(JobFields, ServiceTable, table=True):
    """One import of an events spreadsheet into a network; a step per event (group of lines)."""

    __tablename__ = "event_import_job"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=26)
    network_id: str = Field(max_length=64, index=True)
    event_status: str = Field(default="draft", max_length=16)  # what the events are created as
    events_created: int = 0
    sessions_created: int = 0
    skipped_events: int = 0  # events with a bad line, left out when the user chose to skip them


class EventImportLineError(LineErrorFields, ServiceTable, table=True):
    __tablename__ = "event_import_line_error"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=26)
    job_id: str = Field(foreign_key="event_import_job.id", max_length=26, index=True)


class EventImportEvent(ServiceTable, table=True):
    """An event the import created, so its result page links to each one."""

    __tablename__ = "event_import_event"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=26)
    job_id: str = Field(foreign_key="event_import_job.id", max_length=26, index=True)
    event_id: str = Field(foreign_key="event.id", max_length=26)
    line: int  # the event's first line in the sheet
    title: str = Field(max_length=200)
