"""Every table of the reach service, imported in one place for alembic and the app."""

from services.reach.db import OutboxEvent

__all__ = ["OutboxEvent"]
