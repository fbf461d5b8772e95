"""The catalog: published events, filtered as you type."""

from datetime import date
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from web.auth import OptionalUserDep
from web.deps import ClientsDep
from web.rendering import render
from web.vocabulary import GRADES, SUBJECTS

router = APIRouter()
FILTERS = ("q", "subject", "grade", "from", "to")


def clean_filters(request: Request) -> tuple[dict[str, str], dict[str, str]]:
    """The filters the catalog understands, and a message for each one it had to drop."""
    raw = {name: request.query_params.get(name, "").strip() for name in FILTERS}
    errors: dict[str, str] = {}
    if raw["subject"] and raw["subject"] not in dict(SUBJECTS):
        errors["subject"], raw["subject"] = "Choose a subject from the list.", ""
    if raw["grade"] and raw["grade"] not in GRADES:
        errors["grade"], raw["grade"] = "Choose a grade from the list.", ""
    for name in ("from", "to"):
        if raw[name]:
            try:
                date.fromisoformat(raw[name])
            except ValueError:
                errors[name], raw[name] = "Use a date like 2026-03-14.", ""
    return raw, errors


@router.get("/")
async def list_events(request: Request, clients: ClientsDep, user: OptionalUserDep,
                      cursor: str | None = None) -> Response:
    filters, errors = clean_filters(request)
    page = await clients.scheduling.list_events(
        user.token if user else None,
        filters={**filters, "status": "published"},
        cursor=cursor,
    )
    chosen = {k: v for k, v in filters.items() if v}
    more_url = f"/?{urlencode({**chosen, 'cursor': page.next_cursor})}" if page.next_cursor else None
    return render(request, "catalog/index.html", {
        "events": page.items,
        "filters": filters,
        "errors": errors,
        "filtered": bool(chosen),
        "more_url": more_url,
        "subjects": SUBJECTS,
        "grades": GRADES,
    })
