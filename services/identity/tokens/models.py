from datetime import datetime

from sqlalchemy import Text
from sqlmodel import Field

from services.identity.db import ServiceTable
from shared.db import UTCDateTime, utcnow
from shared.ids import new_id


class SigningKey(ServiceTable, table=True):
    """An ES256 key pair; `id` is the kid in token headers. Retired keys leave the JWKS."""

    __tablename__ = "signing_key"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=26)
    private_pem: str = Field(sa_type=Text)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    retired_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
