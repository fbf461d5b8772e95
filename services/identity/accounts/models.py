from datetime import datetime

from sqlmodel import Field

from services.identity.db import ServiceTable
from shared.db import UTCDateTime, utcnow
from shared.ids import new_id


class Account(ServiceTable, table=True):
    """Sign-in credentials of one person; the person's email is the user name."""

    id: str = Field(default_factory=new_id, primary_key=True, max_length=26)
    person_id: str = Field(foreign_key="person.id", unique=True, max_length=26)
    password_hash: str = Field(max_length=255)
    is_platform_admin: bool = False
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # When the account proved it reads mail at its email (a sign-up, reset or invitation link);
    # null for accounts made before sign-ups were confirmed, until one of those links is used.
    email_verified_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Signup(ServiceTable, table=True):
    """A sign-up waiting for its email to be confirmed. Nothing exists for it yet (no account,
    no link to a person): the account is made, and linked, when the mailed link is used."""

    id: str = Field(default_factory=new_id, primary_key=True, max_length=26)
    email: str = Field(max_length=320, index=True)
    full_name: str = Field(max_length=200)
    role: str = Field(max_length=30)
    password_hash: str = Field(max_length=255)
    token_hash: str = Field(max_length=64, unique=True)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
