"""HTTP for events, slots and an event's calendar feed."""

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from services.scheduling.deps import (
    IdentityDep,
    OptionalPrincipalDep,
    PageDep,
    PrincipalDep,
    SessionDep,
)
from services.scheduling.events import calendar, service
from services.scheduling.events.schemas import (
    County,
    CountyPublic,
    EventCreate,
    EventFormat,
    EventPublic,
    EventStatus,
    EventUpdate,
    GradeSpan,
    SlotCreate,
    SlotPublic,
    Subject,
)
from services.scheduling.idempotency.responses import KEY_DESCRIPTION, IdempotencyKey, respond
from shared.dates import Day
from shared.db import utcnow
from shared.pagination import Page

router = APIRouter(tags=["events"])


@router.post("/events", response_model=EventPublic, status_code=201, summary="Create an event",
             description="422 unknown_network when network_id names no network. "
                         + KEY_DESCRIPTION)
async def create_event(
    data: EventCreate, request: Request, db: SessionDep, principal: PrincipalDep,
    identity: IdentityDep, idempotency_key: IdempotencyKey = None,
) -> Response:
    service.require_staff(principal, data.network_id)  # the token says; identity is asked after
    await identity.require_network(data.network_id)

    async def create() -> tuple[int, dict]:
        event = await service.create_event(db, principal=principal, data=data)
        return 201, event.model_dump(mode="json")

    return await respond(db, request, subject=principal.subject, key=idempotency_key,
                         body=data.model_dump(mode="json"), action=create)


@router.get("/events", response_model=Page[EventPublic], summary="Find events")
async def list_events(
    db: SessionDep,
    principal: OptionalPrincipalDep,
    page: PageDep,
    network_id: Annotated[str | None, Query(max_length=64)] = None,
    subject: Subject | None = None,
    grade: Annotated[GradeSpan | None, Query(
        description='a grade ("7") or span ("3-5", "TK-6"): events whose grade range overlaps it'
    )] = None,
    county: Annotated[County | None, Query(description="events held in this county")] = None,
    event_format: Annotated[EventFormat | None, Query(alias="format")] = None,
    status: EventStatus | None = None,
    program_id: Annotated[str | None, Query(
        max_length=26, description="events of a program"
    )] = None,
    date_from: Annotated[Day | None, Query(
        alias="from", description="sessions on or after (UTC)"
    )] = None,
    date_to: Annotated[Day | None, Query(
        alias="to", description="sessions on or before (UTC)"
    )] = None,
    q: Annotated[str | None, Query(max_length=200, description="text in the title")] = None,
) -> Page[EventPublic]:
    items, next_cursor = await service.list_events(
        db, principal=principal, params=page, network_id=network_id, subject=subject,
        grades=grade, county=county, event_format=event_format, status=status,
        program_id=program_id, date_from=date_from, date_to=date_to, text=q,
    )
    return Page[EventPublic](items=items, next_cursor=next_cursor)


# Declared before /events/{event_id}, which would otherwise take "counties" for an id.
@router.get("/events/counties", response_model=Page[CountyPublic],
            summary="The counties events are held in, for a county filter")
async def list_counties(db: SessionDep, principal: OptionalPrincipalDep, page: PageDep,
                        status: EventStatus | None = None) -> Page[CountyPublic]:
    rows, next_cursor = await service.list_counties(db, principal=principal, params=page,
                                                    status=status)
    return Page[CountyPublic](items=[CountyPublic(name=r.name, events=r.events) for r in rows],
                              next_cursor=next_cursor)


@router.get("/events/{event_id}", response_model=EventPublic, summary="An event and its sessions")
async def get_event(event_id: str, db: SessionDep, principal: OptionalPrincipalDep) -> EventPublic:
    return await service.get_event(db, principal=principal, event_id=event_id)


@router.patch("/events/{event_id}", response_model=EventPublic, summary="Change an event",
              description=KEY_DESCRIPTION)
async def update_event(event_id: str, data: EventUpdate, request: Request, db: SessionDep,
                       principal: PrincipalDep, idempotency_key: IdempotencyKey = None) -> Response:
    async def update() -> tuple[int, dict]:
        event = await service.update_event(db, principal=principal, event_id=event_id, data=data)
        return 200, event.model_dump(mode="json")

    return await respond(db, request, subject=principal.subject, key=idempotency_key,
                         body=data.model_dump(mode="json", exclude_unset=True), action=update)


@router.post("/events/{event_id}/slots", response_model=SlotPublic, status_code=201,
             summary="Add a conference breakout slot", description=KEY_DESCRIPTION)
async def create_slot(event_id: str, data: SlotCreate, request: Request, db: SessionDep,
                      principal: PrincipalDep, idempotency_key: IdempotencyKey = None) -> Response:
    async def create() -> tuple[int, dict]:
        slot = await service.create_slot(db, principal=principal, event_id=event_id, data=data)
        return 201, SlotPublic.model_validate(slot).model_dump(mode="json")

    return await respond(db, request, subject=principal.subject, key=idempotency_key,
                         body=data.model_dump(mode="json"), action=create)


@router.get("/events/{event_id}/slots", response_model=Page[SlotPublic], summary="An event's slots")
async def list_slots(event_id: str, db: SessionDep,
                     principal: OptionalPrincipalDep) -> Page[SlotPublic]:
    # An event has a handful of slots: one page holds them all.
    slots = await service.list_slots(db, principal=principal, event_id=event_id)
    return Page[SlotPublic](items=[SlotPublic.model_validate(s) for s in slots])


@router.get("/events/{event_id}/calendar.ics", response_class=Response,
            responses={200: {"content": {"text/calendar": {}}}},
            summary="The event's sessions as an iCalendar feed")
async def get_calendar(event_id: str, db: SessionDep, principal: OptionalPrincipalDep) -> Response:
    event, event_sessions = await service.event_with_sessions(db, principal=principal,
                                                              event_id=event_id)
    body = calendar.render(event, event_sessions, stamp=utcnow())
    return Response(
        body, media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="event-{event.id}.ics"'},
    )
