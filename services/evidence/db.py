"""The evidence service's own table registry; on PostgreSQL its tables live in schema "evidence"."""

from shared.db import SQLModel, new_registry
from shared.outbox import OutboxEventBase


class ServiceTable(SQLModel, registry=new_registry()):
    """Base of every evidence table."""


class OutboxEvent(OutboxEventBase, ServiceTable, table=True):
    __tablename__ = "outbox_event"
