"""Every SQL statement of webhooks."""

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import and_, or_, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.reach.readmodel.models import Organization
from services.reach.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookSubscription
from shared.db import insert_unless_duplicate
from shared.pagination import PageParams, fetch_page


async def save(db: AsyncSession, row) -> None:
    db.add(row)
    await db.flush()


async def get_subscription(db: AsyncSession, subscription_id: str) -> WebhookSubscription | None:
    return await db.get(WebhookSubscription, subscription_id)


async def page_subscriptions(db: AsyncSession, params: PageParams, *, network_id: str
                             ) -> tuple[list[WebhookSubscription], str | None]:
    statement = select(WebhookSubscription).where(
        WebhookSubscription.network_id == network_id, col(WebhookSubscription.deleted_at).is_(None))
    return await fetch_page(db, statement, WebhookSubscription.id, params)


async def partner_of(db: AsyncSession, *, partner_id: str, network_id: str) -> Organization | None:
    """The partner organization, when the read model knows it as a partner of this network."""
    return (await db.exec(select(Organization).where(
        Organization.id == partner_id, Organization.kind == "partner",
        Organization.parent_id == network_id))).first()


async def live_subscriptions(db: AsyncSession) -> list[WebhookSubscription]:
    statement = select(WebhookSubscription).where(col(WebhookSubscription.deleted_at).is_(None))
    return list((await db.exec(statement)).all())


async def subscriptions_by_id(db: AsyncSession, ids: Iterable[str]
                              ) -> dict[str, WebhookSubscription]:
    statement = select(WebhookSubscription).where(col(WebhookSubscription.id).in_(set(ids)))
    return {row.id: row for row in (await db.exec(statement)).all()}


async def queued_months(db: AsyncSession, *, event_type: str, subscription_ids: Iterable[str],
                        since_month: str) -> set[tuple[str, str]]:
    """(subscription, month) of every delivery of this event already queued from since_month."""
    statement = select(WebhookDelivery.subscription_id, WebhookDelivery.month).where(
        WebhookDelivery.event_type == event_type, col(WebhookDelivery.month) >= since_month,
        col(WebhookDelivery.subscription_id).in_(set(subscription_ids)))
    return {(row[0], row[1]) for row in (await db.exec(statement)).all()}


async def insert_delivery(db: AsyncSession, delivery: WebhookDelivery) -> bool:
    """False when this subscription's delivery of this month is already queued."""
    return await insert_unless_duplicate(db, delivery)


async def get_delivery(db: AsyncSession, delivery_id: str) -> WebhookDelivery | None:
    return await db.get(WebhookDelivery, delivery_id)


async def page_deliveries(db: AsyncSession, params: PageParams, *, subscription_id: str
                          ) -> tuple[list[WebhookDelivery], str | None]:
    statement = select(WebhookDelivery).where(WebhookDelivery.subscription_id == subscription_id)
    return await fetch_page(db, statement, WebhookDelivery.id, params, newest_first=True)


async def attempts_of(db: AsyncSession, delivery_ids: Iterable[str]) -> list[WebhookAttempt]:
    statement = (select(WebhookAttempt)
                 .where(col(WebhookAttempt.delivery_id).in_(set(delivery_ids)))
                 .order_by(col(WebhookAttempt.attempted_at), col(WebhookAttempt.id)))
    return list((await db.exec(statement)).all())


def _claim_lapsed(now: datetime):
    return and_(col(WebhookDelivery.status) == "delivering",
                col(WebhookDelivery.claimed_until) < now)


async def claim_due(db: AsyncSession, *, now: datetime, claim_until: datetime, limit: int
                    ) -> list[WebhookDelivery]:
    """Take up to `limit` due deliveries of live subscriptions: pending ones whose time has come
    and claims that ran out (their worker died mid-attempt). FOR UPDATE SKIP LOCKED lets several
    replicas claim at once on PostgreSQL; on SQLite, BEGIN IMMEDIATE lets one claim at a time."""
    live = select(WebhookSubscription.id).where(col(WebhookSubscription.deleted_at).is_(None))
    due = or_(and_(col(WebhookDelivery.status) == "pending",
                   col(WebhookDelivery.next_attempt_at) <= now), _claim_lapsed(now))
    statement = (select(WebhookDelivery)
                 .where(due, col(WebhookDelivery.subscription_id).in_(live))
                 .order_by(col(WebhookDelivery.next_attempt_at)).limit(limit)
                 .with_for_update(skip_locked=True))
    claimed = list((await db.exec(statement)).all())
    for delivery in claimed:
        delivery.status, delivery.claimed_until = "delivering", claim_until
        delivery.attempts += 1
        db.add(delivery)
    await db.flush()
    return claimed


async def settle(db: AsyncSession, delivery_id: str, *, attempt: int, **values) -> bool:
    """Record how an attempt ended; False when the claim was lost meanwhile (it ran out and
    another worker took the delivery, or it was redelivered), so a late worker never
    overwrites a newer attempt."""
    result = await db.exec(
        update(WebhookDelivery)
        .where(col(WebhookDelivery.id) == delivery_id,
               col(WebhookDelivery.status) == "delivering",
               col(WebhookDelivery.attempts) == attempt)
        .values(claimed_until=None, **values)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


async def requeue(db: AsyncSession, delivery_id: str, *, now: datetime) -> bool:
    """Due again now, from the start of the retry schedule; False while an attempt runs."""
    result = await db.exec(
        update(WebhookDelivery)
        .where(col(WebhookDelivery.id) == delivery_id,
               or_(col(WebhookDelivery.status) != "delivering", _claim_lapsed(now)))
        .values(status="pending", attempts=0, next_attempt_at=now, claimed_until=None,
                delivered_at=None)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1
