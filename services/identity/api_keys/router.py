from fastapi import APIRouter, Response, status

from services.identity.api_keys import service
from services.identity.api_keys.schemas import ApiKeyCreated, ApiKeyPublic
from services.identity.deps import PageDep, PrincipalDep, SessionDep
from shared.pagination import Page

router = APIRouter(tags=["api-keys"])


@router.post("/organizations/{organization_id}/api-keys", response_model=ApiKeyCreated,
             status_code=status.HTTP_201_CREATED, summary="Create a partner API key")
async def create_api_key(db: SessionDep, actor: PrincipalDep, organization_id: str,
                         response: Response) -> ApiKeyCreated:
    """The key is in this answer only: store it now. Exchange it at /token with
    grant_type=api_key for a short-lived partner access token."""
    response.headers["Cache-Control"] = "no-store"
    return await service.create_key(db, actor, organization_id)


@router.get("/organizations/{organization_id}/api-keys", response_model=Page[ApiKeyPublic],
            summary="List a partner's API keys (without the keys)")
async def list_api_keys(db: SessionDep, actor: PrincipalDep, page: PageDep,
                        organization_id: str) -> Page[ApiKeyPublic]:
    rows, cursor = await service.list_keys(db, actor, organization_id, page)
    return Page(items=[ApiKeyPublic.model_validate(r) for r in rows], next_cursor=cursor)


@router.delete("/api-keys/{key_id}", status_code=status.HTTP_204_NO_CONTENT,
               summary="Revoke an API key")
async def delete_api_key(db: SessionDep, actor: PrincipalDep, key_id: str) -> Response:
    await service.revoke_key(db, actor, key_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
