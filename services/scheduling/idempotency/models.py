from sqlalchemy import UniqueConstraint

from services.scheduling.db import ServiceTable
from shared.idempotency import IdempotencyRecordBase


class IdempotencyRecord(IdempotencyRecordBase, ServiceTable, table=True):
    __tablename__ = "idempotency_record"
    __table_args__ = (UniqueConstraint("subject", "key"),)
