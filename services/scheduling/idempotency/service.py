"""Idempotency-Key handling: the first answer to a key is stored in the same transaction as the
change it reports, and every retry with that key gets the same status and body back.

The claim is inserted before the work: on PostgreSQL a concurrent attempt with the same key waits
on the unique index until the first commits, then fails and replays the stored answer; on SQLite
BEGIN IMMEDIATE already runs them one after the other, so the second simply finds the record.
Failures (4xx raised as errors) roll the claim back with everything else, so a retry runs afresh.
"""

import hashlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from services.scheduling.errors import IdempotencyKeyReused
from services.scheduling.idempotency import repository
from services.scheduling.idempotency.models import IdempotencyRecord
from shared.errors import Conflict


@dataclass(frozen=True)
class Outcome:
    status_code: int
    body: Any  # the JSON answer: an object, or a list for routes that answer one
    replayed: bool = False


def fingerprint(method: str, path: str, body: Any) -> str:
    canonical = json.dumps({"method": method, "path": path, "body": body}, sort_keys=True,
                           separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _replay(record: IdempotencyRecord, request_hash: str) -> Outcome:
    if record.request_hash != request_hash:
        raise IdempotencyKeyReused("This Idempotency-Key was first used for a different request.")
    return Outcome(record.status_code, record.response, replayed=True)


async def run_once(
    db: AsyncSession,
    *,
    subject: str,
    key: str | None,
    method: str,
    path: str,
    request_hash: str,
    action: Callable[[], Awaitable[tuple[int, Any]]],
    stored: Callable[[Any], Any] | None = None,
) -> Outcome:
    """stored, when given, is what the record keeps of the answer (a secret shown once, such as
    a private link, is left out, so a replay answers without it)."""
    if key is None:
        return Outcome(*await action())
    found = await repository.find(db, subject=subject, key=key)
    if found is not None:
        return _replay(found, request_hash)
    claim = IdempotencyRecord(subject=subject, key=key, method=method, path=path,
                              request_hash=request_hash)
    try:
        await repository.save(db, claim)
    except IntegrityError:
        # A concurrent attempt with this key committed first. Its transaction is over, so end
        # ours and read what it answered.
        await db.rollback()
        found = await repository.find(db, subject=subject, key=key)
        if found is None:
            raise Conflict("A request with this Idempotency-Key is still in progress.") from None
        return _replay(found, request_hash)
    status_code, body = await action()
    claim.status_code, claim.response = status_code, stored(body) if stored else body
    await repository.save(db, claim)
    return Outcome(status_code, body)

