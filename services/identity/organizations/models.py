from datetime import datetime
from typing import Any

from sqlalchemy import JSON
from sqlmodel import Field

from services.identity.db import ServiceTable
from shared.db import UTCDateTime, utcnow
from shared.ids import new_id


class Organization(ServiceTable, table=True):
    id: str = Field(default_factory=new_id, primary_key=True, max_length=26)
    name: str = Field(max_length=200)
    kind: str = Field(max_length=20, index=True)
    parent_id: str | None = Field(default=None, foreign_key="organization.id", index=True,
                                  max_length=26)
    county: str | None = Field(default=None, max_length=100)
    attributes: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    verified: bool = True
    # Set for districts and schools only: what makes two of them the same place when people are
    # created by name ("district|<county>|<name>", "school|<district id>|<name>", lower case). A
    # unique constraint on it lets concurrent imports create a new district once.
    natural_key: str | None = Field(default=None, unique=True, max_length=340)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
