from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field

from services.identity.db import ServiceTable
from shared.db import UTCDateTime, utcnow
from shared.ids import new_id

EMAIL_MAX_LENGTH = 320  # as Person.email: no account has a longer one
ADDRESS_MAX_LENGTH = 64  # an IPv6 address with a zone, or "unknown"


class LoginFailure(ServiceTable, table=True):
    """One wrong password for an email from a client address, whether or not an account has
    that email, so the throttle answers alike for both and does not tell which emails exist."""

    __tablename__ = "login_failure"
    __table_args__ = (
        Index("ix_login_failure_email_failed_at", "email", "failed_at"),
        Index("ix_login_failure_email_client_address_failed_at",
              "email", "client_address", "failed_at"),
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=26)
    email: str = Field(max_length=EMAIL_MAX_LENGTH)  # lower-cased
    client_address: str = Field(max_length=ADDRESS_MAX_LENGTH)
    failed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
