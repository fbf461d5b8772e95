from pydantic import BaseModel

from services.identity.accounts.schemas import LinkToken, Password
from services.identity.people.schemas import Email


class PasswordResetCreate(BaseModel):
    email: Email


class PasswordResetAnswer(BaseModel):
    """The same whether or not the email has an account."""

    detail: str = ("If this address has a Cascade account, a link to choose a new password is "
                   "on its way. It works once, within the hour.")


class PasswordResetComplete(BaseModel):
    token: LinkToken
    password: Password
