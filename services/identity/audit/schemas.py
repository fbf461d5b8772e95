from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict



class AuditEntryPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    at: datetime
    actor_subject: str
    action: str
    target_type: str
    target_id: str
    organization_id: str | None
    details: dict[str, Any]
