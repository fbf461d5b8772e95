"""Idempotency-Key on evidence's writes, over evidence's own record table (the logic is shared):
a retried upload keeps its artifact once; the same key on another upload is 422."""

from sqlalchemy import UniqueConstraint

from services.evidence.db import ServiceTable
from shared.idempotency import KEY_DESCRIPTION, Idempotency, IdempotencyKey, IdempotencyRecordBase


class IdempotencyRecord(IdempotencyRecordBase, ServiceTable, table=True):
    __tablename__ = "idempotency_record"
    __table_args__ = (UniqueConstraint("subject", "key"),)


idempotency = Idempotency(IdempotencyRecord)
respond = idempotency.respond

__all__ = ["KEY_DESCRIPTION", "IdempotencyKey", "IdempotencyRecord", "respond"]
