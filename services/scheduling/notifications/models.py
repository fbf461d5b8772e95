from datetime import datetime

from sqlalchemy import Index, Text
from sqlmodel import Field

from services.scheduling.db import ServiceTable
from shared.db import UTCDateTime, utcnow
from shared.ids import new_id
from shared.outbox import FeedCursorBase


class Notification(ServiceTable, table=True):
    """One outgoing message, queued in the same transaction as the change that causes it.

    Status: queued (waiting, or waiting to retry), sending (claimed by a sender until
    claimed_until), sent, failed (gave up after the last attempt; last_error says why) or
    skipped (nobody to mail: the person has no email). delivered_via says where a sent message
    went: "smtp", or "mailbox" when no SMTP server is configured and the local mailbox page
    shows it instead.
    """

    __table_args__ = (Index("ix_notification_due", "status", "next_attempt_at"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=26)
    # Unique: a retried request or a re-run reminder scan queues nothing twice.
    dedupe_key: str = Field(max_length=200, unique=True)
    kind: str = Field(max_length=32)
    person_id: str | None = Field(default=None, max_length=64, index=True)
    email: str = Field(default="", max_length=320)
    name: str = Field(default="", max_length=200)
    subject: str = Field(max_length=300)
    body: str = Field(sa_type=Text)
    # What the message is about, so a scan can tell what was already said (reminders).
    registration_id: str | None = Field(default=None, max_length=26, index=True)
    event_id: str | None = Field(default=None, max_length=26)
    status: str = Field(default="queued", max_length=16)
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    claimed_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_error: str | None = Field(default=None, max_length=500)
    delivered_via: str | None = Field(default=None, max_length=16)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class FeedCursor(FeedCursorBase, ServiceTable, table=True):
    """How far scheduling has read another service's feed (identity's, for the mail it asks
    for), moved in the transaction that queues what the read page asked."""

    __tablename__ = "feed_cursor"
