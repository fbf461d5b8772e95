"""People: educators, most of whom first appear on a sign-in sheet."""

from collections.abc import Callable
from typing import Any

from pydantic import ValidationError
from sqlmodel.ext.asyncio.session import AsyncSession

from services.identity import access
from services.identity.audit import service as audit
from services.identity.db import OutboxEvent
from services.identity.errors import EmailTaken, PersonNotFound
from services.identity.organizations.service import (
    NamedPlaces,
    Place,
    get_organization,
    named_places,
    resolve_place,
)
from services.identity.people import repository
from services.identity.people.models import Person
from services.identity.people.schemas import MatchAnswer, PersonCreate, PersonMatch, PersonUpdate
from shared.auth import Principal
from shared.db import insert_all_unless_duplicate
from shared.denials import Attempt, Denied
from shared.errors import CascadeError, Forbidden, InvalidInput
from shared.outbox import publish, publish_all
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
    [outcome] = await match_people(db, actor, acting, [data])
    if isinstance(outcome, CascadeError):
        raise outcome
    return outcome


def _validation_message(exc: ValidationError) -> str:
    return "; ".join(f"{'.'.join(str(part) for part in error['loc']) or 'item'}: {error['msg']}"
                     for error in exc.errors())[:500]


async def match_batch(db: AsyncSession, actor: Principal, acting: Principal | None,
                      items: list[Any]) -> list[MatchAnswer]:
    """match_person for each item of a batch, in one transaction, answered in order: an item
    that is not a valid match is answered with what is wrong with it and stops no other."""
    answers: list[MatchAnswer | None] = [None] * len(items)
    valid: list[tuple[int, PersonMatch]] = []
    for index, item in enumerate(items):
        try:
            valid.append((index, PersonMatch.model_validate(item)))
        except ValidationError as exc:
            answers[index] = MatchAnswer(status="error", message=_validation_message(exc))
    outcomes = await match_people(db, actor, acting, [data for _index, data in valid])
    for (index, _data), outcome in zip(valid, outcomes, strict=True):
        answers[index] = (
            MatchAnswer(status="error", message=outcome.detail)
            if isinstance(outcome, CascadeError)
            else MatchAnswer(status="created" if outcome[1] else "matched", id=outcome[0].id))
    return [answer for answer in answers if answer is not None]


async def _match_powers(db: AsyncSession, actor: Principal, acting: Principal | None,
                        network_ids: set[str]) -> dict[str, str]:
    """What the caller may do for each network ("staff" or "facilitator"); refused as a whole
    when one network is not theirs (or not a network identity knows)."""
    powers = {}
    for network_id in sorted(network_ids):
        power = access.match_powers(actor, acting, network_id)
        access.require(power is not None,
                       "Only this network's staff, or a service acting for one of its "
                       "facilitators, match people for it.", organization_id=network_id)
        powers[(await get_organization(db, network_id)).id] = power
    return powers


async def match_people(db: AsyncSession, actor: Principal, acting: Principal | None,
                       people: list[PersonMatch]) -> list[tuple[Person, bool] | CascadeError]:
    """match_person for many at once, for a whole sign-in sheet: a few queries and one flush per
    kind of row for all of them, not several statements each. Each answer is the person and
    whether they were created, or the error that refused that one alone."""
    powers = await _match_powers(db, actor, acting, {data.network_id for data in people})
    # The user the change is audited as (match_powers refused a service acting for no one).
    user = acting if actor.is_service and acting is not None else actor
    known = await repository.by_emails(db, {data.email for data in people})
    places: dict[tuple, Place | CascadeError] = {}
    names = await named_places(db, [(data.school, data.district) for data in people
                                    if data.email not in known])
    outcomes: list[tuple[Person, bool] | CascadeError] = []
    created: list[Person] = []
    for data in people:
        person = known.get(data.email)
        if person is not None:
            outcomes.append((person, False))
            continue
        create = powers[data.network_id] == "staff"
        wanted = (data.school, data.district, data.county, create)
        if wanted not in places:
            places[wanted] = await _place(db, *wanted, names)
        place = places[wanted]
        if isinstance(place, CascadeError):
            outcomes.append(place)
            continue
        person = Person(email=data.email, full_name=data.full_name.strip(), role=data.role.value,
                        school_id=place.school_id, district_id=place.district_id,
                        county=place.county)
        known[data.email] = person  # the same email again in the batch is a match
        created.append(person)
        outcomes.append((person, True))
    if not await insert_all_unless_duplicate(db, created):
        # Someone created one of them since we looked: take them one at a time.
        outcomes = [await _add_one(db, outcome) for outcome in outcomes]
        created = [o[0] for o in outcomes if not isinstance(o, CascadeError) and o[1]]
    await publish_all(db, OutboxEvent, [("person.created", person.id, event_payload(person))
                                        for person in created])
    await _affiliate_all(db, [(outcome[0].id, data.network_id)
                              for data, outcome in zip(people, outcomes, strict=True)
                              if not isinstance(outcome, CascadeError)])
    await audit.record_all(db, [
        _match_audit(user, actor, data.network_id, *outcome)
        for data, outcome in zip(people, outcomes, strict=True)
        if not isinstance(outcome, CascadeError)])
    return outcomes


async def _place(db: AsyncSession, school: str | None, district: str | None,
                 county: str | None, create: bool, names: NamedPlaces) -> Place | CascadeError:
    try:
        async with db.begin_nested():
            return await resolve_place(db, school=school, district=district, county=county,
                                       create=create, places=names)
    except CascadeError as exc:
        return exc


async def _add_one(db: AsyncSession, outcome: tuple[Person, bool] | CascadeError
                   ) -> tuple[Person, bool] | CascadeError:
    """One outcome of match_people again, its new person inserted alone: matched after all
    when a concurrent import created them first."""
    if isinstance(outcome, CascadeError) or not outcome[1]:
        return outcome
    person = outcome[0]
    email = person.email
    if await repository.add_unless_taken(db, person):
        return person, True
    found = await repository.by_email(db, email)
    return (found, False) if found is not None else EmailTaken(
        f"A person with email {email} is being created by another request; try again.")


async def _affiliate_all(db: AsyncSession, pairs: list[tuple[str, str]]) -> None:
    await repository.affiliate_all(db, dict.fromkeys(pairs, "match"))


def _match_audit(user: Principal, actor: Principal, network_id: str, person: Person,
                 created: bool) -> dict[str, Any]:
    """The audit row of one match, as audit.record_all takes it."""
    details = {"via": actor.subject, "network_id": network_id}
    if created:
        details |= {"school_id": person.school_id, "district_id": person.district_id}
    return {"actor_subject": user.subject,
            "action": "person.create" if created else "person.match",
            "target_type": "person", "target_id": person.id, "organization_id": network_id,
            "details": details}


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
