"""Every table of the identity service, imported in one place for alembic and the app."""

from services.identity.accounts.models import Account, Signup
from services.identity.affiliations.models import EventNetwork, FeedCursor
from services.identity.api_keys.models import ApiKey
from services.identity.audit.models import AuditEntry
from services.identity.db import OutboxEvent
from services.identity.idempotency import IdempotencyRecord
from services.identity.invitations.models import Invitation
from services.identity.logins.models import LoginFailure
from services.identity.memberships.models import Membership
from services.identity.organizations.models import Organization
from services.identity.password_resets.models import PasswordReset
from services.identity.people.models import Person, PersonAffiliation
from services.identity.sessions.models import LoginSession
from services.identity.tokens.models import SigningKey

__all__ = ["Account", "ApiKey", "AuditEntry", "EventNetwork", "FeedCursor", "IdempotencyRecord",
           "Invitation", "LoginFailure", "LoginSession", "Membership", "Organization",
           "OutboxEvent", "PasswordReset", "Person", "PersonAffiliation", "SigningKey", "Signup"]
