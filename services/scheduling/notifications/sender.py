"""The sender: a worker of the scheduling app that queues reminders and delivers due messages.

Each message is claimed in a short transaction (so no lock is held while talking to the mail
server), sent, then settled in another: sent, queued again with a longer wait, or failed after
the last attempt. A sender that dies mid-send leaves a claim that runs out, and the message is
sent again: delivery is at least once, never silently lost.
"""

import asyncio
import logging
import time
from datetime import timedelta
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

import aiosmtplib
from fastapi import FastAPI

from services.scheduling.notifications import repository, service
from services.scheduling.notifications.models import Notification
from services.scheduling.settings import SchedulingSettings
from shared.db import utcnow
from shared.service import finish_before_stopping

log = logging.getLogger("cascade.scheduling.notifications")


def to_email(settings: SchedulingSettings, message: Notification) -> EmailMessage:
    email = EmailMessage()
    email["From"] = settings.smtp_from
    email["To"] = formataddr((message.name, message.email))
    email["Subject"] = message.subject
    email["Message-ID"] = make_msgid(idstring=message.id, domain="cascade.invalid")
    email["Auto-Submitted"] = "auto-generated"  # asks mail servers not to answer it
    email.set_content(message.body)
    return email


async def deliver(settings: SchedulingSettings, message: Notification) -> str:
    """Send one message; returns where it went: "smtp", or "mailbox" when no SMTP server is
    configured (the embedded default: the local mailbox page shows it)."""
    if not settings.smtp_host:
        return "mailbox"
    await aiosmtplib.send(
        to_email(settings, message), hostname=settings.smtp_host, port=settings.smtp_port,
        username=settings.smtp_user or None, password=settings.smtp_password or None,
        start_tls=settings.smtp_starttls, timeout=settings.smtp_timeout,
    )
    return "smtp"


def _permanent(error: Exception) -> bool:
    # A 5xx answer (recipient refused, bad mailbox) will not change by waiting.
    if isinstance(error, aiosmtplib.SMTPRecipientsRefused):
        return True
    return isinstance(error, aiosmtplib.SMTPResponseException) and 500 <= error.code < 600


async def _attempt(app: FastAPI, message: Notification) -> None:
    settings: SchedulingSettings = app.state.settings
    try:
        via = await deliver(settings, message)
    except Exception as error:  # noqa: BLE001 (any failure is kept on the message and retried)
        reason = f"{type(error).__name__}: {error}"[:500]
        log.warning("sending notification %s failed (attempt %d): %s",
                    message.id, message.attempts, reason)
        if _permanent(error) or message.attempts >= settings.notify_max_attempts:
            values = {"status": "failed", "last_error": reason}
        else:
            wait = settings.notify_retry_delay * 2 ** (message.attempts - 1)
            values = {"status": "queued", "last_error": reason,
                      "next_attempt_at": utcnow() + timedelta(seconds=wait)}
    else:
        values = {"status": "sent", "delivered_via": via, "sent_at": utcnow(),
                  "last_error": None}
    async with app.state.sessions() as db:
        await repository.settle(db, message.id, attempt=message.attempts, **values)
        await db.commit()


async def send_due(app: FastAPI) -> int:
    """Claim and deliver one batch of due messages; returns how many were claimed."""
    settings: SchedulingSettings = app.state.settings
    now = utcnow()
    async with app.state.sessions() as db:
        claimed = await repository.claim_due(
            db, now=now, claim_until=now + timedelta(seconds=settings.notify_claim_seconds),
            limit=settings.notify_batch_size,
        )
        await db.commit()
    for message in claimed:
        await _attempt(app, message)
    return len(claimed)


async def queue_reminders(app: FastAPI) -> int:
    settings: SchedulingSettings = app.state.settings
    async with app.state.sessions() as db:
        queued = await service.queue_reminders(db, now=utcnow(), hours=settings.reminder_hours)
        await db.commit()
    return queued


async def run_sender(app: FastAPI) -> None:
    """The worker: reminders every reminder_interval, due messages every poll (at once again
    while there is a full batch waiting)."""
    settings: SchedulingSettings = app.state.settings
    next_scan = 0.0

    async def one_round() -> bool:
        nonlocal next_scan
        if time.monotonic() >= next_scan:
            await queue_reminders(app)
            next_scan = time.monotonic() + settings.reminder_interval
        return await send_due(app) >= settings.notify_batch_size

    while True:
        busy = False
        try:
            # Each round ends before the app stops: see finish_before_stopping.
            busy = await finish_before_stopping(one_round())
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 (a database hiccup must not stop the sender for good)
            log.exception("notification sender failed; trying again")
        if not busy:
            await asyncio.sleep(settings.notify_poll_interval)
