"""What the `cascade` command line asks of identity, run against its database directly."""

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TypeVar

from sqlmodel.ext.asyncio.session import AsyncSession

from services.identity.accounts import passwords
from services.identity.accounts.service import make_account, make_platform_admin
from services.identity.settings import IdentitySettings
from services.identity.tokens import keys
from shared.db import create_engine, session_factory

T = TypeVar("T")


async def _in_database(settings: IdentitySettings,
                       work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    engine = create_engine(settings.db_url, schema=settings.service_name)
    try:
        async with session_factory(engine)() as db:
            done = await work(db)
            await db.commit()
            return done
    finally:
        await engine.dispose()


async def create_platform_admin(settings: IdentitySettings, *, email: str, password: str,
                                full_name: str = "Platform admin") -> str:
    """Creates (or promotes) a platform admin and returns the account id. Migrations are the
    caller's business."""
    passwords.configure(settings)
    password_hash = await passwords.hash_password(password)
    account = await _in_database(settings, lambda db: make_platform_admin(
        db, email=email, password_hash=password_hash, full_name=full_name, actor="cli"))
    return account.id


async def create_account(settings: IdentitySettings, *, email: str, password: str,
                         full_name: str) -> str:
    """An account with a confirmed email, for an address the operator vouches for (the demo's
    logins), on the person with that email or a new one. Returns the account id."""
    passwords.configure(settings)
    password_hash = await passwords.hash_password(password)
    account = await _in_database(settings, lambda db: make_account(
        db, email=email, password_hash=password_hash, full_name=full_name, actor="cli"))
    return account.id


async def rotate_signing_keys(settings: IdentitySettings) -> tuple[str, datetime]:
    """A new signing key signs from now on; the old ones leave the JWKS once the last token
    they signed has expired. Returns the new key id and when the old keys retire."""
    async def rotate(db: AsyncSession) -> tuple[str, datetime]:
        key, retires_at = await keys.rotate(db, settings)
        return key.id, retires_at

    return await _in_database(settings, rotate)
