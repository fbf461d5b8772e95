from datetime import datetime

from sqlmodel import Field

from services.evidence.db import ServiceTable
from shared.db import UTCDateTime, utcnow
from shared.ids import new_id


class Artifact(ServiceTable, table=True):
    id: str = Field(default_factory=new_id, primary_key=True, max_length=26)
    # Scheduling's records, by id (no foreign keys across services).
    session_id: str = Field(max_length=64, index=True)
    event_id: str = Field(max_length=64)
    network_id: str = Field(max_length=64, index=True)
    kind: str = Field(max_length=40)
    title: str = Field(max_length=200)
    # The client's name for the file, cleaned, for display and downloads only: on disk a file is
    # named by its SHA-256.
    filename: str = Field(max_length=255)
    content_type: str = Field(max_length=120)
    size_bytes: int
    sha256: str = Field(max_length=64, index=True)
    uploaded_by: str = Field(max_length=100)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
