"""Password reset by a single-use, expiring link mailed to the account's address."""

from sqlmodel.ext.asyncio.session import AsyncSession

from services.identity import links
from services.identity.accounts import passwords
from services.identity.accounts import repository as accounts
from services.identity.accounts.service import LINK_GONE, mark_email_verified
from services.identity.audit import service as audit
from services.identity.errors import LinkNotFound
from services.identity.logins import service as logins
from services.identity.mail import request_mail
from services.identity.password_resets import repository
from services.identity.password_resets.models import PasswordReset
from services.identity.password_resets.schemas import (
    PasswordResetAnswer,
    PasswordResetComplete,
    PasswordResetCreate,
)
from services.identity.people import repository as people
from services.identity.sessions import service as login_sessions
from services.identity.settings import IdentitySettings
from shared.db import utcnow


async def request_reset(db: AsyncSession, data: PasswordResetCreate, *,
                        settings: IdentitySettings) -> PasswordResetAnswer:
    """Mails a reset link when the email has an account; answers the same either way."""
    found = await accounts.with_person_by_email(db, data.email)
    if found is not None:
        account, person = found
        token, token_hash = links.new_token()
        await repository.add(db, PasswordReset(
            account_id=account.id, token_hash=token_hash,
            expires_at=links.expires_in(settings.reset_link_ttl)))
        await request_mail(
            db, to_email=person.email, person_id=person.id,
            subject="Choose a new Cascade password",
            body=(f"Hello {person.full_name},\n\nSomeone (you, we hope) asked to reset the "
                  f"password of your Cascade account. To choose a new one, open:\n\n"
                  f"{settings.site_url}/reset-password/{token}\n\nThe link works once, within "
                  f"{max(settings.reset_link_ttl // 60, 1)} minutes. If you did not ask, ignore "
                  "this mail: your password stays as it is."),
            dedupe_key=f"password_reset:{token_hash[:32]}",
        )
    return PasswordResetAnswer()


async def complete_reset(db: AsyncSession, data: PasswordResetComplete) -> None:
    """Sets the new password; the link, and every other reset link of the account, is spent.
    Using it also proves the address."""
    # Hashed before the first query: the 20 ms of hashing holds no transaction open.
    password_hash = await passwords.hash_password(data.password)
    reset = await repository.by_token_hash(db, links.hash_token(data.token))
    if not links.opens(reset, data.token):
        raise LinkNotFound(LINK_GONE)
    account = await accounts.get(db, reset.account_id)
    if account is None:
        raise LinkNotFound(LINK_GONE)
    now = utcnow()
    await repository.spend_all(db, account.id, now)
    account.password_hash = password_hash
    await accounts.save(db, account)
    await mark_email_verified(db, account)
    person = await people.get(db, account.person_id)
    if person is not None:
        await logins.clear_failures(db, person.email, None)
    await audit.record(db, actor=f"account:{account.id}", action="password.reset",
                       target_type="account", target_id=account.id,
                       details={"password_reset_id": reset.id})
    # Whoever held the old password may be signed in: a reset ends every session of the account.
    await login_sessions.revoke_all(db, account_id=account.id)
