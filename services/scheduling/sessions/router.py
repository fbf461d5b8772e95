"""HTTP for sessions."""

from fastapi import APIRouter, Request, Response

from services.scheduling.deps import OptionalPrincipalDep, PrincipalDep, SessionDep
from services.scheduling.idempotency.responses import KEY_DESCRIPTION, IdempotencyKey, respond
from services.scheduling.registrations import service as registration_rules
from services.scheduling.sessions import service
from services.scheduling.sessions.schemas import (
    SessionCreate,
    SessionPublic,
    SessionSeriesCreate,
    SessionUpdate,
)

router = APIRouter(tags=["sessions"])


def _public(session) -> dict:
    return SessionPublic.model_validate(session).model_dump(mode="json")


@router.post("/events/{event_id}/sessions", response_model=SessionPublic, status_code=201,
             summary="Add a session to an event", description=KEY_DESCRIPTION)
async def create_session(event_id: str, data: SessionCreate, request: Request, db: SessionDep,
                         principal: PrincipalDep,
                         idempotency_key: IdempotencyKey = None) -> Response:
    async def create() -> tuple[int, dict]:
        session = await service.create_session(db, principal=principal, event_id=event_id,
                                               data=data)
        return 201, _public(session)

    return await respond(db, request, subject=principal.subject, key=idempotency_key,
                         body=data.model_dump(mode="json"), action=create)


@router.get("/sessions/{session_id}", response_model=SessionPublic,
            summary="A session and its seats")
async def get_session(session_id: str, db: SessionDep,
                      principal: OptionalPrincipalDep) -> SessionPublic:
    session, _event = await service.visible_session(db, principal=principal, session_id=session_id)
    return SessionPublic.model_validate(session)


@router.post("/events/{event_id}/sessions/series", response_model=list[SessionPublic],
             status_code=201, summary="Add a weekly series of sessions to an event",
             description=KEY_DESCRIPTION)
async def create_session_series(event_id: str, data: SessionSeriesCreate, request: Request,
                                db: SessionDep, principal: PrincipalDep,
                                idempotency_key: IdempotencyKey = None) -> Response:
    async def create() -> tuple[int, list]:
        created = await service.create_series(db, principal=principal, event_id=event_id,
                                              data=data)
        return 201, [_public(session) for session in created]

    return await respond(db, request, subject=principal.subject, key=idempotency_key,
                         body=data.model_dump(mode="json"), action=create)


@router.patch("/sessions/{session_id}", response_model=SessionPublic,
              summary="Move, retitle or resize one session", description=KEY_DESCRIPTION)
async def update_session(session_id: str, data: SessionUpdate, request: Request, db: SessionDep,
                         principal: PrincipalDep,
                         idempotency_key: IdempotencyKey = None) -> Response:
    async def update() -> tuple[int, dict]:
        session = await service.update_session(db, principal=principal, session_id=session_id,
                                               data=data)
        if data.capacity is not None:
            # Seats a larger capacity opens go to the waitlist, in order, before anyone new can
            # take them (the session lock is still held; the re-read inside refreshes `session`).
            await registration_rules.fill_open_seats(db, session_id=session.id)
        return 200, _public(session)

    return await respond(db, request, subject=principal.subject, key=idempotency_key,
                         body=data.model_dump(mode="json", exclude_unset=True), action=update)
