"""Single-use links mailed to an address (sign-up, password reset, invitation).

A link carries a random token; only its SHA-256 is stored, so a copy of the database opens no
link. A token is found by its hash and compared again in constant time before it counts.
"""

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta
from typing import Any

from shared.db import utcnow

TOKEN_BYTES = 32
TOKEN_MAX_LENGTH = 128  # what a link's token may be at most; longer ones match nothing


def new_token() -> tuple[str, str]:
    """(token for the link, hash to store)."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    return token, hash_token(token)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def matches(stored_hash: str, token: str) -> bool:
    return hmac.compare_digest(stored_hash.encode(), hash_token(token).encode())


def expires_in(seconds: int) -> datetime:
    return utcnow() + timedelta(seconds=seconds)


def usable(*, expires_at: datetime, used_at: datetime | None) -> bool:
    return used_at is None and expires_at > utcnow()


def opens(row: Any, token: str) -> bool:
    """Whether `row` (found by the token's hash; a table with token_hash, expires_at and
    used_at) is a link this token still opens."""
    return (row is not None and matches(row.token_hash, token)
            and usable(expires_at=row.expires_at, used_at=row.used_at))
