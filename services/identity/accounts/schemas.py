from datetime import date
from typing import Annotated

from pydantic import BaseModel, Field

from services.identity.links import TOKEN_MAX_LENGTH
from services.identity.people.schemas import Email, PersonPublic, PersonRole

# An upper bound keeps a megabyte "password" from costing a megabyte of hashing.
Password = Annotated[str, Field(min_length=10, max_length=1024)]
LinkToken = Annotated[str, Field(min_length=1, max_length=TOKEN_MAX_LENGTH)]


class AccountCreate(BaseModel):
    email: Email
    password: Password
    full_name: str = Field(min_length=1, max_length=200)
    role: PersonRole = PersonRole.other


class SignupAnswer(BaseModel):
    """The same whether or not the email has an account or a person: nothing to enumerate."""

    detail: str = ("If this address can sign up, a link to confirm it is on its way. Open it "
                   "within a day to finish; until then there is no account to sign in to.")


class SignupConfirm(BaseModel):
    token: LinkToken
    # The password chosen at sign-up: whoever opens the mail must also be whoever signed up,
    # so a link mailed to someone else's address (by an impostor) cannot make them an account.
    password: str = Field(min_length=1, max_length=1024)


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
    email_verified: bool
    memberships: list[MeMembership]
