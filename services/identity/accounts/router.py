from fastapi import APIRouter, status

from services.identity.accounts import service
from services.identity.accounts.schemas import (
    AccountCreate,
    AccountPublic,
    Me,
    SignupAnswer,
    SignupConfirm,
)
from services.identity.deps import PrincipalDep, SessionDep, SettingsDep
from services.identity.people.schemas import PersonPublic

router = APIRouter(tags=["accounts"])


@router.post("/accounts", response_model=SignupAnswer, status_code=status.HTTP_202_ACCEPTED,
             summary="Sign up")
async def create_account(db: SessionDep, settings: SettingsDep,
                         body: AccountCreate) -> SignupAnswer:
    """Public sign-up. Mails a link to the address; the account exists, and is linked to the
    person already recorded with this email, only once the link is opened
    (POST /accounts/confirmations). The same answer for every email."""
    return await service.sign_up(db, body, settings=settings)


@router.post("/accounts/confirmations", response_model=AccountPublic,
             status_code=status.HTTP_201_CREATED, summary="Confirm a sign-up's email")
async def confirm_account(db: SessionDep, body: SignupConfirm) -> AccountPublic:
    """The token from the mailed link, with the password chosen at sign-up: makes the account.
    404 when the link was used, has expired or never existed."""
    account, person = await service.confirm_signup(db, body)
    return AccountPublic(account_id=account.id, person=PersonPublic.model_validate(person))


@router.get("/me", response_model=Me, summary="The signed-in person")
async def get_me(db: SessionDep, actor: PrincipalDep) -> Me:
    return await service.get_me(db, actor)
