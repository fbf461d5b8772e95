from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status

from services.identity.deps import PageDep, PrincipalDep, SessionDep
from services.identity.idempotency import KEY_DESCRIPTION, IdempotencyKey, respond_once
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
             status_code=status.HTTP_201_CREATED, summary="Create an organization",
             description="Platform admins create networks, funders, universities and "
                         "associations; network admins and coordinators create county offices, "
                         "districts and schools; a network's admins create its partners "
                         "(parent_id = the network). " + KEY_DESCRIPTION)
async def create_organization(db: SessionDep, actor: PrincipalDep, body: OrganizationCreate,
                              request: Request, idempotency_key: IdempotencyKey = None
                              ) -> Response:
    return await respond_once(
        db, request, actor, idempotency_key, body=body.model_dump(mode="json"), status_code=201,
        work=lambda: service.create_organization(db, actor, body),
        public=OrganizationPublic.model_validate)


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
              summary="Change an organization", description=KEY_DESCRIPTION)
async def update_organization(db: SessionDep, actor: PrincipalDep, organization_id: str,
                              body: OrganizationUpdate, request: Request,
                              idempotency_key: IdempotencyKey = None) -> Response:
    return await respond_once(
        db, request, actor, idempotency_key,
        body=body.model_dump(mode="json", exclude_unset=True), status_code=200,
        work=lambda: service.update_organization(db, actor, organization_id, body),
        public=OrganizationPublic.model_validate)
