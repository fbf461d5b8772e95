from datetime import datetime

from sqlmodel import Field

from services.identity.db import ServiceTable
from shared.db import UTCDateTime, utcnow
from shared.ids import new_id


class PasswordReset(ServiceTable, table=True):
    """A mailed link that sets a new password once, before it expires."""

    __tablename__ = "password_reset"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=26)
    account_id: str = Field(foreign_key="account.id", index=True, max_length=26)
    token_hash: str = Field(max_length=64, unique=True)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
