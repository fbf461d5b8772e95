"""HTTP for programs, their cohorts and their per-year corps size."""

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from services.scheduling.deps import IdentityDep, PageDep, PrincipalDep, SessionDep
from services.scheduling.idempotency.responses import KEY_DESCRIPTION, IdempotencyKey, respond
from services.scheduling.identity import check_first
from services.scheduling.programs import service
from services.scheduling.programs.schemas import (
    CohortEntryCreate,
    CohortEntryPublic,
    CohortRole,
    ProgramCreate,
    ProgramPublic,
    ProgramUpdate,
    ProgramYear,
    ProgramYearPublic,
)
from shared.pagination import Page

router = APIRouter(tags=["programs"])


@router.post("/programs", response_model=ProgramPublic, status_code=201,
             summary="Register a program",
             description="422 unknown_network when network_id names no network. "
                         + KEY_DESCRIPTION)
async def create_program(data: ProgramCreate, request: Request, db: SessionDep,
                         principal: PrincipalDep, identity: IdentityDep,
                         idempotency_key: IdempotencyKey = None) -> Response:
    service.require_manager(principal, data.network_id)  # the token says; identity is asked after
    await identity.require_network(data.network_id)

    async def create() -> tuple[int, dict]:
        program = await service.create_program(db, principal=principal, data=data)
        return 201, ProgramPublic.model_validate(program).model_dump(mode="json")

    return await respond(db, request, subject=principal.subject, key=idempotency_key,
                         body=data.model_dump(mode="json"), action=create)


@router.get("/programs", response_model=Page[ProgramPublic], summary="A network's programs")
async def list_programs(
    db: SessionDep, principal: PrincipalDep, page: PageDep,
    network_id: Annotated[str | None, Query(max_length=64)] = None,
) -> Page[ProgramPublic]:
    items, next_cursor = await service.list_programs(db, principal=principal, params=page,
                                                     network_id=network_id)
    return Page[ProgramPublic](items=[ProgramPublic.model_validate(p) for p in items],
                               next_cursor=next_cursor)


@router.get("/programs/{program_id}", response_model=ProgramPublic, summary="A program")
async def get_program(program_id: str, db: SessionDep, principal: PrincipalDep) -> ProgramPublic:
    program = await service.readable_program(db, principal=principal, program_id=program_id)
    return ProgramPublic.model_validate(program)


@router.patch("/programs/{program_id}", response_model=ProgramPublic, summary="Change a program",
              description=KEY_DESCRIPTION)
async def update_program(program_id: str, data: ProgramUpdate, request: Request, db: SessionDep,
                         principal: PrincipalDep,
                         idempotency_key: IdempotencyKey = None) -> Response:
    async def update() -> tuple[int, dict]:
        program = await service.update_program(db, principal=principal, program_id=program_id,
                                               data=data)
        return 200, ProgramPublic.model_validate(program).model_dump(mode="json")

    return await respond(db, request, subject=principal.subject, key=idempotency_key,
                         body=data.model_dump(mode="json", exclude_unset=True), action=update)


@router.post("/programs/{program_id}/cohort", response_model=CohortEntryPublic, status_code=201,
             summary="Add a leader or coach to a program year's cohort",
             description="A leader is also made a leader of the network for the program year "
                         "(July 1 to June 30), in identity and as the caller: when identity "
                         "refuses (only the network's admins grant leadership), so is the "
                         "entry. 422 unknown_person when no one in Cascade has the id. "
                         + KEY_DESCRIPTION)
async def create_cohort_entry(program_id: str, data: CohortEntryCreate, request: Request,
                              db: SessionDep, principal: PrincipalDep, identity: IdentityDep,
                              idempotency_key: IdempotencyKey = None) -> Response:
    # The program's managers, and only they, learn whether the person exists.
    await check_first(request.app.state.sessions, lambda check: service.managed_program(
        check, principal=principal, program_id=program_id))
    await identity.require_person(data.person_id)

    async def add() -> tuple[int, dict]:
        entry = await service.add_to_cohort(db, principal=principal, program_id=program_id,
                                            data=data, identity=identity,
                                            authorization=request.headers.get("authorization"),
                                            key=idempotency_key)
        return 201, CohortEntryPublic.model_validate(entry).model_dump(mode="json")

    return await respond(db, request, subject=principal.subject, key=idempotency_key,
                         body=data.model_dump(mode="json"), action=add)


@router.get("/programs/{program_id}/cohort", response_model=Page[CohortEntryPublic],
            summary="A program's cohort, optionally of one program year")
async def list_cohort_entries(
    program_id: str, db: SessionDep, principal: PrincipalDep, page: PageDep,
    program_year: Annotated[ProgramYear | None, Query(description='e.g. "2017-18"')] = None,
    role: CohortRole | None = None,
) -> Page[CohortEntryPublic]:
    items, next_cursor = await service.list_cohort(db, principal=principal, program_id=program_id,
                                                   params=page, program_year=program_year,
                                                   role=role)
    return Page[CohortEntryPublic](items=[CohortEntryPublic.model_validate(e) for e in items],
                                   next_cursor=next_cursor)


@router.delete("/programs/{program_id}/cohort/{entry_id}", status_code=204,
               response_class=Response, summary="Remove an entry from a program's cohort",
               description="A leader's membership of the network for that year goes with it. "
                           + KEY_DESCRIPTION)
async def delete_cohort_entry(program_id: str, entry_id: str, request: Request, db: SessionDep,
                              principal: PrincipalDep, identity: IdentityDep,
                              idempotency_key: IdempotencyKey = None) -> Response:
    async def remove() -> tuple[int, None]:
        await service.remove_from_cohort(db, principal=principal, program_id=program_id,
                                         entry_id=entry_id, identity=identity,
                                         authorization=request.headers.get("authorization"))
        return 204, None

    return await respond(db, request, subject=principal.subject, key=idempotency_key,
                         body=None, action=remove)


@router.get("/programs/{program_id}/years", response_model=Page[ProgramYearPublic],
            summary="Corps size per program year (July 1 to June 30)")
async def list_program_years(program_id: str, db: SessionDep,
                             principal: PrincipalDep) -> Page[ProgramYearPublic]:
    # A program spans a handful of school years: one page holds them all.
    years = await service.list_years(db, principal=principal, program_id=program_id)
    return Page[ProgramYearPublic](items=years)
