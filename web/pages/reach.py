"""Reach of a network in a window: the figures partners ask for, and where they come from."""

import asyncio
from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import Response

from web.auth import REACH_ROLES, UserDep
from web.clients import ApiError
from web.deps import ClientsDep
from web.networks import networks_where
from web.rendering import render

router = APIRouter()
DIMENSIONS = [("county", "County"), ("district", "District"), ("school", "School")]


def school_year(today: date) -> tuple[date, date]:
    """July 1 to June 30, the year schools and their funders count in."""
    start_year = today.year if today.month >= 7 else today.year - 1
    return date(start_year, 7, 1), date(start_year + 1, 6, 30)


def parse_day(value: str | None, default: date) -> tuple[date, str | None]:
    if not value:
        return default, None
    try:
        return date.fromisoformat(value), None
    except ValueError:
        return default, "Use a date like 2026-03-14."


@router.get("/reach")
async def get_reach(request: Request, clients: ClientsDep, user: UserDep,
                    network_id: str | None = None) -> Response:
    if not user.can_read_reach:
        raise ApiError(403, "forbidden", "Reach is for a network's admins, analysts and leaders.")
    networks = await networks_where(clients, user, REACH_ROLES)
    default_start, default_end = school_year(date.today())
    start, start_error = parse_day(request.query_params.get("from"), default_start)
    end, end_error = parse_day(request.query_params.get("to"), default_end)
    errors = {k: v for k, v in (("from", start_error), ("to", end_error)) if v}
    if end < start:
        errors["to"] = "The window must end after it starts."
        start, end = default_start, default_end
    ids = [n.id for n in networks]
    chosen = network_id if network_id in ids else (ids[0] if ids else None)
    context = {"networks": [(n.id, n.name) for n in networks], "network_id": chosen,
               "network_name": dict((n.id, n.name) for n in networks).get(chosen, ""),
               "values": {"from": start.isoformat(), "to": end.isoformat(), "network_id": chosen},
               "errors": errors, "summary": None, "breakdowns": [], "dimensions": DIMENSIONS}
    if chosen:
        summary, *breakdowns = await asyncio.gather(
            clients.reach.summary(user.token, network_id=chosen, start=start, end=end),
            *(clients.reach.breakdown(user.token, network_id=chosen, start=start, end=end,
                                      dimension=d) for d, _ in DIMENSIONS),
        )
        context.update(summary=summary,
                       breakdowns=[(label, b) for (_, label), b
                                   in zip(DIMENSIONS, breakdowns, strict=True)])
    return render(request, "reach/index.html", context)
