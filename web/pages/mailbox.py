"""The mailbox: the messages Cascade sent (or, with no mail server configured, delivered here)."""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from web.auth import UserDep
from web.deps import ClientsDep
from web.rendering import render

router = APIRouter()


@router.get("/mailbox")
async def list_messages(
    request: Request, clients: ClientsDep, user: UserDep,
    cursor: Annotated[str | None, Query(max_length=64)] = None,
    everyone: Annotated[bool, Query()] = False,
) -> Response:
    # Platform admins may read every message; an account with no person profile has no
    # mailbox of its own, so an admin's such account starts with everyone's.
    everyone = user.is_admin and (everyone or not user.person_id)
    page = None
    if everyone or user.person_id:
        page = await clients.scheduling.messages(user.token, everyone=everyone, cursor=cursor)
    return render(request, "mailbox/index.html", {
        "messages": page.items if page else [],
        "next_cursor": page.next_cursor if page else None,
        "everyone": everyone,
        "first_page": cursor is None,
    })
