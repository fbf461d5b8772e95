from fastapi import APIRouter, status

from services.identity.accounts import service
from services.identity.accounts.schemas import AccountCreate, AccountPublic, Me
from services.identity.deps import PrincipalDep, SessionDep
from services.identity.people.schemas import PersonPublic

router = APIRouter(tags=["accounts"])


@router.post("/accounts", response_model=AccountPublic, status_code=status.HTTP_201_CREATED,
             summary="Sign up")
async def create_account(db: SessionDep, body: AccountCreate) -> AccountPublic:
    """Public sign-up. Claims the person already recorded with this email (from a sign-in
    sheet, say) or creates one; 409 when the email already has an account."""
    account, person = await service.sign_up(db, body)
    return AccountPublic(account_id=account.id, person=PersonPublic.model_validate(person))


@router.get("/me", response_model=Me, summary="The signed-in person")
async def get_me(db: SessionDep, actor: PrincipalDep) -> Me:
    return await service.get_me(db, actor)
