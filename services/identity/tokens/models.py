from datetime import datetime

from sqlalchemy import Text
from sqlmodel import Field

from services.identity.db import ServiceTable
from shared.db import UTCDateTime, utcnow
from shared.ids import new_id


class SigningKey(ServiceTable, table=True):
    """An ES256 key pair; `id` is the kid in token headers. A key is in the JWKS until its
    `retired_at` (set by a rotation to when the last token it signed has expired)."""

    __tablename__ = "signing_key"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=26)
    # The private key's PEM sealed with IDENTITY_KEY_ENCRYPTION_KEY (a Fernet token).
    private_key: str | None = Field(default=None, sa_type=Text)
    # Plain-text PEM of keys made before keys were sealed; sealed and emptied at start-up.
    private_pem: str | None = Field(default=None, sa_type=Text)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    retired_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
