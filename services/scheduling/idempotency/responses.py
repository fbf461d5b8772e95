"""Idempotency-Key at scheduling's HTTP edge, over its own record table (the logic is shared)."""

from services.scheduling.idempotency.models import IdempotencyRecord
from shared.idempotency import (
    KEY_DESCRIPTION,
    REQUIRED_KEY_RESPONSES,
    Idempotency,
    IdempotencyKey,
    RequiredIdempotencyKey,
)

idempotency = Idempotency(IdempotencyRecord)
respond = idempotency.respond

__all__ = [
    "KEY_DESCRIPTION",
    "REQUIRED_KEY_RESPONSES",
    "IdempotencyKey",
    "RequiredIdempotencyKey",
    "idempotency",
    "respond",
]
