from functools import partial
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status

from services.identity.deps import (
    ActingPrincipalDep,
    PageDep,
    PrincipalDep,
    SessionDep,
)
from services.identity.idempotency import KEY_DESCRIPTION, IdempotencyKey, idempotency, respond_once
from services.identity.people import service
from services.identity.people.schemas import (
    PersonCreate,
    PersonMatch,
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
