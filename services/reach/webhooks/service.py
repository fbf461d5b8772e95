"""Webhooks: who manages them, when a network's month is final, what a delivery carries and how
it is signed, and what follows an attempt (done, a retry later, or given up)."""

import hashlib
import hmac
import ipaddress
import json
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlmodel.ext.asyncio.session import AsyncSession

from services.reach.errors import NetworkNotFound, NotAllowedForNetwork, UnknownNetwork
from services.reach.figures.repository import network
from services.reach.settings import ReachSettings
from services.reach.webhooks import repository
from services.reach.webhooks.errors import (
    DeliveryInProgress,
    DeliveryNotFound,
    InvalidWebhookUrl,
    UnknownPartner,
    WebhookNotFound,
)
from services.reach.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookSubscription
from services.reach.webhooks.schemas import AttemptPublic, DeliveryPublic, WebhookCreate
from shared.auth import Principal
from shared.db import utcnow
from shared.ids import new_id
from shared.pagination import PageParams

MONTH_FINAL = "month.final"
SECRET_PREFIX = "whsec_"  # noqa: S105 (the prefix of generated secrets, not a secret)
ADMIN_ROLES = ("network_admin",)
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
# A month has ended everywhere once it has ended at UTC-12, the last time zone to see it end.
ENDED_EVERYWHERE = timedelta(hours=12)


# Who manages webhooks: the network's admins (and platform admins); never a partner's key.

def _administers(principal: Principal, network_id: str) -> bool:
    return principal.kind != "partner" and principal.has_role(network_id, *ADMIN_ROLES)


def require_admin(principal: Principal, network_id: str) -> None:
    if not _administers(principal, network_id):
        raise NotAllowedForNetwork("Only the network's admins manage its webhooks."
                                   ).denying("network", network_id, network_id)


async def managed_subscription(db: AsyncSession, principal: Principal,
                               subscription_id: str) -> WebhookSubscription:
    """The live subscription, or 404 when there is none or the caller does not manage it."""
    row = await repository.get_subscription(db, subscription_id)
    if row is None or row.deleted_at is not None:
        raise WebhookNotFound(f"No webhook subscription has id {subscription_id}.")
    if not _administers(principal, row.network_id):
        raise WebhookNotFound(f"No webhook subscription has id {subscription_id}."
                              ).denying("webhook", row.id, row.network_id)
    return row


# Subscriptions.

def check_url(url: str, *, allow_http_localhost: bool) -> str:
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname or ""
        parts.port  # noqa: B018 (raises on a port that is not a number)
    except ValueError:
        raise InvalidWebhookUrl("The URL cannot be parsed.") from None
    local = host in LOCAL_HOSTS
    if parts.scheme == "http" and not (local and allow_http_localhost):
        raise InvalidWebhookUrl("Webhook URLs must use https.")
    if parts.scheme not in ("https", "http") or not host:
        raise InvalidWebhookUrl("Give an absolute https URL, such as https://example.org/hooks.")
    if parts.username or parts.password or parts.fragment:
        raise InvalidWebhookUrl("A webhook URL carries no user, password or #fragment.")
    if not (local and allow_http_localhost) and _internal_address(host):
        raise InvalidWebhookUrl("Webhooks are not delivered to internal addresses.")
    return parts.geturl()


def _internal_address(host: str) -> bool:
    if host in LOCAL_HOSTS:
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return internal_kind(address) is not None


def internal_kind(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """What keeps webhooks from an address ("loopback", "private", ...), or None: public."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    for kind in ("unspecified", "loopback", "link_local", "multicast", "private", "reserved"):
        if getattr(address, f"is_{kind}"):
            return kind.replace("_", "-")
    return None if address.is_global else "non-public"


async def create_subscription(db: AsyncSession, principal: Principal, data: WebhookCreate, *,
                              settings: ReachSettings) -> tuple[WebhookSubscription, str]:
    """The new subscription and its signing secret (which is never shown again)."""
    require_admin(principal, data.network_id)
    if await network(db, data.network_id) is None:
        raise UnknownNetwork(f"No network has the id {data.network_id!r}.", errors=[
            {"loc": ["body", "network_id"], "msg": "network_id must name a network in Cascade.",
             "type": "value_error"}])
    url = check_url(data.url, allow_http_localhost=settings.webhook_allow_http_localhost)
    if data.partner_id is not None and await repository.partner_of(
            db, partner_id=data.partner_id, network_id=data.network_id) is None:
        raise UnknownPartner(f"{data.partner_id} is not a partner of network {data.network_id}.")
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    row = WebhookSubscription(network_id=data.network_id, url=url, partner_id=data.partner_id,
                              events=sorted(set(data.events)), secret=secret,
                              created_by=principal.subject)
    await repository.save(db, row)
    return row, secret


async def list_subscriptions(db: AsyncSession, principal: Principal, *, network_id: str,
                             params: PageParams) -> tuple[list[WebhookSubscription], str | None]:
    require_admin(principal, network_id)
    if await network(db, network_id) is None:
        raise NetworkNotFound(f"No network has the id {network_id!r}.")
    return await repository.page_subscriptions(db, params, network_id=network_id)


async def delete_subscription(db: AsyncSession, principal: Principal,
                              subscription_id: str) -> None:
    """Nothing more is delivered; the delivery log stays. The secret is forgotten."""
    row = await managed_subscription(db, principal, subscription_id)
    row.deleted_at, row.secret = utcnow(), ""
    await repository.save(db, row)


# The delivery log.

async def list_deliveries(db: AsyncSession, principal: Principal, subscription_id: str, *,
                          params: PageParams) -> tuple[list[DeliveryPublic], str | None]:
    subscription = await managed_subscription(db, principal, subscription_id)
    rows, cursor = await repository.page_deliveries(db, params, subscription_id=subscription.id)
    attempts: dict[str, list[WebhookAttempt]] = {row.id: [] for row in rows}
    for attempt in await repository.attempts_of(db, attempts):
        attempts[attempt.delivery_id].append(attempt)
    return [_public(row, attempts[row.id]) for row in rows], cursor


async def redeliver(db: AsyncSession, principal: Principal, subscription_id: str,
                    delivery_id: str) -> DeliveryPublic:
    """Due again at once, with the whole retry schedule ahead of it (same event id)."""
    subscription = await managed_subscription(db, principal, subscription_id)
    delivery = await repository.get_delivery(db, delivery_id)
    if delivery is None or delivery.subscription_id != subscription.id:
        raise DeliveryNotFound(f"No delivery {delivery_id} of this subscription.")
    if not await repository.requeue(db, delivery.id, now=utcnow()):
        raise DeliveryInProgress("An attempt is under way; ask again when it has ended.")
    await db.refresh(delivery)
    return _public(delivery, await repository.attempts_of(db, [delivery.id]))


def _public(delivery: WebhookDelivery, attempts: list[WebhookAttempt]) -> DeliveryPublic:
    return DeliveryPublic(
        id=delivery.id, subscription_id=delivery.subscription_id,
        event_type=delivery.event_type, month=delivery.month, status=delivery.status,
        next_attempt_at=delivery.next_attempt_at if delivery.status == "pending" else None,
        created_at=delivery.created_at, delivered_at=delivery.delivered_at,
        payload=payload(delivery),
        attempts=[AttemptPublic.model_validate(a) for a in attempts])


# When a month is final.

def _next_month(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)


def final_at(year: int, month: int, *, after_days: int) -> datetime:
    """When the month is final: it has ended everywhere and the settle period has passed."""
    next_year, next_month = _next_month(year, month)
    return (datetime(next_year, next_month, 1, tzinfo=UTC) + ENDED_EVERYWHERE
            + timedelta(days=after_days))


def months_final_between(after: datetime, until: datetime, *, after_days: int
                         ) -> list[tuple[int, int]]:
    """Every month whose final moment is later than `after` and not later than `until`."""
    earliest = after - ENDED_EVERYWHERE - timedelta(days=after_days + 31)
    year, month = earliest.year, earliest.month
    months = []
    while (moment := final_at(year, month, after_days=after_days)) <= until:
        if moment > after:
            months.append((year, month))
        year, month = _next_month(year, month)
    return months


def month_name(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


async def queue_final_months(db: AsyncSession, *, now: datetime, after_days: int) -> int:
    """Queue one month.final delivery per live subscription and month that became final since
    the subscription was made (never the history before it); returns how many were queued. A
    rescan, or two replicas scanning at once, queue nothing twice: the unique constraint
    refuses the second."""
    subscriptions = [s for s in await repository.live_subscriptions(db) if MONTH_FINAL in s.events]
    wanted = {s.id: months_final_between(s.created_at, now, after_days=after_days)
              for s in subscriptions}
    firsts = [min(months) for months in wanted.values() if months]
    if not firsts:
        return 0
    queued = await repository.queued_months(db, event_type=MONTH_FINAL, subscription_ids=wanted,
                                            since_month=month_name(*min(firsts)))
    count = 0
    for subscription in subscriptions:
        names = (month_name(year, month) for year, month in wanted[subscription.id])
        months = [name for name in names if (subscription.id, name) not in queued]
        # Ids in month order (two made in one millisecond need not be), so the log, newest
        # first, lists a scan's months newest first too.
        for delivery_id, name in zip(sorted(new_id() for _ in months), months, strict=True):
            delivery = WebhookDelivery(id=delivery_id, subscription_id=subscription.id,
                                       network_id=subscription.network_id,
                                       event_type=MONTH_FINAL, month=name, next_attempt_at=now)
            count += await repository.insert_delivery(db, delivery)
    return count


# What a delivery carries, and its signature.

def payload(delivery: WebhookDelivery) -> dict[str, Any]:
    year, month = (int(part) for part in delivery.month.split("-"))
    next_year, next_month = _next_month(year, month)
    last_day = date(next_year, next_month, 1) - timedelta(days=1)
    return {"type": delivery.event_type, "id": delivery.id, "network_id": delivery.network_id,
            "month": delivery.month, "from": date(year, month, 1).isoformat(),
            "to": last_day.isoformat()}


def body_of(delivery: WebhookDelivery) -> bytes:
    return json.dumps(payload(delivery), separators=(",", ":")).encode()


def signature(secret: str, *, timestamp: int, body: bytes) -> str:
    """The Cascade-Signature header: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={digest.hexdigest()}"


def headers_of(delivery: WebhookDelivery, secret: str, *, timestamp: int,
               body: bytes) -> dict[str, str]:
    return {"Content-Type": "application/json", "User-Agent": "Cascade-Webhooks/1",
            "Cascade-Event-Id": delivery.id, "Cascade-Event-Type": delivery.event_type,
            "Cascade-Signature": signature(secret, timestamp=timestamp, body=body)}


# What follows an attempt.

@dataclass(frozen=True)
class Outcome:
    """How one attempt ended: an answer's status code, or the error that stopped it."""

    status_code: int | None = None
    error: str | None = None

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def retry_delay(settings: ReachSettings, attempt: int) -> timedelta:
    """The wait after the attempt-th failed attempt (1-based); the last delay repeats."""
    delays = settings.webhook_retry_delays
    return timedelta(seconds=delays[min(attempt, len(delays)) - 1])


def after_attempt(settings: ReachSettings, *, attempt: int, outcome: Outcome,
                  at: datetime) -> dict[str, Any]:
    """The delivery's new state after its attempt-th attempt ended at `at`."""
    if outcome.succeeded:
        return {"status": "delivered", "delivered_at": at, "next_attempt_at": None}
    if attempt >= settings.webhook_max_attempts:
        return {"status": "failed", "next_attempt_at": None}
    return {"status": "pending", "next_attempt_at": at + retry_delay(settings, attempt)}


async def record_attempt(db: AsyncSession, settings: ReachSettings, delivery: WebhookDelivery, *,
                         started: datetime, ended: datetime, outcome: Outcome) -> None:
    duration = max(0, round((ended - started).total_seconds() * 1000))
    await repository.save(db, WebhookAttempt(
        delivery_id=delivery.id, attempted_at=started, duration_ms=duration,
        status_code=outcome.status_code, error=outcome.error, succeeded=outcome.succeeded))
    await repository.settle(db, delivery.id, attempt=delivery.attempts,
                            **after_attempt(settings, attempt=delivery.attempts, outcome=outcome,
                                            at=ended))


async def claim_due(db: AsyncSession, settings: ReachSettings, *, now: datetime
                    ) -> list[tuple[WebhookDelivery, WebhookSubscription]]:
    """Due deliveries claimed for this worker, each with its subscription. A claim outlives the
    attempt's timeout, so only a worker that died leaves one to run out."""
    claim_until = now + timedelta(seconds=settings.webhook_timeout + 30)
    claimed = await repository.claim_due(db, now=now, claim_until=claim_until,
                                         limit=settings.webhook_batch_size)
    subscriptions = await repository.subscriptions_by_id(db, (d.subscription_id for d in claimed))
    due = []
    for delivery in claimed:
        subscription = subscriptions[delivery.subscription_id]
        if subscription.deleted_at is None:
            due.append((delivery, subscription))
        else:  # deleted since the claim's query ran: its secret is gone, so nothing is sent
            await repository.settle(db, delivery.id, attempt=delivery.attempts,
                                    status="pending", attempts=delivery.attempts - 1)
    return due
