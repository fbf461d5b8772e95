from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field

from services.scheduling.db import ServiceTable
from shared.db import UTCDateTime, utcnow
from shared.ids import new_id


class Attendance(ServiceTable, table=True):
    """A person was present at a session; recorded once however often they are checked in."""

    __table_args__ = (UniqueConstraint("session_id", "person_id"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=26)
    session_id: str = Field(foreign_key="session.id", max_length=26, index=True)
    event_id: str = Field(max_length=26, index=True)
    person_id: str = Field(max_length=64, index=True)
    source: str = Field(max_length=16)  # check_in | manual | sign_in_sheet
    recorded_by: str = Field(max_length=200)  # the token subject that recorded it
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
