"""The identity service. Run with: uvicorn --factory services.identity.main:create_app"""

import httpx
from fastapi import FastAPI

from services.identity.accounts import passwords
from services.identity.affiliations.workers import consume_scheduling_feed
from services.identity.api import api_router
from services.identity.settings import IdentitySettings
from services.identity.tokens.keys import KeyRing, public_jwks
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
    passwords.dummy_hash()  # computed now, so the first unknown-email sign-in is not faster

    async def fetch_own_jwks() -> dict:
        # Identity reads its own keys from its database instead of asking itself over HTTP.
        async with app.state.sessions() as db:
            return await public_jwks(db)

    app = create_service_app(
        settings,
        title="Cascade identity",
        description=DESCRIPTION,
        api_router=api_router(),
        gateway_transport=gateway_transport,
        workers=[consume_scheduling_feed] if settings.consume_feeds else [],
        # No refetch cooldown: a key made moments ago must verify at once, and the lookup is a
        # read of a tiny local table.
        verifier=verifier or TokenVerifier(fetch_jwks=fetch_own_jwks,
                                           issuer=settings.token_issuer,
                                           audience=settings.service_name, refetch_cooldown=0.0),
    )
    app.state.key_ring = KeyRing()
    return app
