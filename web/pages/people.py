"""People, for network admins and platform admins: search the people of their networks, view one
and change them. Identity decides whom each admin sees (the people of the organizations they hold
a role in) and who may change where a person works (platform admins, and network admins of the
person's network); every change is in identity's audit log. Web checks the role only to shape
the pages."""

import re

from fastapi import APIRouter, Request
from fastapi.responses import Response

from web.auth import User, UserDep
from web.clients import ApiError, Clients
from web.clients.identity import Person
from web.deps import ClientsDep
from web.event_form import text
from web.pages.events import form_values
from web.pages.manage import CURSOR, refused
from web.rendering import flash, render, see_other

router = APIRouter()
PAGE_SIZE = 25
# Personal data: no shared cache, no back button showing it after sign-out.
PRIVATE = {"Cache-Control": "no-store"}
ROLES = [("teacher", "Teacher"), ("coach_tosa", "Coach / TOSA"),
         ("administrator", "Administrator"), ("teacher_candidate", "Teacher candidate"),
         ("other", "Other")]
FIELDS = ("full_name", "role", "school", "district", "county")
PLACE_FIELDS = ("school", "district", "county")
PERSON_ID = re.compile(r"^[0-9a-z]{1,26}$")


def _require_admin(user: User) -> None:
    if not user.can_manage_people:
        raise ApiError(403, "forbidden", "Only network admins and platform admins manage people.")


@router.get("/people")
async def list_people(request: Request, clients: ClientsDep, user: UserDep, q: str = "",
                      cursor: str = "") -> Response:
    _require_admin(user)
    q = q.strip()[:200]
    page = await clients.identity.search_people(
        user.token, q=q or None, cursor=cursor if CURSOR.match(cursor) else None,
        limit=PAGE_SIZE)
    return render(request, "people/index.html", {"page": page, "q": q}, headers=PRIVATE)


async def _place_names(clients: Clients, user: User, person: Person) -> dict[str, str]:
    """The names of the person's school and district, as the form shows and sends them."""
    names = {"school": "", "district": "", "county": person.county or ""}
    for field, organization_id in (("school", person.school_id),
                                   ("district", person.district_id)):
        if organization_id:
            names[field] = (await clients.identity.organization(user.token, organization_id)).name
    return names


async def _person_page(request: Request, clients: Clients, user: User, person: Person,
                       values: dict, errors: dict, status_code: int = 200) -> Response:
    place = await _place_names(clients, user, person)
    for field, value in {"full_name": person.full_name, "role": person.role or "other",
                         **place}.items():
        values.setdefault(field, value)
    return render(request, "people/detail.html", {
        "person": person, "place": place, "values": values, "errors": errors, "roles": ROLES,
    }, status_code=status_code, headers=PRIVATE)


@router.get("/people/{person_id}")
async def get_person(request: Request, person_id: str, clients: ClientsDep,
                     user: UserDep) -> Response:
    _require_admin(user)
    person = await _visible(clients, user, person_id)
    return await _person_page(request, clients, user, person, {}, {})


async def _visible(clients: Clients, user: User, person_id: str) -> Person:
    if not PERSON_ID.match(person_id):
        raise ApiError(404, "person_not_found", "No such person.")
    return await clients.identity.person(user.token, person_id)


def parse_person(values: dict, place: dict[str, str]) -> tuple[dict, dict[str, str]]:
    """The PATCH body (the place only when it changed: naming it again resolves it anew) and
    the form's own errors."""
    errors: dict[str, str] = {}
    full_name = text(values, "full_name")
    if not full_name or len(full_name) > 200:
        errors["full_name"] = "Give their name (under 200 characters)."
    if text(values, "role") not in dict(ROLES):
        errors["role"] = "Choose what they do."
    for field in PLACE_FIELDS:
        if len(text(values, field)) > 200:
            errors[field] = "Keep it under 200 characters."
    body: dict = {"full_name": full_name, "role": text(values, "role")}
    typed = {field: " ".join(text(values, field).split()) for field in PLACE_FIELDS}
    if any(typed[f].lower() != " ".join(place[f].split()).lower() for f in PLACE_FIELDS):
        body |= {field: typed[field] or None for field in PLACE_FIELDS}
    return body, errors


@router.post("/people/{person_id}")
async def update_person(request: Request, person_id: str, clients: ClientsDep,
                        user: UserDep) -> Response:
    _require_admin(user)
    person = await _visible(clients, user, person_id)
    values = form_values(await request.form())
    body, errors = parse_person(values, await _place_names(clients, user, person))
    if not errors:
        try:
            await clients.identity.update_person(user.token, person.id, body)
        except ApiError as exc:
            if exc.status == 403 and "district" in body:
                # Seen, but not theirs to move: only the person's network admins change places.
                errors = {"district": exc.detail}
            else:
                errors = refused(exc, fields=FIELDS, aliases={})
        else:
            flash(request, f"{body['full_name']} is saved.")
            return see_other(request, f"/people/{person.id}")
    return await _person_page(request, clients, user, person, values, errors, status_code=422)
