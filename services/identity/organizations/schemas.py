from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class OrganizationKind(StrEnum):
    network = "network"
    county_office = "county_office"
    district = "district"
    school = "school"
    university = "university"
    association = "association"
    partner = "partner"
    funder = "funder"


class OrganizationCreate(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    kind: OrganizationKind
    parent_id: str | None = Field(default=None, max_length=26)
    county: str | None = Field(default=None, max_length=100)
    attributes: dict[str, Any] = Field(default_factory=dict,
                                       examples=[{"frpl_pct": 82, "el_pct": 44}])


class OrganizationUpdate(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    county: str | None = Field(default=None, max_length=100)
    attributes: dict[str, Any] | None = None
    # true or false only: lax pydantic took "yes", "on" or 1 for true.
    verified: bool | None = Field(default=None, strict=True)


class OrganizationPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    name: str
    kind: str
    parent_id: str | None
    county: str | None
    attributes: dict[str, Any]
    verified: bool
