from fastapi import APIRouter, status

from services.identity.deps import PageDep, PrincipalDep, SessionDep, SessionsDep
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
             status_code=status.HTTP_201_CREATED, summary="Give a person a role here")
async def create_membership(db: SessionDep, sessions: SessionsDep, actor: PrincipalDep,
                            organization_id: str, body: MembershipCreate) -> MembershipPublic:
    """404 for a person outside the organizations the caller runs (platform admins excepted):
    match them for the network by email first."""
    membership = await service.create_membership(db, sessions, actor, organization_id, body)
    return MembershipPublic.model_validate(membership)


@router.get("/organizations/{organization_id}/members", response_model=Page[MembershipPublic],
            summary="List an organization's members")
async def list_memberships(db: SessionDep, actor: PrincipalDep, page: PageDep,
                           organization_id: str, role: MembershipRole | None = None
                           ) -> Page[MembershipPublic]:
    items, cursor = await service.list_members(db, actor, organization_id, page,
                                               role=role.value if role else None)
    return Page(items=items, next_cursor=cursor)


@router.patch("/organizations/{organization_id}/members/{membership_id}",
              response_model=MembershipPublic, summary="Change a membership's dates")
async def update_membership(db: SessionDep, actor: PrincipalDep, organization_id: str,
                            membership_id: str, body: MembershipUpdate) -> MembershipPublic:
    membership = await service.update_membership(db, actor, organization_id, membership_id, body)
    return MembershipPublic.model_validate(membership)
