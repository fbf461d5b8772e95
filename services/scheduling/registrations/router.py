"""HTTP for registrations: sign-up (with Idempotency-Key), cancel, rosters, the caller's
schedule."""

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from services.scheduling.attendance.service import run_session
from services.scheduling.deps import IdentityDep, PageDep, PrincipalDep, SessionDep
from services.scheduling.idempotency.responses import KEY_DESCRIPTION, IdempotencyKey, respond
from services.scheduling.identity import Profile, check_first
from services.scheduling.registrations import service
from services.scheduling.registrations.schemas import (
    MyRegistration,
    RegistrationCreate,
    RegistrationPublic,
    RegistrationStatus,
    RosterEntry,
)
from shared.pagination import Page

router = APIRouter(tags=["registrations"])


@router.post(
    "/sessions/{session_id}/registrations", response_model=RegistrationPublic, status_code=201,
    summary="Sign up: confirmed while seats last, else waitlisted",
    description="Omit person_id to sign yourself up. Staff and the session's facilitators "
                "sign others up: 422 unknown_person when no one has that id. A retry with the "
                "same Idempotency-Key gets the first answer again (header "
                "Idempotent-Replayed: true).",
)
async def create_registration(
    session_id: str,
    request: Request,
    db: SessionDep,
    principal: PrincipalDep,
    identity: IdentityDep,
    data: RegistrationCreate | None = None,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    person_id = data.person_id if data else None
    if person_id and person_id != principal.person_id:
        # Only those who may sign others up learn whether the person exists; asked before the
        # request's transaction starts, so no lock is held across a network call.
        await check_first(request.app.state.sessions, lambda check: run_session(
            check, principal=principal, session_id=session_id))
        await identity.require_person(person_id)
        profile = await identity.profile(person_id,
                                         authorization=request.headers.get("authorization"))
    else:
        profile = Profile(name=principal.name or "", email=principal.email or "")

    async def sign_up() -> tuple[int, dict]:
        session, who = await service.may_register_for(db, principal=principal,
                                                      session_id=session_id, person_id=person_id)
        registration = await service.register(db, session=session, person_id=who, profile=profile)
        return 201, RegistrationPublic.model_validate(registration).model_dump(mode="json")

    return await respond(db, request, subject=principal.subject, key=idempotency_key,
                         body={"person_id": person_id}, action=sign_up)


@router.get("/registrations/{registration_id}", response_model=RegistrationPublic,
            summary="A registration (the person, facilitators, staff)")
async def get_registration(registration_id: str, db: SessionDep,
                           principal: PrincipalDep) -> RegistrationPublic:
    registration = await service.get_registration(db, principal=principal,
                                                  registration_id=registration_id)
    return RegistrationPublic.model_validate(registration)


@router.delete("/registrations/{registration_id}", response_model=RegistrationPublic,
               summary="Cancel; a freed seat goes to the first waitlisted person",
               description=KEY_DESCRIPTION)
async def delete_registration(registration_id: str, request: Request, db: SessionDep,
                              principal: PrincipalDep,
                              idempotency_key: IdempotencyKey = None) -> Response:
    async def cancel() -> tuple[int, dict]:
        registration = await service.cancel(db, principal=principal,
                                            registration_id=registration_id)
        return 200, RegistrationPublic.model_validate(registration).model_dump(mode="json")

    return await respond(db, request, subject=principal.subject, key=idempotency_key,
                         body=None, action=cancel)


@router.get("/sessions/{session_id}/registrations", response_model=Page[RosterEntry],
            summary="A session's roster (facilitators and the network's staff)",
            description="Confirmed, waitlisted (waitlist_position gives the order) and "
                        "cancelled registrations, each marked attended or not; filter with "
                        "status and attended.")
async def list_registrations(
    session_id: str, db: SessionDep, principal: PrincipalDep, page: PageDep,
    status: RegistrationStatus | None = None,
    attended: Annotated[bool | None, Query(description="Only those checked in (true) or "
                                                       "not (false)")] = None,
) -> Page[RosterEntry]:
    items, next_cursor = await service.roster(db, principal=principal, session_id=session_id,
                                              status=status, params=page, attended=attended)
    return Page[RosterEntry](items=items, next_cursor=next_cursor)


@router.get("/me/registrations", response_model=Page[MyRegistration],
            summary="The caller's schedule")
async def list_my_registrations(
    db: SessionDep, principal: PrincipalDep, page: PageDep,
    include_cancelled: Annotated[bool, Query()] = False,
) -> Page[MyRegistration]:
    items, next_cursor = await service.my_schedule(db, principal=principal,
                                                   include_cancelled=include_cancelled, params=page)
    return Page[MyRegistration](items=items, next_cursor=next_cursor)
