"""Every table of the reach service, imported in one place for alembic and the app."""

from services.reach.db import OutboxEvent
from services.reach.feeds.models import FeedCursor
from services.reach.readmodel.models import (
    Attendance,
    Event,
    EventSession,
    Membership,
    Organization,
    Person,
)
from services.reach.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookSubscription

__all__ = [
    "Attendance", "Event", "EventSession", "FeedCursor", "Membership", "Organization",
    "OutboxEvent", "Person", "WebhookAttempt", "WebhookDelivery", "WebhookSubscription",
]
