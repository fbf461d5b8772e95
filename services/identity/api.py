from fastapi import APIRouter

from services.identity.accounts.router import router as accounts
from services.identity.api_keys.router import router as api_keys
from services.identity.audit.router import router as audit
from services.identity.db import OutboxEvent
from services.identity.memberships.router import router as memberships
from services.identity.organizations.router import router as organizations
from services.identity.people.router import router as people
from services.identity.sessions.router import router as sessions
from services.identity.tokens.router import router as tokens
from shared.outbox import feed_router


def api_router() -> APIRouter:
    router = APIRouter(prefix="/api/identity/v1")
    for feature in (tokens, accounts, organizations, people, memberships, api_keys, audit,
                    sessions):
        router.include_router(feature)
    router.include_router(feed_router(OutboxEvent))
    return router
