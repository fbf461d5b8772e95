from datetime import datetime
from typing import Any

from sqlalchemy import JSON
from sqlmodel import Field

from services.identity.db import ServiceTable
from shared.db import UTCDateTime, utcnow
from shared.ids import new_id


class AuditEntry(ServiceTable, table=True):
    __tablename__ = "audit_entry"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=26)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    actor_subject: str = Field(max_length=100)
    action: str = Field(max_length=50)
    target_type: str = Field(max_length=30)
    target_id: str = Field(max_length=26)
    organization_id: str | None = Field(default=None, index=True, max_length=26)
    details: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
