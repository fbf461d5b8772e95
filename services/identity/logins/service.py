"""Throttling of password sign-ins per email, whoever asks and from wherever.

The gateway's per-address limit cannot protect the web sign-in form (the web front end calls from
its own address, which the gateway exempts), so identity counts wrong passwords per email: after
`login_max_failures` of them within `login_failure_window` seconds, password attempts for that
email are refused without checking the password, until enough failures have left the window.
"""

import math
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from services.identity.audit import service as audit
from services.identity.logins import repository
from services.identity.logins.models import LoginFailure
from services.identity.settings import IdentitySettings
from shared.db import utcnow


def _window_start(settings: IdentitySettings, now: datetime) -> datetime:
    return now - timedelta(seconds=settings.login_failure_window)


async def seconds_locked(db: AsyncSession, settings: IdentitySettings, email: str) -> int | None:
    """Seconds until the email may try a password again; None when it may now."""
    now = utcnow()
    # The email unlocks once fewer than the maximum failures remain in the window: when the
    # max-th newest one leaves it (the oldest counted one, unless parallel attempts overshot).
    unlocking = await repository.nth_newest_since(
        db, email, _window_start(settings, now), settings.login_max_failures)
    if unlocking is None:
        return None
    remaining = (unlocking - now).total_seconds() + settings.login_failure_window
    return max(1, math.ceil(remaining))


async def record_failure(sessions: async_sessionmaker[AsyncSession], settings: IdentitySettings,
                         email: str) -> None:
    """Records a wrong password in a transaction of its own, committed whatever the request
    answers, and audits the failure that locks the email."""
    async with sessions() as db, db.begin():
        await repository.serialize_email(db, email)
        now = utcnow()
        since = _window_start(settings, now)
        await repository.delete_for(db, email, before=since)
        failure = await repository.add(db, LoginFailure(email=email, failed_at=now))
        # Serialized per email, so exactly one failure sees the count reach the maximum.
        count = await repository.count_since(db, email, since)
        if count == settings.login_max_failures:
            await audit.record(
                db, actor="service:identity", action="login.locked",
                target_type="login_failure", target_id=failure.id,
                details={"email": email, "failures": count,
                         "window_seconds": settings.login_failure_window},
            )


async def clear_failures(db: AsyncSession, email: str) -> None:
    """After a successful sign-in the email starts again from no failures."""
    await repository.delete_for(db, email)
