"""The webhook worker of the reach app: it queues a delivery for every month that became final
and delivers what is due.

Each batch is claimed in a short transaction (no lock is held while a partner's server is
talked to), the batch is posted concurrently, and each attempt is recorded and settled in a
transaction of its own: delivered, due again after the next delay of the retry schedule, or
failed after the last attempt. A worker that dies mid-attempt leaves a claim that runs out, and
the delivery is attempted again: delivery is at least once (the event id tells repeats apart).
"""

import asyncio
import logging
import time

import httpx
from fastapi import FastAPI

from services.reach.settings import ReachSettings
from services.reach.webhooks import service
from services.reach.webhooks.models import WebhookDelivery, WebhookSubscription
from services.reach.webhooks.transport import InternalAddress, PublicAddressTransport
from shared.db import utcnow
from shared.http import make_client
from shared.service import Worker, finish_before_stopping

log = logging.getLogger("cascade.reach.webhooks")


def webhook_client(settings: ReachSettings,
                   transport: httpx.AsyncBaseTransport | None = None) -> httpx.AsyncClient:
    """Its own client, not the gateway's: partners' servers are outside Cascade. It connects
    only to public addresses, checked at each POST (webhooks/transport.py), unless `transport`
    replaces the network (tests). No redirect is followed (a 3xx is a failed attempt) and no
    proxy or cookie from the environment is used."""
    timeout = settings.webhook_timeout
    if transport is None:
        transport = PublicAddressTransport(
            allow_localhost=settings.webhook_allow_http_localhost,
            max_connections=settings.webhook_batch_size)
    return make_client("", transport=transport, timeout=httpx.Timeout(timeout, connect=timeout))


async def queue_final_months(app: FastAPI, *, now=None) -> int:
    settings: ReachSettings = app.state.settings
    async with app.state.sessions() as db:
        queued = await service.queue_final_months(db, now=now or utcnow(),
                                                  after_days=settings.month_final_after_days)
        await db.commit()
    return queued


async def post(client: httpx.AsyncClient, settings: ReachSettings, delivery: WebhookDelivery,
               subscription: WebhookSubscription) -> service.Outcome:
    body = service.body_of(delivery)
    headers = service.headers_of(delivery, subscription.secret, timestamp=int(time.time()),
                                 body=body)
    try:
        # The whole attempt, not only each read, ends within the timeout; the answer's body is
        # never read.
        async with asyncio.timeout(settings.webhook_timeout):
            async with client.stream("POST", subscription.url, content=body,
                                     headers=headers) as response:
                return service.Outcome(status_code=response.status_code)
    except (TimeoutError, httpx.TimeoutException):
        return service.Outcome(error=f"no answer within {settings.webhook_timeout:g} s")
    except InternalAddress as refused:  # nothing was sent
        return service.Outcome(error=str(refused))
    except httpx.HTTPError as error:
        return service.Outcome(error=f"{type(error).__name__}: {error}"[:500])


async def attempt(app: FastAPI, client: httpx.AsyncClient, delivery: WebhookDelivery,
                  subscription: WebhookSubscription) -> service.Outcome:
    settings: ReachSettings = app.state.settings
    started = utcnow()
    outcome = await post(client, settings, delivery, subscription)
    ended = utcnow()
    if not outcome.succeeded:
        log.info("webhook delivery %s attempt %d failed: %s", delivery.id, delivery.attempts,
                 outcome.error or outcome.status_code)
    async with app.state.sessions() as db:
        await service.record_attempt(db, settings, delivery, started=started, ended=ended,
                                     outcome=outcome)
        await db.commit()
    return outcome


async def deliver_due(app: FastAPI, client: httpx.AsyncClient, *, now=None) -> int:
    """Claim one batch of due deliveries and attempt each; returns how many were claimed."""
    settings: ReachSettings = app.state.settings
    async with app.state.sessions() as db:
        claimed = await service.claim_due(db, settings, now=now or utcnow())
        await db.commit()
    await asyncio.gather(*(attempt(app, client, d, s) for d, s in claimed))
    return len(claimed)


def webhook_workers(settings: ReachSettings,
                    transport: httpx.AsyncBaseTransport | None = None) -> list[Worker]:
    """The worker, unless webhooks are off; `transport` replaces the network in tests."""
    if not settings.webhooks_enabled:
        return []

    async def run(app: FastAPI) -> None:
        next_scan = 0.0

        async def one_round(client: httpx.AsyncClient) -> bool:
            nonlocal next_scan
            if time.monotonic() >= next_scan:
                await queue_final_months(app)
                next_scan = time.monotonic() + settings.webhook_scan_interval
            return await deliver_due(app, client) >= settings.webhook_batch_size

        async with webhook_client(settings, transport) as client:
            while True:
                busy = False
                try:
                    busy = await finish_before_stopping(one_round(client))
                except asyncio.CancelledError:
                    raise
                except Exception:  # noqa: BLE001 (a database hiccup must not stop it for good)
                    log.exception("webhook worker failed; trying again")
                if not busy:
                    await asyncio.sleep(settings.webhook_poll_interval)

    return [run]
