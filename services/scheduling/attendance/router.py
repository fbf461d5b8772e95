"""HTTP for attendance."""

from fastapi import APIRouter, Request, Response

from services.scheduling.attendance import service
from services.scheduling.attendance.schemas import AttendanceCreate, AttendancePublic
from services.scheduling.deps import IdentityDep, PageDep, PrincipalDep, SessionDep
from services.scheduling.idempotency.responses import KEY_DESCRIPTION, IdempotencyKey, respond
from services.scheduling.identity import check_first
from shared.pagination import Page

router = APIRouter(tags=["attendance"])


@router.post("/sessions/{session_id}/attendance", response_model=AttendancePublic, status_code=201,
             responses={200: {"model": AttendancePublic, "description": "Already recorded"}},
             summary="Check a person in (201 when new, 200 when already recorded)",
             description="422 unknown_person when no one in Cascade has the id. "
                         + KEY_DESCRIPTION)
async def create_attendance(session_id: str, data: AttendanceCreate, request: Request,
                            db: SessionDep, principal: PrincipalDep, identity: IdentityDep,
                            idempotency_key: IdempotencyKey = None) -> Response:
    if data.person_id != principal.person_id:
        # Those who run the session, and only they, learn whether the person exists.
        await check_first(request.app.state.sessions, lambda check: service.run_session(
            check, principal=principal, session_id=session_id))
        await identity.require_person(data.person_id)

    async def check_in() -> tuple[int, dict]:
        attendance, created = await service.record(
            db, principal=principal, session_id=session_id, person_id=data.person_id,
            source=data.source)
        return (201 if created else 200), AttendancePublic.model_validate(
            attendance).model_dump(mode="json")

    return await respond(db, request, subject=principal.subject, key=idempotency_key,
                         body=data.model_dump(mode="json"), action=check_in)


@router.get("/sessions/{session_id}/attendance", response_model=Page[AttendancePublic],
            summary="Who attended a session")
async def list_attendance(session_id: str, db: SessionDep, principal: PrincipalDep,
                          page: PageDep) -> Page[AttendancePublic]:
    rows, next_cursor = await service.list_attendance(db, principal=principal,
                                                      session_id=session_id, params=page)
    return Page[AttendancePublic](items=[AttendancePublic.model_validate(r) for r in rows],
                                  next_cursor=next_cursor)
