from typing import Annotated

from fastapi import APIRouter, Query

from services.identity.audit import service
from services.identity.audit.schemas import AuditEntryPublic, AuditFilter
from services.identity.deps import PageDep, PrincipalDep, SessionDep
from shared.dates import Day
from shared.pagination import Page

router = APIRouter(tags=["audit"])


@router.get("/audit", response_model=Page[AuditEntryPublic], summary="The audit log",
            description="Newest first. A network's admins read the entries of their network "
                        "(organization_id); platform admins may leave it out to read them all. "
                        "Refused attempts on the network's things are in it too (`<action>."
                        "denied`, with the method and route tried in details); an anonymous "
                        "caller's leave none. Each entry names its actor (actor_name) for "
                        "people to read.")
async def list_audit_entries(
    db: SessionDep, actor: PrincipalDep, page: PageDep,
    organization_id: Annotated[str | None, Query(max_length=26)] = None,
    actor_subject: Annotated[str | None, Query(max_length=200,
                                               description="who acted (a token subject)")] = None,
    action: Annotated[str | None, Query(max_length=50, description=(
        "an action (membership.create) or its family (membership)"))] = None,
    target_id: Annotated[str | None, Query(max_length=26)] = None,
    since: Annotated[Day | None, Query(alias="from",
                                       description="on or after this day (UTC)")] = None,
    until: Annotated[Day | None, Query(alias="to",
                                       description="on or before this day (UTC)")] = None,
    denied: Annotated[bool | None, Query(description=(
        "true: refused attempts only (actions ending in .denied); false: none of them"))] = None,
) -> Page[AuditEntryPublic]:
    wanted = AuditFilter(actor_subject=actor_subject, action=action, target_id=target_id,
                         since=since, until=until, denied=denied)
    rows, cursor = await service.list_entries(db, actor, page, organization_id=organization_id,
                                              wanted=wanted)
    names = await service.actor_names(db, {r.actor_subject for r in rows})
    return Page(items=[AuditEntryPublic.model_validate(r).model_copy(
        update={"actor_name": names.get(r.actor_subject)}) for r in rows], next_cursor=cursor)
