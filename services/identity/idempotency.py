"""Idempotency-Key on identity's writes, over identity's own record table (the logic is shared):
a retried grant, key or person does its work once; the same key on another request is 422."""

from sqlalchemy import UniqueConstraint

from services.identity.db import ServiceTable
from shared.idempotency import (
    KEY_DESCRIPTION,
    REQUIRED_KEY_RESPONSES,
    Idempotency,
    IdempotencyKey,
    IdempotencyRecordBase,
    RequiredIdempotencyKey,
)


class IdempotencyRecord(IdempotencyRecordBase, ServiceTable, table=True):
    __tablename__ = "idempotency_record"
    __table_args__ = (UniqueConstraint("subject", "key"),)


idempotency = Idempotency(IdempotencyRecord)
respond_once = idempotency.respond_once

__all__ = [
    "KEY_DESCRIPTION",
    "REQUIRED_KEY_RESPONSES",
    "IdempotencyKey",
    "IdempotencyRecord",
    "RequiredIdempotencyKey",
    "idempotency",
    "respond_once",
]
