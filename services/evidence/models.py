"""Every table of the evidence service, imported in one place for alembic and the app."""

from services.evidence.artifacts.models import Artifact
from services.evidence.db import OutboxEvent
from services.evidence.idempotency import IdempotencyRecord

__all__ = ["Artifact", "IdempotencyRecord", "OutboxEvent"]
