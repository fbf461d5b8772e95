from fastapi import APIRouter

from services.identity.audit import service
from services.identity.audit.schemas import AuditEntryPublic
from services.identity.deps import PageDep, PrincipalDep, SessionDep
from shared.pagination import Page

router = APIRouter(tags=["audit"])


@router.get("/audit", response_model=Page[AuditEntryPublic], summary="The audit log")
async def list_audit_entries(db: SessionDep, actor: PrincipalDep, page: PageDep,
                             organization_id: str | None = None) -> Page[AuditEntryPublic]:
    rows, cursor = await service.list_entries(db, actor, page, organization_id=organization_id)
    return Page(items=[AuditEntryPublic.model_validate(r) for r in rows], next_cursor=cursor)
