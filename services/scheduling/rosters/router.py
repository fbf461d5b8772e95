"""HTTP for what leaders do to rosters: cancel a session, force-add, move, read the audit log."""

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from services.scheduling.deps import IdentityDep, PageDep, PrincipalDep, SessionDep
from services.scheduling.errors import UnknownPerson
from services.scheduling.idempotency.responses import KEY_DESCRIPTION, IdempotencyKey, respond
from services.scheduling.identity import Identity, Profile, check_first
from services.scheduling.registrations.schemas import RegistrationPublic
from services.scheduling.rosters import service
from services.scheduling.rosters.schemas import (
    AuditEntryPublic,
    ForcedRegistrationCreate,
    RegistrationMove,
    RegistrationMoveCreate,
    SessionCancellation,
)
from services.scheduling.sessions.schemas import SessionPublic
from shared.pagination import Page

router = APIRouter(tags=["rosters"])


def _public(registrations) -> list[dict]:
    return [RegistrationPublic.model_validate(r).model_dump(mode="json") for r in registrations]


@router.post(
    "/sessions/{session_id}/cancel", response_model=SessionCancellation,
    summary="Cancel one session (the network's staff)",
    description="Every confirmed and waitlisted registration is cancelled (they are listed in "
                "`cancelled`: the people to tell) and no one can sign up afterwards (409 "
                "session_cancelled). Cancelling an already cancelled session changes nothing and "
                "lists no one. " + KEY_DESCRIPTION,
)
async def cancel_session(session_id: str, request: Request, db: SessionDep,
                         principal: PrincipalDep,
                         idempotency_key: IdempotencyKey = None) -> Response:
    async def cancel() -> tuple[int, dict]:
        session, cancelled = await service.cancel_session(db, principal=principal,
                                                          session_id=session_id)
        body = {"session": SessionPublic.model_validate(session).model_dump(mode="json"),
                "cancelled": _public(cancelled)}
        return 200, body

    return await respond(db, request, subject=principal.subject, key=idempotency_key, body={},
                         action=cancel)


async def _person(identity: Identity, data: ForcedRegistrationCreate) -> tuple[str, Profile]:
    """The person to seat and their name for the roster; looked up before the transaction
    starts so no lock is held across a call to identity."""
    if data.person_id is not None:
        found = await identity.require_person(data.person_id)
    else:
        found = await identity.person_by_email(data.email)
        if found is None:
            raise UnknownPerson(f"No one in Cascade has the email {data.email}.", errors=[
                {"loc": ["body", "email"], "msg": "No one in Cascade has this email.",
                 "type": "value_error"}])
    return str(found["id"]), Profile.of(found)


@router.post(
    "/sessions/{session_id}/registrations/forced", response_model=RegistrationPublic,
    status_code=201, summary="Seat a person even when the session is full (the network's staff)",
    description="When the session is full its capacity rises by one (the leader adds a chair). "
                "A waitlisted person is confirmed ahead of the line. Recorded in the event's "
                "audit log with the reason. " + KEY_DESCRIPTION,
)
async def create_forced_registration(session_id: str, data: ForcedRegistrationCreate,
                                     request: Request, db: SessionDep, principal: PrincipalDep,
                                     identity: IdentityDep,
                                     idempotency_key: IdempotencyKey = None) -> Response:
    # Staff of the session's network only learn whether an email or id is in Cascade.
    await check_first(request.app.state.sessions, lambda check: service.managed_session(
        check, principal=principal, session_id=session_id))
    person_id, profile = await _person(identity, data)

    async def seat() -> tuple[int, dict]:
        registration = await service.force_add(db, principal=principal, session_id=session_id,
                                               person_id=person_id, profile=profile,
                                               reason=data.reason)
        return 201, RegistrationPublic.model_validate(registration).model_dump(mode="json")

    return await respond(db, request, subject=principal.subject, key=idempotency_key,
                         body=data.model_dump(mode="json"), action=seat)


@router.post(
    "/registrations/{registration_id}/move", response_model=RegistrationMove,
    summary="Move a person to another session of the same event (the network's staff)",
    description="In one transaction: the old place is released (its waitlist moves up) and the "
                "person is confirmed in the new session, or waitlisted when it is full unless "
                "`force`. The one-session-per-slot rule holds. Audited. Without a key, a "
                "repeated move answers 409 registration_not_active. " + KEY_DESCRIPTION,
)
async def move_registration(registration_id: str, data: RegistrationMoveCreate, request: Request,
                            db: SessionDep, principal: PrincipalDep,
                            idempotency_key: IdempotencyKey = None) -> Response:
    async def move() -> tuple[int, dict]:
        previous, moved, promoted = await service.move(
            db, principal=principal, registration_id=registration_id,
            to_session_id=data.session_id, force=data.force, reason=data.reason)
        return 200, {"previous": _public([previous])[0], "registration": _public([moved])[0],
                     "promoted": _public(promoted)}

    return await respond(db, request, subject=principal.subject, key=idempotency_key,
                         body=data.model_dump(mode="json"), action=move)


@router.get("/events/{event_id}/audit", response_model=Page[AuditEntryPublic],
            summary="The event's roster audit log, oldest first (the network's staff)")
async def list_audit_entries(
    event_id: str, db: SessionDep, principal: PrincipalDep, page: PageDep,
    session_id: Annotated[str | None, Query(max_length=26,
                                            description="Only entries about this session")] = None,
) -> Page[AuditEntryPublic]:
    rows, next_cursor = await service.audit_log(db, principal=principal, event_id=event_id,
                                                session_id=session_id, params=page)
    return Page[AuditEntryPublic](items=[AuditEntryPublic.model_validate(r) for r in rows],
                                  next_cursor=next_cursor)
