from fastapi import APIRouter, Request, Response, status

from services.identity.api_keys import service
from services.identity.api_keys.schemas import ApiKeyCreated, ApiKeyPublic
from services.identity.deps import PageDep, PrincipalDep, SessionDep
from services.identity.idempotency import KEY_DESCRIPTION, IdempotencyKey, respond_once
from shared.pagination import Page

router = APIRouter(tags=["api-keys"])


@router.post("/organizations/{organization_id}/api-keys", response_model=ApiKeyCreated,
             status_code=status.HTTP_201_CREATED, summary="Create a partner API key",
             description="The key is in this answer only: store it now. Exchange it at /token "
                         "with grant_type=api_key for a short-lived partner access token. "
                         + KEY_DESCRIPTION + " A replay has `key` null: the key is never stored.")
async def create_api_key(db: SessionDep, actor: PrincipalDep, organization_id: str,
                         request: Request, idempotency_key: IdempotencyKey = None) -> Response:
    return await respond_once(db, request, actor, idempotency_key, body={}, status_code=201,
                              work=lambda: service.create_key(db, actor, organization_id),
                              stored=lambda body: {**body, "key": None},
                              headers={"Cache-Control": "no-store"})


@router.get("/organizations/{organization_id}/api-keys", response_model=Page[ApiKeyPublic],
            summary="List a partner's API keys (without the keys)")
async def list_api_keys(db: SessionDep, actor: PrincipalDep, page: PageDep,
                        organization_id: str) -> Page[ApiKeyPublic]:
    rows, cursor = await service.list_keys(db, actor, organization_id, page)
    return Page(items=[ApiKeyPublic.model_validate(r) for r in rows], next_cursor=cursor)


@router.delete("/api-keys/{key_id}", status_code=status.HTTP_204_NO_CONTENT,
               summary="Revoke an API key", description=KEY_DESCRIPTION)
async def delete_api_key(db: SessionDep, actor: PrincipalDep, key_id: str, request: Request,
                         idempotency_key: IdempotencyKey = None) -> Response:
    return await respond_once(db, request, actor, idempotency_key, body={},
                              status_code=status.HTTP_204_NO_CONTENT,
                              work=lambda: service.revoke_key(db, actor, key_id))
