"""People: educators, most of whom first appear on a sign-in sheet."""

from sqlmodel.ext.asyncio.session import AsyncSession

from services.identity import access
from services.identity.audit import service as audit
from services.identity.db import OutboxEvent
from services.identity.errors import EmailTaken, PersonNotFound
from services.identity.organizations.service import Place, get_organization, resolve_place
from services.identity.people import repository
from services.identity.people.models import Person
from services.identity.people.schemas import PersonCreate, PersonMatch, PersonUpdate
from shared.auth import Principal
from shared.errors import InvalidInput
from shared.outbox import publish
from shared.pagination import PageParams

MAX_IDS = 200


def event_payload(person: Person) -> dict:
    # Other services get where a person works and what they do, never who they are.
    return {"id": person.id, "role": person.role, "school_id": person.school_id,
            "district_id": person.district_id, "county": person.county}


async def _announce(db: AsyncSession, person: Person, topic: str) -> None:
    await publish(db, OutboxEvent, topic=topic, key=person.id, payload=event_payload(person))


def _require_manager(actor: Principal) -> None:
    access.require(access.manages_people(actor),
                   "Only platform admins, network admins and coordinators see people.")


async def add_person(db: AsyncSession, *, email: str, full_name: str, role: str,
                     place: Place) -> Person:
    """Insert a person and announce it; EmailTaken when the email is in use."""
    email = email.strip().lower()
    person = Person(email=email, full_name=full_name.strip(), role=role,
                    school_id=place.school_id, district_id=place.district_id, county=place.county)
    if not await repository.add_unless_taken(db, person):
        raise EmailTaken(f"A person with email {email} already exists.")
    await _announce(db, person, "person.created")
    return person


async def create_person(db: AsyncSession, actor: Principal, data: PersonCreate) -> Person:
    _require_manager(actor)
    if await repository.by_email(db, data.email):
        raise EmailTaken(f"A person with email {data.email} already exists.")
    place = await resolve_place(db, school=data.school, district=data.district, county=data.county)
    person = await add_person(db, email=data.email, full_name=data.full_name,
                              role=data.role.value, place=place)
    await audit.record(db, actor=actor.subject, action="person.create", target_type="person",
                       target_id=person.id, organization_id=place.district_id,
                       details={"role": person.role, "school_id": place.school_id})
    return person


async def match_person(db: AsyncSession, actor: Principal, acting: Principal | None,
                       data: PersonMatch) -> tuple[Person, bool]:
    """The person with this email, or a new one, affiliated with the network either way; and
    whether they were created. Facilitators never create organizations: a school or district
    name that finds none is left unset."""
    powers = access.match_powers(actor, acting, data.network_id)
    access.require(powers is not None,
                   "Only this network's staff, or a service acting for one of its facilitators, "
                   "match people for it.")
    network = await get_organization(db, data.network_id)
    # The user the change is audited as (match_powers refused a service acting for no one).
    user = acting if actor.is_service and acting is not None else actor
    person = await repository.by_email(db, data.email)
    created = False
    if person is None:
        place = await resolve_place(db, school=data.school, district=data.district,
                                    county=data.county, create=powers == "staff")
        try:
            person = await add_person(db, email=data.email, full_name=data.full_name,
                                      role=data.role.value, place=place)
            created = True
        except EmailTaken:
            # Created by a concurrent import since we looked: that is a match.
            person = await repository.by_email(db, data.email)
            if person is None:
                raise
    await repository.affiliate(db, person_id=person.id, organization_id=network.id,
                               source="match")
    await audit.record(db, actor=user.subject, action="person.create" if created else "person.match",
                       target_type="person", target_id=person.id, organization_id=network.id,
                       details={"via": actor.subject, "network_id": network.id,
                                "school_id": person.school_id, "district_id": person.district_id}
                       if created else {"via": actor.subject, "network_id": network.id})
    return person, created


async def get_person(db: AsyncSession, actor: Principal, person_id: str) -> Person:
    if actor.person_id != person_id or actor.kind != "user":
        _require_manager(actor)
    person = await repository.get(db, person_id)
    if person is None:
        raise PersonNotFound(f"No person has id {person_id}.")
    return person


async def list_people(db: AsyncSession, actor: Principal, params: PageParams, *,
                      ids: str | None, email: str | None, q: str | None
                      ) -> tuple[list[Person], str | None]:
    _require_manager(actor)
    id_list = None
    if ids is not None:
        id_list = [i.strip() for i in ids.split(",") if i.strip()]
        if len(id_list) > MAX_IDS:
            raise InvalidInput(f"Ask for at most {MAX_IDS} ids at a time.")
    return await repository.page(db, params, ids=id_list, email=email, q=q)


async def update_person(db: AsyncSession, actor: Principal, person_id: str, data: PersonUpdate
                        ) -> Person:
    person = await get_person(db, actor, person_id)
    changes = data.model_dump(exclude_unset=True)
    if changes.get("full_name"):
        person.full_name = changes["full_name"].strip()
    if changes.get("role"):
        person.role = changes["role"].value
    if {"school", "district", "county"} & changes.keys():
        place = await resolve_place(db, school=data.school, district=data.district,
                                    county=data.county)
        person.school_id, person.district_id, person.county = (
            place.school_id, place.district_id, place.county)
    await repository.save(db, person)
    await _announce(db, person, "person.updated")
    await audit.record(db, actor=actor.subject, action="person.update", target_type="person",
                       target_id=person.id, organization_id=person.district_id,
                       details={"fields": sorted(changes)})
    return person
