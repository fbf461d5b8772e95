from datetime import datetime

from pydantic import BaseModel, ConfigDict



class ApiKeyPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    organization_id: str
    prefix: str
    created_at: datetime
    revoked_at: datetime | None


class ApiKeyCreated(BaseModel):
    """The key itself appears in this answer only; Cascade keeps just its hash."""

    id: str
    organization_id: str
    key: str
    prefix: str
    created_at: datetime
