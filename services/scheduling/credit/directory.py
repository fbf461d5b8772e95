"""What credit needs from identity: a person's district, and whether an organization is a
district, read through scheduling's one identity client."""

from services.scheduling.credit.errors import NotADistrict, PersonNotFound
from services.scheduling.identity import Identity


async def district_of(identity: Identity, person_id: str) -> str | None:
    """The person's district id (None when identity has none on record), read with
    scheduling's own token: the caller's may not read people."""
    person = await identity.person(person_id)
    if person is None:
        raise PersonNotFound(f"No person has id {person_id!r}.")
    district = person.get("district_id")
    return str(district) if district else None


async def require_seen_by_caller(identity: Identity, person_id: str, *,
                                 authorization: str | None, networks: set[str]) -> None:
    """404, as identity answers, unless identity shows the caller this person: a network admin
    reads the transcript of their own network's people only, not (with their networks' rows
    filtered out) the district of anyone on the platform."""
    if await identity.person_seen_by(person_id, authorization=authorization) is None:
        raise PersonNotFound(f"No person has id {person_id!r}.").denying(
            "person", person_id, *networks)


async def require_district(identity: Identity, organization_id: str) -> None:
    organization = await identity.organization(organization_id)
    if organization is None or organization.get("kind") != "district":
        detail = "Choose a district: credit is granted by districts (or network-wide)."
        # Named like a validation error so a form shows it beside its district field.
        raise NotADistrict(detail, errors=[{"loc": ["body", "district_id"], "msg": detail,
                                            "type": NotADistrict.code}])
