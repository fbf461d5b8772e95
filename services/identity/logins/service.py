"""Throttling of password sign-ins: per (email, client address) with a growing back-off, and a
far higher ceiling per email from every address together.

The client address is the one the gateway puts in X-Forwarded-For (identity believes it from
the gateway only; web passes each browser's on). Per pair: after `login_max_failures` wrong
passwords within `login_failure_window` seconds, that address waits `login_backoff_seconds`
after its last failure before it may try the email again, twice as long after each further
failure, up to `login_backoff_max`, and no longer than until enough of its failures have left the
window. Someone guessing from one address so never locks the owner out at another. Per email:
`login_email_ceiling` failures within the window, from all addresses, lock the email for
everyone until enough of them leave the window, so a guessing run spread over many addresses is
stopped too. Either way a locked attempt is refused before the password is checked.
"""

import math
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from services.identity.audit import service as audit
from services.identity.logins import repository
from services.identity.logins.models import ADDRESS_MAX_LENGTH, LoginFailure
from services.identity.settings import IdentitySettings
from shared.db import utcnow


def _window_start(settings: IdentitySettings, now: datetime) -> datetime:
    return now - timedelta(seconds=settings.login_failure_window)


def backoff(settings: IdentitySettings, failures: int) -> float:
    """Seconds an address waits after its last failure, having failed `failures` times."""
    if failures < settings.login_max_failures:
        return 0.0
    doublings = min(failures - settings.login_max_failures, 32)
    return float(min(settings.login_backoff_max, settings.login_backoff_seconds * 2 ** doublings))


async def _unlocks_at(db: AsyncSession, settings: IdentitySettings, email: str, address: str,
                      now: datetime) -> datetime | None:
    since = _window_start(settings, now)
    window = timedelta(seconds=settings.login_failure_window)
    ends: list[datetime] = []
    # The pair: its back-off after its last failure, but never past the moment fewer than the
    # maximum of its failures remain in the window.
    failures = await repository.count_since(db, email, since, client_address=address)
    if failures >= settings.login_max_failures:
        last = await repository.nth_newest_since(db, email, since, 1, client_address=address)
        leaving = await repository.nth_newest_since(
            db, email, since, settings.login_max_failures, client_address=address)
        if last is not None and leaving is not None:
            ends.append(min(last + timedelta(seconds=backoff(settings, failures)),
                            leaving + window))
    # The email, from everywhere: open again once fewer than the ceiling remain in the window.
    ceiling = await repository.nth_newest_since(db, email, since, settings.login_email_ceiling)
    if ceiling is not None:
        ends.append(ceiling + window)
    return max(ends) if ends else None


def _address(client_address: str) -> str:
    return client_address[:ADDRESS_MAX_LENGTH]


async def seconds_locked(db: AsyncSession, settings: IdentitySettings, email: str,
                         client_address: str) -> int | None:
    """Seconds until this address may try a password for the email again; None when it may."""
    now = utcnow()
    unlocks = await _unlocks_at(db, settings, email, _address(client_address), now)
    if unlocks is None or unlocks <= now:
        return None
    return max(1, math.ceil((unlocks - now).total_seconds()))


async def record_failure(sessions: async_sessionmaker[AsyncSession], settings: IdentitySettings,
                         email: str, client_address: str) -> None:
    """Records a wrong password in a transaction of its own, committed whatever the request
    answers, and audits the failure that starts an address's back-off and the one that
    reaches the email's ceiling."""
    address = _address(client_address)
    async with sessions() as db, db.begin():
        await repository.serialize_email(db, email)
        now = utcnow()
        since = _window_start(settings, now)
        await repository.delete_for(db, email, before=since)
        failure = await repository.add(db, LoginFailure(email=email, client_address=address,
                                                        failed_at=now))
        # Serialized per email, so exactly one failure sees each count reach its limit.
        from_address = await repository.count_since(db, email, since, client_address=address)
        if from_address == settings.login_max_failures:
            await audit.record(
                db, actor="service:identity", action="login.locked",
                target_type="login_failure", target_id=failure.id,
                details={"email": email, "client_address": address, "failures": from_address,
                         "window_seconds": settings.login_failure_window},
            )
        if await repository.count_since(db, email, since) == settings.login_email_ceiling:
            await audit.record(
                db, actor="service:identity", action="login.email_locked",
                target_type="login_failure", target_id=failure.id,
                details={"email": email, "failures": settings.login_email_ceiling,
                         "window_seconds": settings.login_failure_window},
            )


async def clear_failures(db: AsyncSession, email: str, client_address: str | None) -> None:
    """After a successful sign-in the address starts again from no failures for the email
    (others' failures still count toward the email's ceiling); a proven owner who reset the
    password (client_address None) starts the email again from none at all."""
    await repository.delete_for(
        db, email, client_address=None if client_address is None else _address(client_address))
