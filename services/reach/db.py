"""The reach service's own table registry; on PostgreSQL its tables live in schema "reach"."""

from shared.db import SQLModel, new_registry
from shared.outbox import OutboxEventBase


class ServiceTable(SQLModel, registry=new_registry()):
    """Base of every reach table."""


class OutboxEvent(OutboxEventBase, ServiceTable, table=True):
    __tablename__ = "outbox_event"
