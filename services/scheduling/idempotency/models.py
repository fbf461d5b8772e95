from datetime import datetime
from typing import Any

from sqlalchemy import JSON, UniqueConstraint
from sqlmodel import Field

from services.scheduling.db import ServiceTable
from shared.db import UTCDateTime, utcnow
from shared.ids import new_id


class IdempotencyRecord(ServiceTable, table=True):
    """The first answer to a request sent with an Idempotency-Key, replayed to its retries.

    Unique per caller and key: of two concurrent first attempts only one can insert its claim."""

    __tablename__ = "idempotency_record"
    __table_args__ = (UniqueConstraint("subject", "key"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=26)
    subject: str = Field(max_length=200)
    key: str = Field(max_length=255)
    method: str = Field(max_length=10)
    path: str = Field(max_length=500)
    request_hash: str = Field(max_length=64)
    status_code: int = 0
    response: Any | None = Field(default=None, sa_type=JSON)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
