from fastapi import APIRouter

from services.identity.access import FEED_READERS
from services.identity.accounts.router import router as accounts
from services.identity.api_keys.router import router as api_keys
from services.identity.audit.router import router as audit
from services.identity.db import OutboxEvent
from services.identity.invitations.router import router as invitations
from services.identity.mail import MAIL_READERS
from services.identity.mail import TOPIC as MAIL_TOPIC
from services.identity.memberships.router import router as memberships
from services.identity.organizations.router import router as organizations
from services.identity.password_resets.router import router as password_resets
from services.identity.people.router import router as people
from services.identity.sessions.router import router as sessions
from services.identity.tokens.router import router as tokens
from shared.outbox import feed_router


def api_router() -> APIRouter:
    router = APIRouter(prefix="/api/identity/v1")
    for feature in (tokens, accounts, password_resets, organizations, people, memberships,
                    invitations, api_keys, audit, sessions):
        router.include_router(feature)
    # Mail carries addresses, names and live links: only the service that sends it reads it.
    router.include_router(feed_router(OutboxEvent, readers=FEED_READERS,
                                      private_topics={MAIL_TOPIC: MAIL_READERS}))
    return router
