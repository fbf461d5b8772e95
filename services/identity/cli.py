"""What the `cascade` command line asks of identity, run against its database directly."""

from collections.abc import Awaitable, Callable

from sqlmodel.ext.asyncio.session import AsyncSession

from services.identity.accounts import passwords
from services.identity.accounts.models import Account
from services.identity.accounts.service import make_account, make_platform_admin
from services.identity.settings import IdentitySettings
from shared.db import create_engine, session_factory


async def _in_database(settings: IdentitySettings,
                       work: Callable[[AsyncSession], Awaitable[Account]]) -> str:
    engine = create_engine(settings.db_url, schema=settings.service_name)
    try:
        async with session_factory(engine)() as db:
            account = await work(db)
            await db.commit()
            return account.id
    finally:
        await engine.dispose()


async def create_platform_admin(settings: IdentitySettings, *, email: str, password: str,
                                full_name: str = "Platform admin") -> str:
    """Creates (or promotes) a platform admin and returns the account id. Migrations are the
    caller's business."""
    password_hash = await passwords.hash_password(password)
    return await _in_database(settings, lambda db: make_platform_admin(
        db, email=email, password_hash=password_hash, full_name=full_name, actor="cli"))


async def create_account(settings: IdentitySettings, *, email: str, password: str,
                         full_name: str) -> str:
    """An account with a confirmed email, for an address the operator vouches for (the demo's
    logins), on the person with that email or a new one. Returns the account id."""
    password_hash = await passwords.hash_password(password)
    return await _in_database(settings, lambda db: make_account(
        db, email=email, password_hash=password_hash, full_name=full_name, actor="cli"))
