"""HTTP for attendance."""

import re

from fastapi import APIRouter, Request, Response

from services.scheduling.attendance import service
from services.scheduling.attendance.schemas import (
    MAX_BATCH,
    AttendanceBatchCreate,
    AttendanceBatchResult,
    AttendanceCreate,
    AttendancePublic,
    batch_result,
)
from services.scheduling.deps import (
    CheckInLeadDep,
    IdentityDep,
    PageDep,
    PrincipalDep,
    SessionDep,
)
from services.scheduling.errors import EventCancelled, SessionCancelled, SessionNotStarted
from services.scheduling.idempotency.responses import (
    KEY_DESCRIPTION,
    REQUIRED_KEY_RESPONSES,
    IdempotencyKey,
    RequiredIdempotencyKey,
    respond,
)
from services.scheduling.identity import check_first
from shared.openapi import problem_responses
from shared.pagination import Page

router = APIRouter(tags=["attendance"])
# What a person id can be (identity's ids); anything else names no one.
PERSON_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")

# Why attendance is refused for a session that exists and the caller runs.
NOT_OPEN = problem_responses(SessionNotStarted, SessionCancelled, EventCancelled)
LEAD_TIME = ("409 session_not_started when the session starts more than the check-in lead time "
             "(SCHEDULING_CHECKIN_LEAD_HOURS, 3 hours unless set) from now, with when check-in "
             "opens; 409 session_cancelled or event_cancelled for a cancelled session or event. ")


@router.post("/sessions/{session_id}/attendance", response_model=AttendancePublic, status_code=201,
             responses={200: {"model": AttendancePublic, "description": "Already recorded"},
                        **NOT_OPEN},
             summary="Check a person in (201 when new, 200 when already recorded)",
             description="422 unknown_person when no one in Cascade has the id. " + LEAD_TIME
                         + KEY_DESCRIPTION)
async def create_attendance(session_id: str, data: AttendanceCreate, request: Request,
                            db: SessionDep, principal: PrincipalDep, identity: IdentityDep,
                            lead: CheckInLeadDep, idempotency_key: IdempotencyKey = None
                            ) -> Response:
    if data.person_id != principal.person_id:
        # Those who run the session, and only they, learn whether the person exists.
        await check_first(request.app.state.sessions, lambda check: service.run_session(
            check, principal=principal, session_id=session_id))
        await identity.require_person(data.person_id)

    async def check_in() -> tuple[int, dict]:
        attendance, created = await service.record(
            db, principal=principal, session_id=session_id, person_id=data.person_id,
            source=data.source, lead=lead)
        return (201 if created else 200), AttendancePublic.model_validate(
            attendance).model_dump(mode="json")

    return await respond(db, request, subject=principal.subject, key=idempotency_key,
                         body=data.model_dump(mode="json"), action=check_in)


@router.post("/sessions/{session_id}/attendance:batch", response_model=AttendanceBatchResult,
             responses={**NOT_OPEN, **REQUIRED_KEY_RESPONSES},
             summary="Check many people in to a session at once",
             description=f"Up to {MAX_BATCH} person ids in one transaction, with the "
                         "authorization of a single check-in (the session's facilitators and "
                         "the network's staff). Answered per id, in order: `recorded` (new), "
                         "`already` (recorded before, or twice in the list) or `error` (no one "
                         "in Cascade has the id), which stops no other. Each new attendance is "
                         "announced on the feed as a single check-in is. " + LEAD_TIME
                         + "The Idempotency-Key header is required (422 without it). "
                         + KEY_DESCRIPTION)
async def create_attendance_batch(session_id: str, data: AttendanceBatchCreate,
                                  request: Request, db: SessionDep, principal: PrincipalDep,
                                  identity: IdentityDep, lead: CheckInLeadDep,
                                  idempotency_key: RequiredIdempotencyKey) -> Response:
    # Those who run the session, and only they, learn which of the people exist; and only
    # while attendance may be recorded for it.
    await check_first(request.app.state.sessions, lambda check: service.open_session(
        check, principal=principal, session_id=session_id, lead=lead))
    known = await identity.known_people([p for p in data.person_ids if PERSON_ID.match(p)])

    async def check_in() -> tuple[int, dict]:
        new = await service.record_many(
            db, principal=principal, session_id=session_id,
            person_ids=[p for p in data.person_ids if p in known], source=data.source,
            lead=lead)
        return 200, batch_result(data.person_ids, new).model_dump(mode="json")

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
