from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class ApiKeyPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    organization_id: str
    prefix: str
    created_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None = Field(
        description="when the key was last exchanged for a token (to within a minute)")


class ApiKeyCreated(BaseModel):
    """The key itself appears in this answer only; Cascade keeps just its hash."""

    id: str
    organization_id: str
    key: str | None = Field(description="csk_...; null in a replay of the first answer")
    prefix: str
    created_at: datetime
