from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Text
from sqlmodel import Field

from services.scheduling.db import ServiceTable
from shared.db import UTCDateTime, utcnow
from shared.ids import new_id


class AuditEntry(ServiceTable, table=True):
    """What a leader did to a roster beyond the ordinary rules (a forced seat, a move, a
    cancelled session): who, what, when, where and why. Scheduling keeps its own log because
    identity's audit log is identity's table, and no service writes another's tables."""

    __tablename__ = "audit_entry"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=26)
    network_id: str = Field(max_length=64)
    event_id: str = Field(max_length=26, index=True)
    session_id: str | None = Field(default=None, max_length=26, index=True)
    to_session_id: str | None = Field(default=None, max_length=26)  # where a move went
    person_id: str | None = Field(default=None, max_length=64)  # whom it was done to
    # registration.forced | registration.moved | session.cancelled
    action: str = Field(max_length=32)
    actor: str = Field(max_length=200)  # the token subject
    actor_person_id: str | None = Field(default=None, max_length=64)
    reason: str = Field(default="", sa_type=Text)
    details: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
