"""The scheduling service's own table registry; on PostgreSQL its tables live in schema "scheduling"."""

from shared.db import SQLModel, new_registry
from shared.outbox import OutboxEventBase


class ServiceTable(SQLModel, registry=new_registry()):
    """Base of every scheduling table."""


class OutboxEvent(OutboxEventBase, ServiceTable, table=True):
    __tablename__ = "outbox_event"
