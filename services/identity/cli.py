"""What the `cascade` command line asks of identity, run against its database directly."""

from services.identity.accounts import passwords
from services.identity.accounts.service import make_platform_admin
from services.identity.settings import IdentitySettings
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
