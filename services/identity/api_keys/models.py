from datetime import datetime

from sqlmodel import Field

from services.identity.db import ServiceTable
from shared.db import UTCDateTime, utcnow
from shared.ids import new_id


class ApiKey(ServiceTable, table=True):
    """A partner organization's API key. Only its SHA-256 is kept; the key is shown once."""

    __tablename__ = "api_key"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=26)
    organization_id: str = Field(foreign_key="organization.id", index=True, max_length=26)
    prefix: str = Field(max_length=16)
    key_hash: str = Field(max_length=64, unique=True)
    created_by: str = Field(max_length=100)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # When the key was last exchanged for a token, to the minute (written at most once a minute).
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
