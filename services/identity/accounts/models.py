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
