"""A network's programs: the list with a form to register one, and a program's page with its
cohort per program year (add a leader or coach by email, remove), the corps size per year as
bars, and the events that belong to it. Network admins and coordinators change programs; the
network's leaders read them."""

import re
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from web.auth import CREATOR_ROLES, User, UserDep
from web.clients import ApiError, Clients
from web.clients.programs import CohortEntry, Program
from web.deps import ClientsDep
from web.event_form import text
from web.forms import new_key
from web.networks import networks_where
from web.pages.events import form_values
from web.pages.manage import CURSOR, PAGE_SIZE, form_key, refused
from web.rendering import flash, render, see_other

router = APIRouter()
MANAGER_ROLES = ("network_admin", "coordinator")
PROGRAM_FIELDS = ("name", "description", "starts_on", "ends_on")
COHORT_FIELDS = ("email", "program_year", "role")
ROLES = [("leader", "Leader"), ("coach", "Coach")]
YEAR = re.compile(r"^\d{4}-\d{2}$")


def may_change(user: User, network_id: str) -> bool:
    return user.has_role(network_id, *MANAGER_ROLES)


# --- a network's programs ------------------------------------------------------------------

async def programs_context(clients: Clients, user: User, network_id: str, values: dict,
                           errors: dict) -> dict:
    networks = await networks_where(clients, user, CREATOR_ROLES)
    network = next((n for n in networks if n.id == network_id), networks[0] if networks else None)
    if network is None:
        raise ApiError(403, "forbidden", "Only a network's staff see its programs.")
    values.setdefault("idempotency_key", new_key())
    return {
        "network": network, "networks": networks,
        "programs": await clients.programs.list_programs(user.token, network_id=network.id),
        "may_change": may_change(user, network.id), "values": values, "errors": errors,
    }


@router.get("/programs")
async def list_programs(request: Request, clients: ClientsDep, user: UserDep,
                        network_id: str = "") -> Response:
    context = await programs_context(clients, user, network_id, {}, {})
    return render(request, "programs/index.html", context)


def parse_program(values: dict) -> tuple[dict, dict[str, str]]:
    errors: dict[str, str] = {}
    name = text(values, "name")
    if not name or len(name) > 200:
        errors["name"] = "Give the program a name (under 200 characters)."
    days = {}
    for field, message in (("starts_on", "Enter the day it starts."),
                           ("ends_on", "Enter the day it ends.")):
        try:
            days[field] = date.fromisoformat(text(values, field))
        except ValueError:
            errors[field] = message
    if len(days) == 2 and days["ends_on"] < days["starts_on"]:
        errors["ends_on"] = "It cannot end before it starts."
    return {"name": name, "description": text(values, "description"),
            **{k: v.isoformat() for k, v in days.items()}}, errors


@router.post("/programs")
async def create_program(request: Request, clients: ClientsDep, user: UserDep) -> Response:
    values = form_values(await request.form())
    network_id = text(values, "network_id")
    if not may_change(user, network_id):
        raise ApiError(403, "forbidden",
                       "Only the network's admins and coordinators register programs.")
    body, errors = parse_program(values)
    if not errors:
        try:
            program = await clients.programs.create_program(
                user.token, {"network_id": network_id, **body}, idempotency_key=form_key(values))
        except ApiError as exc:
            errors = refused(exc, fields=PROGRAM_FIELDS, aliases={})
        else:
            flash(request, "The program is registered; add its cohort.")
            return see_other(request, f"/programs/{program.id}")
    context = await programs_context(clients, user, network_id, values, errors)
    return render(request, "programs/index.html", context, status_code=422, block="program_form")


# --- one program -----------------------------------------------------------------------------

async def names_of(clients: Clients, user: User, program: Program,
                   entries: list[CohortEntry]) -> dict[str, str]:
    """Names of the cohort: the network's members, then (for those who may look people up)
    anyone else; an id stands in for a name that cannot be read."""
    members = await clients.identity.members(user.token, program.network_id)
    names = {m.person_id: m.display_name for m in members}
    missing = sorted({e.person_id for e in entries} - names.keys())
    if missing and may_change(user, program.network_id):
        for person in await clients.identity.people(user.token, missing):
            names[person.id] = person.full_name or person.email or person.id
    return names


async def program_context(clients: Clients, user: User, program_id: str, values: dict,
                          errors: dict, cursor: str = "") -> dict:
    program = await clients.programs.get_program(user.token, program_id)
    if not user.has_role(program.network_id, *CREATOR_ROLES):
        raise ApiError(403, "forbidden", "Only the network's staff see its programs.")
    years, entries = (await clients.programs.years(user.token, program.id),
                      await clients.programs.cohort(user.token, program.id))
    events = await clients.scheduling.list_events(
        user.token, filters={"program_id": program.id},
        cursor=cursor if CURSOR.match(cursor) else None, limit=PAGE_SIZE)
    names = await names_of(clients, user, program, entries)
    by_year: dict[str, list[CohortEntry]] = {y.program_year: [] for y in years}
    for entry in sorted(entries, key=lambda e: (e.role, names.get(e.person_id, "").lower())):
        by_year.setdefault(entry.program_year, []).append(entry)
    values.setdefault("idempotency_key", new_key())
    values.setdefault("program_year", years[-1].program_year if years else "")
    values.setdefault("role", "leader")
    return {
        "program": program, "years": years, "largest": max((y.corps for y in years), default=0),
        "cohort": by_year, "names": names, "events": events,
        "may_change": may_change(user, program.network_id), "values": values, "errors": errors,
        "year_options": [(y.program_year, y.program_year) for y in years], "roles": ROLES,
    }


@router.get("/programs/{program_id}")
async def get_program(request: Request, program_id: str, clients: ClientsDep, user: UserDep,
                      cursor: str = "") -> Response:
    context = await program_context(clients, user, program_id, {}, {}, cursor)
    return render(request, "programs/detail.html", context)


@router.post("/programs/{program_id}/cohort")
async def add_to_cohort(request: Request, program_id: str, clients: ClientsDep,
                        user: UserDep) -> Response:
    program = await clients.programs.get_program(user.token, program_id)
    if not may_change(user, program.network_id):
        raise ApiError(403, "forbidden",
                       "Only the network's admins and coordinators change cohorts.")
    values = form_values(await request.form())
    errors: dict[str, str] = {}
    email = text(values, "email").lower()
    person = await clients.identity.person_by_email(user.token, email) if "@" in email else None
    if person is None:
        errors["email"] = "No one with this email is among the network's people."
    if text(values, "role") not in dict(ROLES):
        errors["role"] = "Choose leader or coach."
    if not errors:
        try:
            await clients.programs.add_to_cohort(
                user.token, program.id, {"person_id": person.id, "role": values["role"],
                                         "program_year": text(values, "program_year")},
                idempotency_key=form_key(values))
        except ApiError as exc:
            if exc.code == "leadership_refused":  # a leader's entry makes them a network leader
                errors = {"role": "Only the network's admins make someone a leader; add them as "
                                  "a coach, or ask an admin."}
            else:
                errors = refused(exc, fields=COHORT_FIELDS, aliases={"person_id": "email"})
        else:
            flash(request,
                  f"{person.full_name or email} is in the {values['program_year']} cohort.")
            return see_other(request, f"/programs/{program.id}")
    context = await program_context(clients, user, program.id, values, errors)
    return render(request, "programs/detail.html", context, status_code=422, block="cohort_form")


@router.post("/programs/{program_id}/cohort/{entry_id}/remove")
async def remove_from_cohort(request: Request, program_id: str, entry_id: str,
                             clients: ClientsDep, user: UserDep,
                             program_year: Annotated[str, Form()] = "") -> Response:
    try:
        await clients.programs.remove_from_cohort(user.token, program_id, entry_id)
    except ApiError as exc:
        if exc.status != 404 or exc.code == "program_not_found":
            raise
        # Already removed (another tab): the page shows the cohort as it now is.
    flash(request, "Removed from the cohort.")
    anchor = f"#year_{program_year}" if YEAR.match(program_year) else ""
    return see_other(request, f"/programs/{program_id}{anchor}")
