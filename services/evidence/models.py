"""Every table of the evidence service, imported in one place for alembic and the app."""

from services.evidence.artifacts.models import Artifact
from services.evidence.db import OutboxEvent

__all__ = ["Artifact", "OutboxEvent"]
