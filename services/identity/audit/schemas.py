from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


@dataclass(frozen=True)
class AuditFilter:
    actor_subject: str | None = None
    action: str | None = None
    target_id: str | None = None
    since: date | None = None
    until: date | None = None
    denied: bool | None = None  # refused attempts only (True), or none of them (False)


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
    actor_name: str | None = Field(default=None, description=(
        "who acted, for people to read: a person's full name, a partner's API key "
        "(\"<organization> (key <prefix>…)\"), \"Cascade (<service>)\"; null for a subject "
        "identity does not know"))
