from datetime import date

from pydantic import BaseModel, Field

from services.identity.people.schemas import Email, PersonPublic, PersonRole


class AccountCreate(BaseModel):
    email: Email
    # An upper bound keeps a megabyte "password" from costing a megabyte of hashing.
    password: str = Field(min_length=10, max_length=1024)
    full_name: str = Field(min_length=1, max_length=200)
    role: PersonRole = PersonRole.other


class AccountPublic(BaseModel):
    account_id: str
    person: PersonPublic


class MeMembership(BaseModel):
    organization_id: str
    organization_name: str
    organization_kind: str
    role: str
    starts_on: date | None
    ends_on: date | None


class Me(BaseModel):
    account_id: str
    person: PersonPublic
    is_platform_admin: bool
    memberships: list[MeMembership]
