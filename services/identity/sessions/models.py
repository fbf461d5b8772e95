from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field

from services.identity.db import ServiceTable
from shared.db import UTCDateTime, utcnow
from shared.ids import new_id

USER_AGENT_MAX_LENGTH = 300
CLIENT_ADDRESS_MAX_LENGTH = 64


class LoginSession(ServiceTable, table=True):
    """One sign-in of an account (a browser, a script): its id is the `sid` of every access
    token it is given. The handle that renews those tokens (the refresh token) is kept only as
    its SHA-256. Revoked or expired, the session gives no more tokens, and services refuse the
    tokens it gave within their revocation bound."""

    __tablename__ = "login_session"
    __table_args__ = (Index("ix_login_session_revoked_at", "revoked_at"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=26)
    account_id: str = Field(foreign_key="account.id", index=True, max_length=26)
    refresh_token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_used_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # As the client reported them (web passes on the browser's): labels for the owner, no more.
    user_agent: str | None = Field(default=None, max_length=USER_AGENT_MAX_LENGTH)
    client_address: str | None = Field(default=None, max_length=CLIENT_ADDRESS_MAX_LENGTH)
