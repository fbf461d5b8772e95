"""Password hashing: argon2id with OWASP's minimum parameters, always off the event loop.

One hash costs ~20 ms of CPU: run inline it would stall every other request of the process.
"""

import functools

from anyio import to_thread
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from services.identity.settings import IdentitySettings

_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


def configure(settings: IdentitySettings) -> None:
    """New hashes at the settings' cost (checked by them), for the whole process: identity's
    app and command line call this before they hash."""
    settings.check_password_cost()
    global _hasher
    if (_hasher.time_cost, _hasher.memory_cost) != (settings.password_time_cost,
                                                     settings.password_memory_kib):
        _hasher = PasswordHasher(time_cost=settings.password_time_cost,
                                 memory_cost=settings.password_memory_kib, parallelism=1)
        dummy_hash.cache_clear()


@functools.cache
def dummy_hash() -> str:
    """Verified against when no account matches, so unknown emails take as long as wrong
    passwords and the answer time does not tell who has an account."""
    return _hasher.hash("no account has this password")


async def hash_password(password: str) -> str:
    return await to_thread.run_sync(_hasher.hash, password)


async def verify_password(password_hash: str | None, password: str) -> tuple[bool, bool]:
    """(matches, needs rehash). A missing hash is checked against the dummy and never matches."""

    def check() -> tuple[bool, bool]:
        try:
            _hasher.verify(password_hash or dummy_hash(), password)
        except (VerificationError, InvalidHashError):
            return False, False
        if password_hash is None:
            return False, False
        return True, _hasher.check_needs_rehash(password_hash)

    return await to_thread.run_sync(check)
