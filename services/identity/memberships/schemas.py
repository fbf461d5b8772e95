from datetime import date
from enum import StrEnum
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator


class MembershipRole(StrEnum):
    network_admin = "network_admin"
    leader = "leader"
    coordinator = "coordinator"
    analyst = "analyst"
    member = "member"


class _Span(BaseModel):
    starts_on: date | None = None
    ends_on: date | None = None

    @model_validator(mode="after")
    def _ends_after_start(self) -> Self:
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValueError("ends_on must not be before starts_on")
        return self


class MembershipCreate(_Span):
    person_id: str = Field(max_length=26)
    role: MembershipRole


class MembershipUpdate(_Span):
    """New dates (a null bound is open-ended) or a new role; what is left out stays."""

    role: MembershipRole | None = None


class MemberPerson(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    full_name: str


class MembershipPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    organization_id: str
    person_id: str
    role: str
    starts_on: date | None
    ends_on: date | None
    person: MemberPerson | None = None
