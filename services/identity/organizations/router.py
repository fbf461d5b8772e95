from typing import Annotated

from fastapi import APIRouter, Query, status

from services.identity.deps import PageDep, PrincipalDep, SessionDep
from services.identity.organizations import service
from services.identity.organizations.schemas import (
    OrganizationCreate,
    OrganizationKind,
    OrganizationPublic,
    OrganizationUpdate,
)
from shared.pagination import Page

router = APIRouter(tags=["organizations"])


@router.post("/organizations", response_model=OrganizationPublic,
             status_code=status.HTTP_201_CREATED, summary="Create an organization")
async def create_organization(db: SessionDep, actor: PrincipalDep, body: OrganizationCreate
                              ) -> OrganizationPublic:
    """Platform admins create networks, funders, universities and associations; network admins
    and coordinators create county offices, districts and schools; a network's admins create its
    partners (parent_id = the network)."""
    organization = await service.create_organization(db, actor, body)
    return OrganizationPublic.model_validate(organization)


@router.get("/organizations", response_model=Page[OrganizationPublic],
            summary="List organizations")
async def list_organizations(
    db: SessionDep, _actor: PrincipalDep, page: PageDep,
    kind: OrganizationKind | None = None,
    parent_id: Annotated[str | None, Query(max_length=26)] = None,
    q: Annotated[str | None, Query(max_length=200, description="text in the name")] = None,
) -> Page[OrganizationPublic]:
    rows, cursor = await service.list_organizations(
        db, page, kind=kind.value if kind else None, parent_id=parent_id, q=q)
    return Page(items=[OrganizationPublic.model_validate(r) for r in rows], next_cursor=cursor)


@router.get("/organizations/{organization_id}", response_model=OrganizationPublic,
            summary="One organization")
async def get_organization(db: SessionDep, _actor: PrincipalDep, organization_id: str
                           ) -> OrganizationPublic:
    return OrganizationPublic.model_validate(await service.get_organization(db, organization_id))


@router.patch("/organizations/{organization_id}", response_model=OrganizationPublic,
              summary="Change an organization")
async def update_organization(db: SessionDep, actor: PrincipalDep, organization_id: str,
                              body: OrganizationUpdate) -> OrganizationPublic:
    organization = await service.update_organization(db, actor, organization_id, body)
    return OrganizationPublic.model_validate(organization)
