"""Webhook subscriptions, their deliveries (one per subscription and final month) and every
attempt to deliver them."""

from datetime import datetime

from sqlalchemy import JSON, Index, UniqueConstraint
from sqlmodel import Field

from services.reach.db import ServiceTable
from shared.db import UTCDateTime, utcnow
from shared.ids import new_id


class WebhookSubscription(ServiceTable, table=True):
    """A network admin's request that a URL be told of the network's events.

    The signing secret is kept as it was generated: the service computes an HMAC with it for
    every delivery, so a hash will not do, and encrypting it with a key this same process holds
    would protect nothing from whoever can read this process's database and settings. It
    authenticates Cascade to the partner (a leak lets someone forge deliveries to that one URL,
    nothing more); it is never shown again after creation and is blanked when the subscription
    is deleted. A deleted subscription stays (deleted_at set) so its delivery log is kept.
    """

    __tablename__ = "webhook_subscription"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=26)
    network_id: str = Field(max_length=64, index=True)
    url: str = Field(max_length=2000)
    partner_id: str | None = Field(default=None, max_length=64)
    events: list[str] = Field(default_factory=list, sa_type=JSON)
    secret: str = Field(max_length=100)
    created_by: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    deleted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class WebhookDelivery(ServiceTable, table=True):
    """One event for one subscription. Its id is the event's id: the same in every attempt and
    redelivery, so a partner can tell a repeat from a new event.

    Status: pending (waiting, or waiting to retry at next_attempt_at), delivering (claimed by a
    worker until claimed_until), delivered, or failed (after the last attempt).
    """

    __tablename__ = "webhook_delivery"
    __table_args__ = (
        # Unique: a rescan, or two workers scanning at once, queue a month once.
        UniqueConstraint("subscription_id", "event_type", "month"),
        Index("ix_webhook_delivery_due", "status", "next_attempt_at"),
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=26)
    subscription_id: str = Field(foreign_key="webhook_subscription.id", max_length=26)
    network_id: str = Field(max_length=64)
    event_type: str = Field(max_length=40)
    month: str = Field(max_length=7)  # 2026-10
    status: str = Field(default="pending", max_length=16)
    # Attempts since the delivery was queued (or last redelivered): the retry schedule's step.
    attempts: int = 0
    next_attempt_at: datetime | None = Field(default_factory=utcnow, sa_type=UTCDateTime)
    claimed_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    delivered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class WebhookAttempt(ServiceTable, table=True):
    """One POST of a delivery: when, how long, and what came back (a status or an error)."""

    __tablename__ = "webhook_attempt"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=26)
    delivery_id: str = Field(foreign_key="webhook_delivery.id", index=True, max_length=26)
    attempted_at: datetime = Field(sa_type=UTCDateTime)
    duration_ms: int
    status_code: int | None = None
    error: str | None = Field(default=None, max_length=500)
    succeeded: bool = False
