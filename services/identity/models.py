"""Every table of the identity service, imported in one place for alembic and the app."""

from services.identity.accounts.models import Account
from services.identity.affiliations.models import EventNetwork, FeedCursor
from services.identity.api_keys.models import ApiKey
from services.identity.audit.models import AuditEntry
from services.identity.db import OutboxEvent
from services.identity.logins.models import LoginFailure
from services.identity.memberships.models import Membership
from services.identity.organizations.models import Organization
from services.identity.people.models import Person, PersonAffiliation
from services.identity.tokens.models import SigningKey

__all__ = ["Account", "ApiKey", "AuditEntry", "EventNetwork", "FeedCursor", "LoginFailure", "Membership", "Organization", "OutboxEvent",
           "Person", "PersonAffiliation", "SigningKey"]
