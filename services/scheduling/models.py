"""Every table of the scheduling service, imported in one place for alembic and the app."""

from services.scheduling.db import OutboxEvent

__all__ = ["OutboxEvent"]
