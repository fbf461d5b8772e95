
from pydantic import BaseModel, ConfigDict

from services.identity.types import UtcDateTime


class ApiKeyPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    organization_id: str
    prefix: str
    created_at: UtcDateTime
    revoked_at: UtcDateTime | None


class ApiKeyCreated(BaseModel):
    """The key itself appears in this answer only; Cascade keeps just its hash."""

    id: str
    organization_id: str
    key: str
    prefix: str
    created_at: UtcDateTime
