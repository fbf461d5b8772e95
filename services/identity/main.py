"""The identity service. Run with: uvicorn --factory services.identity.main:create_app"""

import httpx
from fastapi import FastAPI

from services.identity.accounts import passwords
from services.identity.api import api_router
from services.identity.audit.service import denials_to_audit
from services.identity.feeds import feed_workers
from services.identity.sessions.service import is_revoked
from services.identity.settings import IdentitySettings
from services.identity.tokens.keys import key_ring, reseal_keys
from shared.auth import TokenVerifier
from shared.service import create_service_app

DESCRIPTION = (
    "People, organizations, accounts, memberships and roles; sign-in and access tokens "
    "(ES256, keys published as JWKS); partner API keys; the audit log."
)


def create_app(
    settings: IdentitySettings | None = None,
    *,
    gateway_transport: httpx.AsyncBaseTransport | None = None,
    verifier: TokenVerifier | None = None,
) -> FastAPI:
    settings = settings or IdentitySettings()
    settings.check_secrets()
    passwords.configure(settings)
    passwords.dummy_hash()  # computed now, so the first unknown-email sign-in is not faster
    ring = key_ring(settings)

    async def fetch_own_jwks() -> dict:
        # Identity reads its own keys from its database instead of asking itself over HTTP.
        async with app.state.sessions() as db:
            return await ring.jwks(db)

    async def seal_keys(app: FastAPI) -> None:
        # Keys written in plain text before they were sealed at rest, or sealed with the
        # previous key encryption key, are sealed with the current one now; a key that opens
        # with neither stops the start-up here, not at sign-in.
        async with app.state.sessions() as db:
            await reseal_keys(db, ring.cipher)
            # The first signing key is made here, before any request: made at first use, two
            # concurrent first token requests each made one, and a token signed with the second
            # could be refused for the verifier's one-second refetch cooldown.
            await ring.current(db)
            await db.commit()

    class EndedSessions:
        """Identity needs no cache: whether a session has ended is one read of its own table."""

        async def is_revoked(self, session_id: str) -> bool:
            async with app.state.sessions() as db:
                return await is_revoked(db, session_id)

    app = create_service_app(
        settings,
        title="Cascade identity",
        description=DESCRIPTION,
        api_router=api_router(),
        gateway_transport=gateway_transport,
        workers=feed_workers() if settings.consume_feeds else [],
        # The key ring answers first, with no database read; a key id it does not hold (made
        # moments ago by another replica) is looked up at most once a second.
        verifier=verifier or TokenVerifier(fetch_jwks=fetch_own_jwks,
                                           issuer=settings.token_issuer,
                                           audience=settings.service_name, refetch_cooldown=1.0,
                                           max_age=settings.key_cache_seconds,
                                           local_key=ring.public_key,
                                           revocations=EndedSessions()),
        startup=seal_keys,
    )
    app.state.record_denial = denials_to_audit(app.state.sessions)
    app.state.key_ring = ring
    return app
