"""Organizations, and the districts and schools that people name on sign-in sheets."""

from dataclasses import dataclass
from functools import partial

from sqlmodel.ext.asyncio.session import AsyncSession

from services.identity import access
from services.identity.audit import service as audit
from services.identity.db import OutboxEvent
from services.identity.errors import InvalidParent, OrganizationExists, OrganizationNotFound
from services.identity.organizations import repository
from services.identity.organizations.models import Organization
from services.identity.organizations.schemas import OrganizationCreate, OrganizationUpdate
from shared.auth import Principal
from shared.outbox import publish
from shared.pagination import PageParams

# Which kind of parent each kind may have; a kind not listed takes none.
PARENT_KINDS = {
    "district": {"county_office"},
    "school": {"district"},
    "partner": {"network"},
    "network": {"network"},
    "county_office": {"network"},
}


def clean_name(name: str) -> str:
    return " ".join(name.split())


def _lower(value: str | None) -> str:
    return clean_name(value or "").lower()


def natural_key(kind: str, name: str, *, district_id: str | None = None,
                county: str | None = None) -> str | None:
    if kind == "district":
        return f"district|{_lower(county)}|{_lower(name)}"
    if kind == "school":
        return f"school|{district_id or ''}|{'' if district_id else _lower(county)}|{_lower(name)}"
    return None


def event_payload(organization: Organization) -> dict:
    return {"id": organization.id, "name": organization.name, "kind": organization.kind,
            "parent_id": organization.parent_id, "county": organization.county,
            "attributes": organization.attributes}


async def _announce(db: AsyncSession, organization: Organization, topic: str) -> None:
    await publish(db, OutboxEvent, topic=topic, key=organization.id,
                  payload=event_payload(organization))


async def get_organization(db: AsyncSession, organization_id: str) -> Organization:
    organization = await repository.get(db, organization_id)
    if organization is None:
        raise OrganizationNotFound(f"No organization has id {organization_id}.")
    return organization


async def list_organizations(db: AsyncSession, params: PageParams, *, kind: str | None,
                             parent_id: str | None, q: str | None
                             ) -> tuple[list[Organization], str | None]:
    return await repository.page(db, params, kind=kind, parent_id=parent_id, q=q)


async def create_organization(db: AsyncSession, actor: Principal, data: OrganizationCreate
                              ) -> Organization:
    kind = data.kind.value
    access.require(access.may_create_organization(actor, kind, data.parent_id),
                   f"You may not create an organization of kind {kind} here.",
                   organization_id=data.parent_id)
    parent = None
    if data.parent_id:
        parent = await repository.get(db, data.parent_id)
        if parent is None or parent.kind not in PARENT_KINDS.get(kind, set()):
            raise InvalidParent(
                f"An organization of kind {kind} cannot sit under {data.parent_id}.")
    elif kind == "partner":
        raise InvalidParent("A partner belongs to a network: give its parent_id.")
    # A school lies in its district's county unless told otherwise.
    county = clean_name(data.county) if data.county else (parent.county if parent else None)
    organization = Organization(
        name=clean_name(data.name), kind=kind, parent_id=data.parent_id, county=county or None,
        attributes=data.attributes,
        natural_key=natural_key(kind, data.name, district_id=data.parent_id, county=county),
    )
    if not await repository.add_unless_present(db, organization):
        raise OrganizationExists(f"A {kind} named {organization.name} already exists here.")
    await _announce(db, organization, "organization.created")
    await audit.record(db, actor=actor.subject, action="organization.create",
                       target_type="organization", target_id=organization.id,
                       organization_id=data.parent_id or organization.id,
                       details={"kind": kind, "parent_id": data.parent_id})
    return organization


async def update_organization(db: AsyncSession, actor: Principal, organization_id: str,
                              data: OrganizationUpdate) -> Organization:
    organization = await get_organization(db, organization_id)
    access.require(
        access.administers(actor, organization.id)
        or access.administers(actor, organization.parent_id),
        "Only platform admins and the organization's network admins change it.",
        organization_id=organization.id,
    )
    # Only county may be cleared; a null name, attributes or verified flag means "unchanged".
    changes = {field: value for field, value in data.model_dump(exclude_unset=True).items()
               if value is not None or field == "county"}
    for field, value in changes.items():
        setattr(organization, field, clean_name(value) if field in {"name", "county"} and value
                else value)
    if "name" in changes or "county" in changes:
        organization.natural_key = natural_key(organization.kind, organization.name,
                                               district_id=organization.parent_id,
                                               county=organization.county)
    if not await repository.add_unless_present(db, organization):
        raise OrganizationExists(f"A {organization.kind} named {organization.name} already exists.")
    await _announce(db, organization, "organization.updated")
    await audit.record(db, actor=actor.subject, action="organization.update",
                       target_type="organization", target_id=organization.id,
                       organization_id=organization.id, details={"fields": sorted(changes)})
    return organization


@dataclass(frozen=True)
class Place:
    school_id: str | None
    district_id: str | None
    county: str | None


async def _find_or_create(db: AsyncSession, *, kind: str, name: str, candidates:
                          list[Organization], county: str | None,
                          parent_id: str | None, create: bool = True) -> Organization | None:
    # Under a known parent the name alone decides; otherwise the county helps choose.
    wanted = "" if parent_id else _lower(county)
    # Prefer the same county, then one whose county nobody recorded.
    for match in (lambda o: _lower(o.county) == wanted, lambda o: not o.county):
        found = [o for o in candidates if not wanted or match(o)]
        if found:
            return found[0]
    if not create:
        return None
    key = natural_key(kind, name, district_id=parent_id, county=county)
    created = Organization(name=clean_name(name), kind=kind, parent_id=parent_id,
                           county=clean_name(county) if county else None, verified=False,
                           natural_key=key)
    if await repository.add_unless_present(db, created):
        await _announce(db, created, "organization.created")
        return created
    # Someone else created it since we looked.
    existing = await repository.by_natural_key(db, key)
    if existing is None:
        raise OrganizationExists(f"Could not create {kind} {name}.")
    return existing


class NamedPlaces:
    """Districts and schools by name for many places at once (a sign-in sheet's): one query per
    kind for every name given, and repository.named for a name it holds nothing for (or none
    under the parent asked), which finds one created since."""

    def __init__(self, db: AsyncSession, found: dict[str, dict[str, list[Organization]]]) -> None:
        self.db, self.found = db, found

    async def named(self, *, kind: str, name: str, parent_id: str | None = None
                    ) -> list[Organization]:
        candidates = [o for o in self.found[kind].get(name.strip().lower(), [])
                      if not parent_id or o.parent_id == parent_id]
        return candidates or await repository.named(self.db, kind=kind, name=name,
                                                    parent_id=parent_id)


async def named_places(db: AsyncSession, places: list[tuple[str | None, str | None]]
                       ) -> NamedPlaces:
    """The NamedPlaces of these (school, district) names."""
    return NamedPlaces(db, {
        kind: await repository.named_any(db, kind=kind, names={
            name for name in names if name and name.strip()})
        for kind, names in (("school", [s for s, _d in places]),
                            ("district", [d for _s, d in places]))})


async def resolve_place(db: AsyncSession, *, school: str | None, district: str | None,
                        county: str | None, create: bool = True,
                        places: NamedPlaces | None = None) -> Place:
    """District and school given by name, found case-insensitively or (when `create`) created
    unverified; without `create` a name that finds nothing is left unset. `places` looks the
    names up when given (for many places at once)."""
    named = places.named if places is not None else partial(repository.named, db)
    county = clean_name(county) if county and county.strip() else None
    district_row = None
    if district and district.strip():
        district_row = await _find_or_create(
            db, kind="district", name=district, county=county, parent_id=None, create=create,
            candidates=await named(kind="district", name=district))
        county = county or (district_row.county if district_row else None)
    school_row = None
    if school and school.strip():
        candidates = await named(kind="school", name=school,
                                 parent_id=district_row.id if district_row else None)
        school_row = await _find_or_create(
            db, kind="school", name=school, county=county,
            parent_id=district_row.id if district_row else None, candidates=candidates,
            create=create)
        if school_row is not None and district_row is None and school_row.parent_id:
            district_row = await repository.get(db, school_row.parent_id)
        county = county or (school_row.county if school_row else None)
    return Place(school_id=school_row.id if school_row else None,
                 district_id=district_row.id if district_row else None, county=county)
