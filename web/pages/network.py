"""Setting a network up without the API, for its network admins (and platform admins):

- Organizations: the districts and schools people name (shared by every network, with county
  and equity attributes), the network's partner organizations, and each partner's API keys
  (created and shown once, revoked, last used).
- Memberships: who holds which role in the network and from when to when, in one place with the
  cohort leaders (a cohort entry for a program year is a leader membership for that year).
- Audit log: who changed what in the network, filterable.
"""

import re
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from web.auth import User, UserDep
from web.clients import ApiError, Clients
from web.clients.identity import Membership, Organization
from web.deps import ClientsDep
from web.event_form import text
from web.forms import new_key
from web.networks import networks_where
from web.pages.events import form_values
from web.pages.manage import CURSOR, form_key, refused
from web.rendering import flash, render, see_other

router = APIRouter(prefix="/network")
ADMIN_ROLES = ("network_admin",)
LOCALES = [("", "Not recorded"), ("city", "City"), ("suburb", "Suburb"), ("town", "Town"),
           ("rural", "Rural")]
ROLES = [("leader", "Leader"), ("coordinator", "Coordinator"), ("analyst", "Analyst"),
         ("network_admin", "Network admin"), ("member", "Member")]
PLACE_FIELDS = ("name", "county", "parent_id", "frpl_pct", "el_pct", "locale")
MEMBERSHIP_FIELDS = ("email", "role", "starts_on", "ends_on")
AUDIT_FILTERS = {"actor": "actor_subject", "action": "action", "target": "target_id"}
AUDIT_PAGE = 50
FILTER_TEXT = re.compile(r"^[\w.:@-]{1,200}$")


async def admin_network(clients: Clients, user: User, network_id: str
                        ) -> tuple[Organization, list[Organization]]:
    """The network these pages are about (the first one the user administers unless named)."""
    networks = await networks_where(clients, user, ADMIN_ROLES)
    network = next((n for n in networks if n.id == network_id), None)
    if network is None and not network_id and networks:
        network = networks[0]
    if network is None:
        raise ApiError(403, "forbidden", "Only a network's admins set it up.")
    return network, networks


def pick_network(values: dict) -> str:
    return text(values, "network_id")


# --- organizations -------------------------------------------------------------------------

def parse_place(values: dict, kind: str) -> tuple[dict, dict[str, str]]:
    """A district, school or partner from its form (fields named <kind>_<field>, so the three
    forms of the page keep distinct ids): name, and the equity attributes."""
    errors: dict[str, str] = {}

    def field(name: str) -> str:
        return text(values, f"{kind}_{name}")

    def wrong(name: str, message: str) -> None:
        errors[f"{kind}_{name}"] = message

    name = field("name")
    if not name or len(name) > 200:
        wrong("name", "Give it a name (under 200 characters).")
    body: dict = {"name": name, "kind": kind}
    if kind == "partner":
        body["parent_id"] = pick_network(values)
        return body, errors
    if kind == "school":
        body["parent_id"] = field("parent_id")
        if not body["parent_id"]:
            wrong("parent_id", "Choose the school's district.")
    county = field("county")
    if kind == "district" and not county:
        wrong("county", "Give the district's county.")
    if county:
        body["county"] = county[:100]
    attributes: dict = {}
    for share_field in ("frpl_pct", "el_pct"):
        raw = field(share_field)
        if not raw:
            continue
        try:
            share = float(raw)
        except ValueError:
            share = -1
        if not 0 <= share <= 100:
            wrong(share_field, "A share of students, from 0 to 100.")
        else:
            attributes[share_field] = int(share) if share.is_integer() else share
    locale = field("locale")
    if locale not in dict(LOCALES):
        wrong("locale", "Choose a locale from the list.")
    elif locale:
        attributes["locale"] = locale
    body["attributes"] = attributes
    return body, errors


async def organizations_context(clients: Clients, user: User, network_id: str, *,
                                values: dict | None = None, errors: dict | None = None,
                                kind: str = "") -> dict:
    network, networks = await admin_network(clients, user, network_id)
    districts = sorted(await clients.identity.organizations(user.token, kind="district"),
                       key=lambda d: ((d.county or "").lower(), d.name.lower()))
    schools: dict[str, list[Organization]] = {}
    for school in await clients.identity.organizations(user.token, kind="school"):
        schools.setdefault(school.parent_id or "", []).append(school)
    partners = await clients.identity.organizations(user.token, kind="partner",
                                                    parent_id=network.id)
    place_forms = {k: {"idempotency_key": new_key()} for k in ("district", "school", "partner")}
    if kind:
        place_forms[kind] = values or {}
    return {
        "network": network, "networks": networks, "districts": districts, "schools": schools,
        "partners": sorted(partners, key=lambda p: p.name.lower()), "place_forms": place_forms,
        "place_errors": {k: (errors or {}) if k == kind else {} for k in place_forms},
        "locales": LOCALES,
        "district_options": [("", "Choose a district")] + [
            (d.id, f"{d.name} ({d.county})" if d.county else d.name) for d in districts],
    }


@router.get("/organizations")
async def list_organizations(request: Request, clients: ClientsDep, user: UserDep,
                             network_id: str = "") -> Response:
    context = await organizations_context(clients, user, network_id)
    return render(request, "network/organizations.html", context)


@router.post("/organizations")
async def create_organization(request: Request, clients: ClientsDep, user: UserDep) -> Response:
    values = form_values(await request.form())
    network, _ = await admin_network(clients, user, pick_network(values))
    kind = text(values, "kind")
    if kind not in ("district", "school", "partner"):
        raise ApiError(422, "invalid_input", "Add a district, a school or a partner.")
    body, errors = parse_place(values, kind)
    if not errors:
        try:
            created = await clients.network.create_place(user.token, body,
                                                         idempotency_key=form_key(values))
        except ApiError as exc:
            errors = refused(exc, fields=tuple(f"{kind}_{f}" for f in PLACE_FIELDS),
                             aliases={f: f"{kind}_{f}" for f in PLACE_FIELDS})
        else:
            flash(request, f"{created.name} is added.")
            anchor = f"#partner_{created.id}" if kind == "partner" else f"#{kind}s"
            return see_other(request, f"/network/organizations?network_id={network.id}{anchor}")
    context = await organizations_context(clients, user, network.id, values=values,
                                          errors=errors, kind=kind)
    return render(request, "network/organizations.html", context, status_code=422,
                  block=f"{kind}_form")


# --- a partner's API keys ------------------------------------------------------------------

async def partner_context(clients: Clients, user: User, partner_id: str) -> dict:
    partner = await clients.identity.organization(user.token, partner_id)
    if partner.kind != "partner" or not partner.parent_id:
        raise ApiError(404, "not_found", "No such partner.")
    network, _ = await admin_network(clients, user, partner.parent_id)
    keys = sorted(await clients.network.api_keys(user.token, partner.id),
                  key=lambda k: k.created_at, reverse=True)
    return {"partner": partner, "network": network, "keys": keys, "new_key": None,
            "idempotency_key": new_key()}


@router.get("/partners/{partner_id}")
async def get_partner(request: Request, partner_id: str, clients: ClientsDep,
                      user: UserDep) -> Response:
    return render(request, "network/partner.html",
                  await partner_context(clients, user, partner_id))


@router.post("/partners/{partner_id}/keys")
async def create_api_key(request: Request, partner_id: str, clients: ClientsDep, user: UserDep,
                         idempotency_key: Annotated[str, Form()] = "") -> Response:
    created = await clients.network.create_api_key(
        user.token, partner_id, idempotency_key=form_key({"idempotency_key": idempotency_key}))
    # Shown on this answer only (never stored, never redirected to): the page says so.
    context = await partner_context(clients, user, partner_id)
    context["new_key"] = created
    return render(request, "network/partner.html", context,
                  headers={"Cache-Control": "no-store"})


@router.post("/partners/{partner_id}/keys/{key_id}/revoke")
async def revoke_api_key(request: Request, partner_id: str, key_id: str, clients: ClientsDep,
                         user: UserDep) -> Response:
    await partner_context(clients, user, partner_id)
    await clients.network.revoke_api_key(user.token, key_id)
    flash(request, "The key is revoked: it no longer gets tokens.")
    return see_other(request, f"/network/partners/{partner_id}")


# --- memberships ---------------------------------------------------------------------------

def parse_membership(values: dict, *, with_person: bool) -> tuple[dict, dict[str, str]]:
    errors: dict[str, str] = {}
    body: dict = {}
    if text(values, "role") not in dict(ROLES):
        errors["role"] = "Choose a role."
    else:
        body["role"] = text(values, "role")
    for field in ("starts_on", "ends_on"):
        raw = text(values, field)
        try:
            body[field] = date.fromisoformat(raw).isoformat() if raw else None
        except ValueError:
            errors[field] = "Enter a day, or leave it empty for no bound."
    if body.get("starts_on") and body.get("ends_on") and body["ends_on"] < body["starts_on"]:
        errors["ends_on"] = "It cannot end before it starts."
    if with_person and "@" not in text(values, "email"):
        errors["email"] = "Enter the person's email."
    return body, errors


async def memberships_context(clients: Clients, user: User, network_id: str, *,
                              values: dict | None = None, errors: dict | None = None) -> dict:
    network, networks = await admin_network(clients, user, network_id)
    memberships = await clients.identity.members(user.token, network.id)
    # Which memberships a program's cohort granted: shown beside them, changed on the program.
    cohort: dict[str, tuple] = {}
    for program in await clients.programs.list_programs(user.token, network_id=network.id):
        for entry in await clients.programs.cohort(user.token, program.id):
            if entry.membership_id:
                cohort[entry.membership_id] = (program, entry)
    today = date.today()
    current = [m for m in memberships if not m.ends_on or m.ends_on >= today]
    values = values or {}
    values.setdefault("idempotency_key", new_key())
    values.setdefault("role", "leader")
    return {
        "network": network, "networks": networks, "roles": ROLES, "role_names": dict(ROLES),
        "current": sorted(current, key=_by_role_and_name),
        "ended": sorted((m for m in memberships if m not in current), key=_by_role_and_name),
        "cohort": cohort, "values": values, "errors": errors or {}, "today": today,
    }


def _by_role_and_name(membership: Membership) -> tuple:
    return ([r for r, _ in ROLES].index(membership.role) if membership.role in dict(ROLES)
            else len(ROLES), membership.display_name.lower(), membership.starts_on or date.min)


@router.get("/memberships")
async def list_memberships(request: Request, clients: ClientsDep, user: UserDep,
                           network_id: str = "") -> Response:
    context = await memberships_context(clients, user, network_id)
    return render(request, "network/memberships.html", context)


@router.post("/memberships")
async def grant_membership(request: Request, clients: ClientsDep, user: UserDep) -> Response:
    values = form_values(await request.form())
    network, _ = await admin_network(clients, user, pick_network(values))
    body, errors = parse_membership(values, with_person=True)
    person = None
    if not errors:
        person = await clients.identity.person_by_email(user.token, text(values, "email"))
        if person is None:
            errors["email"] = ("No one with this email is among the network's people: invite them "
                               "instead.")
    if not errors and person is not None:
        try:
            await clients.network.grant(user.token, network.id,
                                        {"person_id": person.id, **body},
                                        idempotency_key=form_key(values))
        except ApiError as exc:
            errors = refused(exc, fields=MEMBERSHIP_FIELDS, aliases={"person_id": "email"})
        else:
            flash(request, f"{person.full_name or person.email} is now "
                           f"{dict(ROLES)[body['role']].lower()} of {network.name}.")
            return see_other(request, f"/network/memberships?network_id={network.id}")
    context = await memberships_context(clients, user, network.id, values=values,
                                        errors=errors)
    return render(request, "network/memberships.html", context, status_code=422,
                  block="grant_form")


async def _membership(clients: Clients, user: User, network_id: str, membership_id: str
                      ) -> tuple[Organization, Membership]:
    network, _ = await admin_network(clients, user, network_id)
    for membership in await clients.identity.members(user.token, network.id):
        if membership.id == membership_id:
            return network, membership
    raise ApiError(404, "not_found", "No such membership in this network.")


def _edit_context(network: Organization, membership: Membership, values: dict,
                  errors: dict) -> dict:
    return {"network": network, "membership": membership, "values": values, "errors": errors,
            "roles": ROLES}


@router.get("/memberships/{membership_id}")
async def edit_membership(request: Request, membership_id: str, clients: ClientsDep,
                          user: UserDep, network_id: str = "") -> Response:
    network, membership = await _membership(clients, user, network_id, membership_id)
    values = {"role": membership.role, "idempotency_key": new_key(),
              "starts_on": membership.starts_on.isoformat() if membership.starts_on else "",
              "ends_on": membership.ends_on.isoformat() if membership.ends_on else ""}
    return render(request, "network/membership.html",
                  _edit_context(network, membership, values, {}))


@router.post("/memberships/{membership_id}")
async def change_membership(request: Request, membership_id: str, clients: ClientsDep,
                            user: UserDep) -> Response:
    values = form_values(await request.form())
    network, membership = await _membership(clients, user, pick_network(values), membership_id)
    body, errors = parse_membership(values, with_person=False)
    if text(values, "end_today"):  # the list's "End today" button: only ends_on changes
        body, errors = {"ends_on": date.today().isoformat()}, {}
        if membership.starts_on and membership.starts_on > date.today():
            errors["ends_on"] = "It has not started yet: change its dates instead."
    if not errors:
        try:
            await clients.network.change_membership(user.token, network.id, membership.id, body,
                                                    idempotency_key=form_key(values))
        except ApiError as exc:
            errors = refused(exc, fields=MEMBERSHIP_FIELDS, aliases={})
        else:
            flash(request, "The membership is changed.")
            return see_other(request, f"/network/memberships?network_id={network.id}")
    values.setdefault("role", membership.role)
    return render(request, "network/membership.html",
                  _edit_context(network, membership, values, errors), status_code=422,
                  block="membership_form")


# --- the audit log -------------------------------------------------------------------------

def parse_audit_filters(values: dict) -> tuple[dict[str, str], dict[str, str]]:
    """The filters as identity's query parameters, and what is wrong with them."""
    params: dict[str, str] = {}
    errors: dict[str, str] = {}
    for field, param in AUDIT_FILTERS.items():
        raw = text(values, field)
        if raw and not FILTER_TEXT.match(raw):
            errors[field] = "Letters, digits and . : @ - only."
        elif raw:
            params[param] = raw
    for field in ("from", "to"):
        raw = text(values, field)
        try:
            day = date.fromisoformat(raw) if raw else None
        except ValueError:
            day = None
            errors[field] = "Enter a day."
        if day is not None and not date(1900, 1, 1) <= day <= date(2999, 12, 31):
            errors[field] = "Enter a day between 1900 and 2999."
        elif day is not None:
            params[field] = day.isoformat()
    if "from" in params and "to" in params and params["to"] < params["from"]:
        errors["to"] = "The last day cannot come before the first."
    if text(values, "denied") == "on":
        params["denied"] = "true"
    return params, errors


@router.get("/audit")
async def audit_log(request: Request, clients: ClientsDep, user: UserDep) -> Response:
    values = {k: v for k, v in request.query_params.items()}
    network, networks = await admin_network(clients, user, text(values, "network_id"))
    params, errors = parse_audit_filters(values)
    cursor = text(values, "cursor")
    page = None
    if not errors:
        page = await clients.network.audit(user.token, network.id, filters=params,
                                           cursor=cursor if CURSOR.match(cursor) else None,
                                           limit=AUDIT_PAGE)
    shown = {field: text(values, field) for field in (*AUDIT_FILTERS, "from", "to", "denied")}
    return render(request, "network/audit.html", {
        "network": network, "networks": networks, "page": page, "values": shown,
        "errors": errors, "query": {k: v for k, v in shown.items() if v},
    }, status_code=422 if errors else 200)
