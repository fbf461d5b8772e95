from fastapi import APIRouter, Request, Response, status

from services.identity.deps import (
    OptionalPrincipalDep,
    PageDep,
    PrincipalDep,
    SessionDep,
    SettingsDep,
)
from services.identity.idempotency import KEY_DESCRIPTION, IdempotencyKey, respond_once
from services.identity.invitations import service
from services.identity.invitations.schemas import (
    InvitationAccept,
    InvitationAccepted,
    InvitationCreate,
    InvitationPreview,
    InvitationPublic,
    InvitationToken,
)
from shared.pagination import Page

router = APIRouter(tags=["invitations"])
ONE = "/organizations/{organization_id}/invitations/{invitation_id}"


@router.post("/organizations/{organization_id}/invitations", response_model=InvitationPublic,
             status_code=status.HTTP_201_CREATED, summary="Invite an email to a role here",
             description="Mails a single-use link; the membership exists once it is accepted. "
                         + KEY_DESCRIPTION)
async def create_invitation(db: SessionDep, actor: PrincipalDep, settings: SettingsDep,
                            organization_id: str, body: InvitationCreate, request: Request,
                            idempotency_key: IdempotencyKey = None) -> Response:
    return await respond_once(
        db, request, actor, idempotency_key, body=body.model_dump(mode="json"), status_code=201,
        work=lambda: service.create_invitation(db, actor, organization_id, body,
                                               settings=settings),
        public=service.public)


@router.get("/organizations/{organization_id}/invitations", response_model=Page[InvitationPublic],
            summary="List invitations not yet accepted or withdrawn")
async def list_invitations(db: SessionDep, actor: PrincipalDep, page: PageDep,
                           organization_id: str) -> Page[InvitationPublic]:
    items, cursor = await service.list_open(db, actor, organization_id, page)
    return Page(items=[service.public(i) for i in items], next_cursor=cursor)


@router.post(f"{ONE}/resend", response_model=InvitationPublic, summary="Mail a new link",
             description=KEY_DESCRIPTION)
async def resend_invitation(db: SessionDep, actor: PrincipalDep, settings: SettingsDep,
                            organization_id: str, invitation_id: str, request: Request,
                            idempotency_key: IdempotencyKey = None) -> Response:
    return await respond_once(
        db, request, actor, idempotency_key, body=None, status_code=200,
        work=lambda: service.resend(db, actor, organization_id, invitation_id,
                                    settings=settings),
        public=service.public)


@router.delete(ONE, status_code=status.HTTP_204_NO_CONTENT, response_class=Response,
               summary="Withdraw an invitation", description=KEY_DESCRIPTION)
async def delete_invitation(db: SessionDep, actor: PrincipalDep, organization_id: str,
                            invitation_id: str, request: Request,
                            idempotency_key: IdempotencyKey = None) -> Response:
    return await respond_once(
        db, request, actor, idempotency_key, body=None, status_code=204,
        work=lambda: service.withdraw(db, actor, organization_id, invitation_id))


@router.post("/invitations/previews", response_model=InvitationPreview,
             summary="What an invitation link offers")
async def preview_invitation(db: SessionDep, body: InvitationToken) -> InvitationPreview:
    """404 when the link was used, withdrawn, has expired or never existed."""
    return await service.preview(db, body.token)


@router.post("/invitations/acceptances", response_model=InvitationAccepted,
             status_code=status.HTTP_201_CREATED, summary="Accept an invitation")
async def accept_invitation(db: SessionDep, actor: OptionalPrincipalDep,
                            body: InvitationAccept) -> InvitationAccepted:
    """With the bearer token of the invited address's account; or, without one, its password;
    or, when the address has no account, a full name and a new password (signing up)."""
    return await service.accept(db, body, actor)
