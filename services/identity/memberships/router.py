from fastapi import APIRouter, Request, Response, status

from services.identity.deps import PageDep, PrincipalDep, SessionDep
from services.identity.idempotency import KEY_DESCRIPTION, IdempotencyKey, respond_once
from services.identity.memberships import service
from services.identity.memberships.schemas import (
    MembershipCreate,
    MembershipPublic,
    MembershipRole,
    MembershipUpdate,
)
from shared.pagination import Page

router = APIRouter(tags=["memberships"])


@router.post("/organizations/{organization_id}/members", response_model=MembershipPublic,
             status_code=status.HTTP_201_CREATED, summary="Give a person a role here",
             description="404 for a person outside the organizations the caller runs "
                         "(platform admins excepted): match them for the network by email "
                         "first. " + KEY_DESCRIPTION)
async def create_membership(db: SessionDep, actor: PrincipalDep,
                            organization_id: str, body: MembershipCreate, request: Request,
                            idempotency_key: IdempotencyKey = None) -> Response:
    return await respond_once(
        db, request, actor, idempotency_key, body=body.model_dump(mode="json"), status_code=201,
        work=lambda: service.create_membership(db, actor, organization_id, body),
        public=MembershipPublic.model_validate)


@router.delete("/organizations/{organization_id}/members/{membership_id}", status_code=204,
               response_class=Response, summary="Take back a membership granted by mistake",
               description="It never held: reach forgets it. To end a membership that held, "
                           "change its ends_on. " + KEY_DESCRIPTION)
async def delete_membership(db: SessionDep, actor: PrincipalDep, organization_id: str,
                            membership_id: str, request: Request,
                            idempotency_key: IdempotencyKey = None) -> Response:
    return await respond_once(
        db, request, actor, idempotency_key, body=None, status_code=204,
        work=lambda: service.delete_membership(db, actor, organization_id, membership_id))


@router.get("/organizations/{organization_id}/members", response_model=Page[MembershipPublic],
            summary="List an organization's members")
async def list_memberships(db: SessionDep, actor: PrincipalDep, page: PageDep,
                           organization_id: str, role: MembershipRole | None = None
                           ) -> Page[MembershipPublic]:
    items, cursor = await service.list_members(db, actor, organization_id, page,
                                               role=role.value if role else None)
    return Page(items=items, next_cursor=cursor)


@router.patch("/organizations/{organization_id}/members/{membership_id}",
              response_model=MembershipPublic, summary="Change a membership's dates or role",
              description=KEY_DESCRIPTION)
async def update_membership(db: SessionDep, actor: PrincipalDep, organization_id: str,
                            membership_id: str, body: MembershipUpdate, request: Request,
                            idempotency_key: IdempotencyKey = None) -> Response:
    return await respond_once(
        db, request, actor, idempotency_key,
        body=body.model_dump(mode="json", exclude_unset=True), status_code=200,
        work=lambda: service.update_membership(db, actor, organization_id, membership_id, body),
        public=MembershipPublic.model_validate)
