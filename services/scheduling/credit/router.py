"""HTTP for PD credit: request, approve and revoke an event's credit, the deciders' queue, and a
person's transcript."""

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlmodel.ext.asyncio.session import AsyncSession

from services.scheduling.credit import directory, service
from services.scheduling.credit.errors import PersonNotFound
from services.scheduling.credit.schemas import (
    TRANSCRIPT_METHOD,
    CreditApprovalCreate,
    CreditApprovalPublic,
    CreditQueueItem,
    CreditRequestCreate,
    CreditRevocationCreate,
    CreditStatus,
    Transcript,
)
from services.scheduling.deps import IdentityDep, PageDep, PrincipalDep, SessionDep
from services.scheduling.idempotency.responses import respond
from services.scheduling.identity import check_first
from shared.auth import Principal
from shared.pagination import Page

router = APIRouter(tags=["credit"])

IdempotencyKey = Annotated[str | None, Header(min_length=1, max_length=255)]
RETRY = " A retry with the same Idempotency-Key gets the first answer again."


async def _once(request: Request, db: AsyncSession, principal: Principal, key: str | None, *,
                event_id: str, data: BaseModel,
                decide: Callable[..., Awaitable[CreditApprovalPublic]]) -> JSONResponse:
    """Runs one of the service's credit decisions once per Idempotency-Key."""

    async def act() -> tuple[int, dict]:
        approval = await decide(db, principal=principal, event_id=event_id, data=data)
        return 201, approval.model_dump(mode="json")

    return await respond(db, request, subject=principal.subject, key=key,
                         body=data.model_dump(mode="json"), action=act)


@router.post("/events/{event_id}/credit/requests", response_model=CreditApprovalPublic,
             status_code=201, summary="Ask a district (or the network) to approve credit",
             description="The event's network staff ask; the request waits in the deciders' "
                         "queue. Asking again while it waits changes nothing." + RETRY)
async def create_credit_request(event_id: str, data: CreditRequestCreate, request: Request,
                                db: SessionDep, principal: PrincipalDep, identity: IdentityDep,
                                idempotency_key: IdempotencyKey = None) -> JSONResponse:
    if data.district_id:
        await check_first(request.app.state.sessions, lambda check: service.may_request_credit(
            check, principal=principal, event_id=event_id, district_id=data.district_id))
        await directory.require_district(identity, data.district_id)
    return await _once(request, db, principal, idempotency_key, event_id=event_id, data=data,
                       decide=service.request_credit)


@router.post("/events/{event_id}/credit/approvals", response_model=CreditApprovalPublic,
             status_code=201, summary="Approve an event for credit hours in a district",
             description="A district's coordinators approve for their district (district_id); "
                         "the network's admins approve network-wide (no district_id), which "
                         "counts in every district. hours may not exceed the event's "
                         "credit_hours (422). Approving again changes the hours." + RETRY)
async def create_credit_approval(event_id: str, data: CreditApprovalCreate, request: Request,
                                 db: SessionDep, principal: PrincipalDep, identity: IdentityDep,
                                 idempotency_key: IdempotencyKey = None) -> JSONResponse:
    await service.require_district_authority_on(db, principal, event_id=event_id,
                                                district_id=data.district_id)
    if data.district_id:
        await directory.require_district(identity, data.district_id)
    return await _once(request, db, principal, idempotency_key, event_id=event_id, data=data,
                       decide=service.approve_credit)


@router.post("/events/{event_id}/credit/revocations", response_model=CreditApprovalPublic,
             status_code=201, summary="Revoke an event's credit in a district (or network-wide)",
             description="Transcripts stop counting the hours at once. 409 when nothing is "
                         "approved in that scope." + RETRY)
async def create_credit_revocation(event_id: str, data: CreditRevocationCreate, request: Request,
                                   db: SessionDep, principal: PrincipalDep,
                                   idempotency_key: IdempotencyKey = None) -> JSONResponse:
    await service.require_district_authority_on(db, principal, event_id=event_id,
                                                district_id=data.district_id)
    return await _once(request, db, principal, idempotency_key, event_id=event_id, data=data,
                       decide=service.revoke_credit)


@router.get("/events/{event_id}/credit", response_model=Page[CreditApprovalPublic],
            summary="An event's credit approvals, each with its history")
async def list_credit_approvals(event_id: str, db: SessionDep, principal: PrincipalDep,
                                page: PageDep) -> Page[CreditApprovalPublic]:
    items, next_cursor = await service.list_approvals(db, principal=principal, event_id=event_id,
                                                      params=page)
    return Page[CreditApprovalPublic](items=items, next_cursor=next_cursor)


@router.get("/credit/approvals", response_model=Page[CreditQueueItem],
            summary="Credit the caller decides: their districts' and networks' approvals",
            description="status=pending (the default) is the queue of events awaiting approval.")
async def list_credit_queue(
    db: SessionDep, principal: PrincipalDep, page: PageDep,
    status: CreditStatus = "pending",
    district_id: Annotated[str | None, Query(max_length=64)] = None,
) -> Page[CreditQueueItem]:
    items, next_cursor = await service.queue(db, principal=principal, params=page, status=status,
                                             district_id=district_id)
    return Page[CreditQueueItem](items=items, next_cursor=next_cursor)


TRANSCRIPT_HELP = (
    "A bounded document rather than a paginated list: totals need every row, and one person "
    "attends at most a few hundred events in a career. " + TRANSCRIPT_METHOD)


@router.get("/me/transcript", response_model=Transcript, summary="The caller's PD transcript",
            description=TRANSCRIPT_HELP)
async def get_my_transcript(db: SessionDep, principal: PrincipalDep,
                            identity: IdentityDep) -> Transcript:
    if not principal.person_id or principal.kind != "user":
        raise PersonNotFound("This token belongs to no person.")
    try:
        district_id = await directory.district_of(identity, principal.person_id)
    except PersonNotFound:
        district_id = None  # no profile in identity: only network-wide approvals can apply
    return await service.transcript(db, person_id=principal.person_id, district_id=district_id,
                                    networks=None)


@router.get("/people/{person_id}/transcript", response_model=Transcript,
            summary="A person's PD transcript",
            description="Read by the person, their district's coordinators and platform admins; "
                        "a network admin sees only their networks' events. " + TRANSCRIPT_HELP)
async def get_person_transcript(person_id: str, request: Request, db: SessionDep,
                                principal: PrincipalDep, identity: IdentityDep) -> Transcript:
    service.may_read_some_transcript(principal, person_id=person_id)
    district_id = await directory.district_of(identity, person_id)
    networks = service.transcript_reach(principal, person_id=person_id, district_id=district_id)
    if networks is not None:
        await directory.require_seen_by_caller(
            identity, person_id, authorization=request.headers.get("authorization"),
            networks=await service.networks_with_records_of(db, person_id))
    return await service.transcript(db, person_id=person_id, district_id=district_id,
                                    networks=networks)
