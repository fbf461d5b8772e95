from fastapi import APIRouter, status

from services.identity.deps import SessionDep, SettingsDep
from services.identity.password_resets import service
from services.identity.password_resets.schemas import (
    PasswordResetAnswer,
    PasswordResetComplete,
    PasswordResetCreate,
)

router = APIRouter(tags=["password resets"])


@router.post("/password-resets", response_model=PasswordResetAnswer,
             status_code=status.HTTP_202_ACCEPTED, summary="Mail a password reset link")
async def create_password_reset(db: SessionDep, settings: SettingsDep,
                                body: PasswordResetCreate) -> PasswordResetAnswer:
    """The same answer whether or not the email has an account."""
    return await service.request_reset(db, body, settings=settings)


@router.post("/password-resets/completions", status_code=status.HTTP_204_NO_CONTENT,
             summary="Set a new password with a reset link")
async def complete_password_reset(db: SessionDep, body: PasswordResetComplete) -> None:
    """404 when the link was used, has expired or never existed."""
    await service.complete_reset(db, body)
