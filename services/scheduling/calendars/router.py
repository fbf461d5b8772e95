"""HTTP for personal calendar feeds."""

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from services.scheduling.calendars import service
from services.scheduling.calendars.schemas import CalendarLink
from services.scheduling.deps import PrincipalDep, SessionDep
from shared.db import utcnow

router = APIRouter(tags=["calendars"])


def _key(request: Request) -> bytes:
    return request.app.state.settings.calendar_key


@router.get("/calendars/{person_id}.ics", response_class=Response,
            responses={200: {"content": {"text/calendar": {}}}, 404: {}},
            summary="A person's private calendar feed",
            description="Authorized by the token in its URL (GET /me/calendar gives it), since "
                        "calendar apps send no bearer token. A wrong token is a 404.")
async def get_person_calendar(
    person_id: str, request: Request, db: SessionDep,
    token: Annotated[str, Query(max_length=128)] = "",
) -> Response:
    body = await service.person_feed(db, key=_key(request), person_id=person_id, token=token,
                                     stamp=utcnow())
    # private: the URL is a secret, so no shared cache may keep the answer.
    return Response(body, media_type="text/calendar; charset=utf-8",
                    headers={"Cache-Control": "private, no-cache"})


@router.get("/me/calendar", response_model=CalendarLink,
            summary="The URL of the caller's private calendar feed")
async def get_my_calendar(request: Request, principal: PrincipalDep) -> CalendarLink:
    return CalendarLink(url=service.my_feed_url(key=_key(request), principal=principal))
