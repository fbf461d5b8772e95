"""The catalog: published events, filtered as you type."""

from datetime import date
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from web.auth import OptionalUserDep
from web.deps import ClientsDep
from web.htmx import get_htmx
from web.rendering import render
from web.vocabulary import FORMATS, GRADES, SUBJECTS

router = APIRouter()
# "grade" and "grade_to" make a span ("3" to "5"); either alone is one grade.
FILTERS = ("q", "subject", "grade", "grade_to", "county", "format", "from", "to")


def clean_filters(request: Request) -> tuple[dict[str, str], dict[str, str]]:
    """The filters the catalog understands, and a message for each one it had to drop."""
    raw = {name: request.query_params.get(name, "").strip() for name in FILTERS}
    errors: dict[str, str] = {}
    if raw["subject"] and raw["subject"] not in dict(SUBJECTS):
        errors["subject"], raw["subject"] = "Choose a subject from the list.", ""
    for name in ("grade", "grade_to"):
        if raw[name] and raw[name] not in GRADES:
            errors[name], raw[name] = "Choose a grade from the list.", ""
    if (raw["grade"] and raw["grade_to"]
            and GRADES.index(raw["grade"]) > GRADES.index(raw["grade_to"])):
        errors["grade_to"], raw["grade_to"] = "Choose a grade at or above the first one.", ""
    if raw["format"] and raw["format"] not in dict(FORMATS):
        errors["format"], raw["format"] = "Choose a format from the list.", ""
    for name in ("from", "to"):
        if raw[name]:
            try:
                date.fromisoformat(raw[name])
            except ValueError:
                errors[name], raw[name] = "Use a date like 2026-03-14.", ""
    return raw, errors


def api_filters(filters: dict[str, str]) -> dict[str, str]:
    """The catalog's filters as the events API takes them: one grade span, published only."""
    span = "-".join(dict.fromkeys(g for g in (filters["grade"], filters["grade_to"]) if g))
    chosen = {k: v for k, v in filters.items() if k not in ("grade", "grade_to")}
    return {**chosen, "grade": span, "status": "published"}


@router.get("/")
async def list_events(request: Request, clients: ClientsDep, user: OptionalUserDep,
                      cursor: str | None = None) -> Response:
    filters, errors = clean_filters(request)
    token = user.token if user else None
    page = await clients.scheduling.list_events(token, filters=api_filters(filters), cursor=cursor)
    # Only the results change as the visitor types; the form (and its counties) stays.
    counties = [] if get_htmx(request).wants_fragment else \
        await clients.scheduling.list_counties(token, status="published")
    chosen = {k: v for k, v in filters.items() if v}
    more_url = None
    if page.next_cursor:
        more_url = f"/?{urlencode({**chosen, 'cursor': page.next_cursor})}"
    return render(request, "catalog/index.html", {
        "events": page.items,
        "filters": filters,
        "errors": errors,
        "filtered": bool(chosen),
        "more_url": more_url,
        "subjects": SUBJECTS,
        "grades": GRADES,
        "formats": FORMATS,
        "counties": counties,
    })
