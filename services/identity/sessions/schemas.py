from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class LoginSessionPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    created_at: datetime
    last_used_at: datetime
    expires_at: datetime
    user_agent: str | None
    client_address: str | None
    current: bool = False  # the session of the token that asked


class LoginSessionList(BaseModel):
    items: list[LoginSessionPublic]


class PasswordChange(BaseModel):
    current_password: str = Field(min_length=1, max_length=1024)
    # As at sign-up: the upper bound keeps a megabyte "password" from costing a megabyte of hashing.
    new_password: str = Field(min_length=10, max_length=1024)


class PasswordChanged(BaseModel):
    ended_sessions: int  # the account's other sessions, ended by the change


class SessionsRevoked(BaseModel):
    revoked: int


class RevokedSession(BaseModel):
    id: str
    revoked_at: datetime


class RevokedSessionList(BaseModel):
    items: list[RevokedSession]
    # Identity's clock when it answered: ask again with a `since` a little before it.
    as_of: datetime
