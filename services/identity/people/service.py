"""People: educators, most of whom first appear on a sign-in sheet."""

from collections.abc import Callable

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
from shared.denials import Attempt, Denied
from shared.errors import CascadeError, Forbidden, InvalidInput
from shared.outbox import publish
from shared.pagination import PageParams

MAX_IDS = 200
# The attempt a denial is audited as, with the request's method and route (None: not audited).
AttemptOf = Callable[[Denied], Attempt | None]


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


async def create_person(db: AsyncSession, actor: Principal, data: PersonCreate
                        ) -> tuple[Person, bool]:
    """A new person, and True; or, for an email already in Cascade, the person matched for the
    caller's organizations as a sign-in sheet would, and False. EmailTaken only when the caller
    already sees that person: a 409 for anyone else would tell them the email is in Cascade."""
    _require_manager(actor)
    person = await repository.by_email(db, data.email)
    if person is None:
        place = await resolve_place(db, school=data.school, district=data.district,
                                    county=data.county)
        try:
            person = await add_person(db, email=data.email, full_name=data.full_name,
                                      role=data.role.value, place=place)
        except EmailTaken:
            # Created by a concurrent request since we looked: the same as found.
            person = await repository.by_email(db, data.email)
            if person is None:
                raise
        else:
            await _affiliate_with_callers(db, actor, person, source="created")
            await audit.record(db, actor=actor.subject, action="person.create",
                               target_type="person", target_id=person.id,
                               organization_id=place.district_id,
                               details={"role": person.role, "school_id": place.school_id})
            return person, True
    scope = access.people_scope(actor)
    if scope is None or await repository.belongs_to(db, person.id, scope):
        raise EmailTaken(f"A person with email {person.email} is already among your people.")
    for organization_id in await _affiliate_with_callers(db, actor, person, source="match"):
        await audit.record(db, actor=actor.subject, action="person.match", target_type="person",
                           target_id=person.id, organization_id=organization_id,
                           details={"via": "people.create"})
    return person, False


async def _affiliate_with_callers(db: AsyncSession, actor: Principal, person: Person, *,
                                  source: str) -> list[str]:
    """The caller keeps seeing the person: they belong to the organizations the caller manages
    (returned, sorted)."""
    organization_ids = sorted(access.people_scope(actor) or ())
    for organization_id in organization_ids:
        await repository.affiliate(db, person_id=person.id, organization_id=organization_id,
                                   source=source)
    return organization_ids


async def match_person(db: AsyncSession, actor: Principal, acting: Principal | None,
                       data: PersonMatch) -> tuple[Person, bool]:
    """The person with this email, or a new one, affiliated with the network either way; and
    whether they were created. Facilitators never create organizations: a school or district
    name that finds none is left unset."""
    powers = access.match_powers(actor, acting, data.network_id)
    access.require(powers is not None,
                   "Only this network's staff, or a service acting for one of its facilitators, "
                   "match people for it.", organization_id=data.network_id)
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
    details = {"via": actor.subject, "network_id": network.id}
    if created:
        details |= {"school_id": person.school_id, "district_id": person.district_id}
    action = "person.create" if created else "person.match"
    await audit.record(db, actor=user.subject, action=action, target_type="person",
                       target_id=person.id, organization_id=network.id, details=details)
    return person, created


async def _visible(db: AsyncSession, actor: Principal, person_id: str, *, action: str
                   ) -> Person:
    """The person if the caller may see them. Outside the caller's organizations a person is
    404 like one that does not exist, and the attempt is audited."""
    if actor.person_id != person_id or actor.kind != "user":
        _require_manager(actor)
    person = await repository.get(db, person_id)
    if person is None:
        raise PersonNotFound(f"No person has id {person_id}.")
    scope = access.people_scope(actor)
    if (scope is not None and actor.person_id != person_id
            and not await repository.belongs_to(db, person_id, scope)):
        raise await denying(db, PersonNotFound(f"No person has id {person_id}."), person,
                            action=action, details=_outside(scope))
    return person


def _outside(scope: set[str]) -> dict:
    return {"reason": "outside_caller_organizations", "caller_organizations": sorted(scope)}


async def denying(db: AsyncSession, error: CascadeError, person: Person, *, action: str,
                  details: dict) -> CascadeError:
    """The refusal of something about this person, audited under the networks they belong to
    (their admins see them), or where they work when they belong to none."""
    belongs = await repository.organizations_of(db, [person])
    return error.denying("person", person.id, *belongs[person.id], action=action,
                         details=details)


async def get_person(db: AsyncSession, actor: Principal, person_id: str) -> Person:
    return await _visible(db, actor, person_id, action="person.read")


def _id_list(ids: str | None) -> list[str] | None:
    if ids is None:
        return None
    id_list = [i.strip() for i in ids.split(",") if i.strip()]
    if len(id_list) > MAX_IDS:
        raise InvalidInput(f"Ask for at most {MAX_IDS} ids at a time.")
    return id_list


async def list_people(db: AsyncSession, actor: Principal, params: PageParams, *,
                      ids: str | None, email: str | None, q: str | None,
                      attempt_of: AttemptOf = lambda _denied: None
                      ) -> tuple[list[Person], str | None]:
    """People of the caller's organizations (everyone for platform admins and services). Asking
    by id or email for someone outside them finds no one, and is audited."""
    _require_manager(actor)
    id_list = _id_list(ids)
    scope = access.people_scope(actor)
    rows, cursor = await repository.page(db, params, ids=id_list, email=email, q=q, within=scope)
    if scope is not None and (id_list or email) and not params.cursor:
        shown = {row.id for row in rows}
        hidden = [i for i in await repository.existing_ids(db, ids=id_list, email=email)
                  if i not in shown]
        # On the first page a hidden id is one outside the scope (a limit cuts later ones off).
        outside = await repository.outside_of(db, set(hidden), scope)
        belongs = await repository.organizations_of(db, outside)
        for person in outside:  # the list is answered: the rows go with its transaction
            denied = PersonNotFound().denying("person", person.id, *belongs[person.id],
                                              action="person.list", details=_outside(scope)).denied
            if denied and (attempt := attempt_of(denied)):
                await audit.record_attempt(db, attempt)
    return rows, cursor


def _place_of(person: Person) -> dict[str, str | None]:
    return {"school_id": person.school_id, "district_id": person.district_id,
            "county": person.county}


async def _administers_person(db: AsyncSession, actor: Principal, person: Person) -> bool:
    """Platform admins, and network admins of an organization the person belongs to."""
    if actor.is_platform_admin:
        return True
    if not access.is_user(actor):
        return False
    return await repository.belongs_to(db, person.id, actor.organizations_with("network_admin"))


async def update_person(db: AsyncSession, actor: Principal, person_id: str,
                        data: PersonUpdate) -> Person:
    """Name and role by the person or those who see them; a new school, district or county only
    by an admin of the person (moving someone into a district gives them its PD credit and its
    coordinator their transcript), audited with the place before and after."""
    person = await _visible(db, actor, person_id, action="person.update")
    changes = data.model_dump(exclude_unset=True)
    before = _place_of(person)
    if {"school", "district", "county"} & changes.keys():
        admin = await _administers_person(db, actor, person)
        place = await resolve_place(db, school=data.school, district=data.district,
                                    county=data.county, create=admin)
        after = {"school_id": place.school_id, "district_id": place.district_id,
                 "county": place.county}
        if after != before and not admin:
            raise await denying(db, Forbidden(
                "Only platform admins and the network admins of this person's network change "
                "where they work."), person, action="person.move",
                details={"before": before, "after": after})
        person.school_id, person.district_id, person.county = (
            place.school_id, place.district_id, place.county)
    if changes.get("full_name"):
        person.full_name = changes["full_name"].strip()
    if changes.get("role"):
        person.role = changes["role"].value
    await repository.save(db, person)
    await _announce(db, person, "person.updated")
    details: dict = {"fields": sorted(changes)}
    if _place_of(person) != before:
        details |= {"before": before, "after": _place_of(person)}
    await audit.record(db, actor=actor.subject, action="person.update", target_type="person",
                       target_id=person.id, organization_id=person.district_id, details=details)
    return person
