"""The identity service. Run with: uvicorn --factory services.identity.main:create_app"""

import httpx
from fastapi import FastAPI

from services.identity.accounts import passwords
from services.identity.api import api_router
from services.identity.sessions.service import is_revoked
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
        # No refetch cooldown: a key made moments ago must verify at once, and the lookup is a
        # read of a tiny local table.
        verifier=verifier or TokenVerifier(fetch_jwks=fetch_own_jwks,
                                           issuer=settings.token_issuer,
                                           audience=settings.service_name, refetch_cooldown=0.0,
                                           revocations=EndedSessions()),
    )
    app.state.key_ring = KeyRing()
    return app
