from sqlmodel import Field

from services.identity.db import ServiceTable
from shared.outbox import FeedCursorBase


class FeedCursor(FeedCursorBase, ServiceTable, table=True):
    """How far identity has read another service's feed (services/identity/feeds.py)."""

    __tablename__ = "feed_cursor"


class EventNetwork(ServiceTable, table=True):
    """Which network a scheduling event belongs to, from scheduling's feed: registrations and
    attendance name only their event."""

    __tablename__ = "event_network"

    event_id: str = Field(primary_key=True, max_length=26)
    network_id: str = Field(max_length=26)
