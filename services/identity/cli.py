"""What the `cascade` command line asks of identity, run against its database directly."""

from datetime import datetime

from services.identity.accounts import passwords
from services.identity.accounts.service import make_platform_admin
from services.identity.settings import IdentitySettings
from services.identity.tokens import keys
from shared.db import create_engine, session_factory


async def create_platform_admin(settings: IdentitySettings, *, email: str, password: str,
                                full_name: str = "Platform admin") -> str:
    """Creates (or promotes) a platform admin and returns the account id. Migrations are the
    caller's business."""
    password_hash = await passwords.hash_password(password)
    engine = create_engine(settings.db_url, schema=settings.service_name)
    try:
        async with session_factory(engine)() as db:
            account = await make_platform_admin(db, email=email, password_hash=password_hash,
                                                full_name=full_name, actor="cli")
            await db.commit()
            return account.id
    finally:
        await engine.dispose()


async def rotate_signing_keys(settings: IdentitySettings) -> tuple[str, datetime]:
    """A new signing key signs from now on; the old ones leave the JWKS once the last token
    they signed has expired. Returns the new key id and when the old keys retire."""
    engine = create_engine(settings.db_url, schema=settings.service_name)
    try:
        async with session_factory(engine)() as db:
            key, retires_at = await keys.rotate(db, settings)
            await db.commit()
            return key.id, retires_at
    finally:
        await engine.dispose()
