"""Every table of the identity service, imported in one place for alembic and the app."""

from services.identity.db import OutboxEvent

__all__ = ["OutboxEvent"]
