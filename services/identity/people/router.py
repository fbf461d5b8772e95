from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request, Response, status

from services.identity.deps import (
    ActingPrincipalDep,
    PageDep,
    PrincipalDep,
    SessionDep,
)
from services.identity.idempotency import (
    KEY_DESCRIPTION,
    REQUIRED_KEY_RESPONSES,
    IdempotencyKey,
    RequiredIdempotencyKey,
    idempotency,
    respond_once,
)
from services.identity.people import service
from services.identity.people.schemas import (
    MAX_BATCH,
    PersonCreate,
    PersonMatch,
    PersonMatchBatchResult,
    PersonMatchResult,
    PersonPublic,
    PersonUpdate,
)
from shared.denials import attempt_of
from shared.pagination import Page

router = APIRouter(tags=["people"])


@router.post("/people", response_model=PersonPublic, status_code=status.HTTP_201_CREATED,
             summary="Create a person",
             responses={200: {"model": PersonPublic,
                              "description": "The email's person, matched for your "
                                             "organizations"}},
             description="School, district and county are given by name: found "
                         "case-insensitively under their parent, or created and flagged "
                         "unverified. The person joins the people of the organizations you "
                         "manage. An email already in Cascade is 409 only when that person is "
                         "already among the people you see (the answer names no id); a person "
                         "outside them is matched for your organizations as a sign-in sheet "
                         "line is (`POST /people/matches`), unchanged, audited, and answered "
                         "200: no answer tells of a person you may not see. " + KEY_DESCRIPTION)
async def create_person(db: SessionDep, actor: PrincipalDep, body: PersonCreate,
                        request: Request, idempotency_key: IdempotencyKey = None) -> Response:
    async def create() -> tuple[int, dict]:
        person, created = await service.create_person(db, actor, body)
        answer = PersonPublic.model_validate(person).model_dump(mode="json")
        return (201 if created else 200), answer

    return await idempotency.respond(db, request, subject=actor.subject, key=idempotency_key,
                                     body=body.model_dump(mode="json"), action=create)


@router.post("/people/matches", response_model=PersonMatchResult,
             status_code=status.HTTP_200_OK, summary="Match or create a sign-in sheet person",
             responses={201: {"model": PersonMatchResult, "description": "Created"}})
async def create_person_match(db: SessionDep, actor: PrincipalDep, acting: ActingPrincipalDep,
                              body: PersonMatch, response: Response) -> PersonMatchResult:
    """The person with this email (200), or one created now (201), affiliated with the network.
    Called by a service with its own token and `Cascade-Acting-User: <the user's token>` once it
    has checked that the user facilitates the session, or by the network's staff directly. Only
    the network's staff (network admins, coordinators) create unverified schools and districts;
    for a facilitator a name that finds none is left unset."""
    person, created = await service.match_person(db, actor, acting, body)
    if created:
        response.status_code = status.HTTP_201_CREATED
    return PersonMatchResult(id=person.id, created=created)


MatchItems = Annotated[list[dict[str, Any]], Body(
    min_length=1, max_length=MAX_BATCH,
    description=f"Up to {MAX_BATCH} items, each the body of `POST /people/matches` "
                "(PersonMatch): email, full_name, role, school, district, county, network_id.")]


@router.post("/people/matches:batch", response_model=PersonMatchBatchResult,
             status_code=status.HTTP_200_OK, responses=REQUIRED_KEY_RESPONSES,
             summary="Match or create many sign-in sheet people at once",
             description="`POST /people/matches` for up to 1000 people in one transaction, "
                         "with the same authorization (checked for every network the items "
                         "name: one refused refuses the batch). Answered per item, in order: "
                         "`matched` or `created` with the id, or `error` with what is wrong "
                         "with that item, which stops no other. The Idempotency-Key header is "
                         "required (422 without it). " + KEY_DESCRIPTION)
async def create_person_matches(db: SessionDep, actor: PrincipalDep, acting: ActingPrincipalDep,
                                items: MatchItems, request: Request,
                                idempotency_key: RequiredIdempotencyKey) -> Response:
    async def match() -> tuple[int, dict]:
        answers = await service.match_batch(db, actor, acting, items)
        return 200, PersonMatchBatchResult.of(answers).model_dump(mode="json")

    # A service's key is its own for each user it acts for.
    subject = f"{actor.subject} for {acting.subject}"[:200] if acting else actor.subject
    return await idempotency.respond(db, request, subject=subject, key=idempotency_key,
                                     body=items, action=match)


@router.get("/people", response_model=Page[PersonPublic], summary="List people")
async def list_people(
    db: SessionDep, actor: PrincipalDep, page: PageDep, request: Request,
    ids: Annotated[str | None, Query(description="comma-separated person ids")] = None,
    email: Annotated[str | None, Query(max_length=320)] = None,
    q: Annotated[str | None, Query(max_length=200, description="text in name or email")] = None,
) -> Page[PersonPublic]:
    rows, cursor = await service.list_people(db, actor, page, ids=ids, email=email, q=q,
                                             attempt_of=partial(attempt_of, request))
    return Page(items=[PersonPublic.model_validate(r) for r in rows], next_cursor=cursor)


@router.get("/people/{person_id}", response_model=PersonPublic, summary="One person")
async def get_person(db: SessionDep, actor: PrincipalDep, person_id: str) -> PersonPublic:
    """The caller themself, or (for platform admins, network admins and coordinators) a person
    of an organization they hold that role in; anyone else is 404."""
    return PersonPublic.model_validate(await service.get_person(db, actor, person_id))


@router.patch("/people/{person_id}", response_model=PersonPublic, summary="Change a person",
              description="Name and role: the person, or those who may read them. School, "
                          "district and county: platform admins and the network admins of the "
                          "person's network only (403 otherwise), audited with the place before "
                          "and after. " + KEY_DESCRIPTION)
async def update_person(db: SessionDep, actor: PrincipalDep,
                        person_id: str, body: PersonUpdate, request: Request,
                        idempotency_key: IdempotencyKey = None) -> Response:
    return await respond_once(
        db, request, actor, idempotency_key,
        body=body.model_dump(mode="json", exclude_unset=True), status_code=200,
        work=lambda: service.update_person(db, actor, person_id, body),
        public=PersonPublic.model_validate)
