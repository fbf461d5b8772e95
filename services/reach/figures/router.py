from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from services.reach.deps import CallerDep, SessionDep, SettingsDep
from services.reach.engine.provider import EngineDep
from services.reach.errors import NetworkNotFound, NotAllowedForNetwork, UnknownFilter
from services.reach.figures import service
from services.reach.figures.audit import record_partner_query
from services.reach.figures.questions import (
    CHOICES,
    DIMENSIONS,
    FILTERS,
    Question,
)
from services.reach.figures.schemas import (
    BreakdownPublic,
    CascadePublic,
    GrowthPublic,
    SummaryPublic,
)
from shared.dates import Day
from shared.openapi import problem_responses

router = APIRouter(tags=["figures"])

# Names and ids are printable text: a control character is a 422, not a filter matching nothing.
PRINTABLE = r"^[^\x00-\x1f\x7f]+$"

NetworkId = Annotated[str, Query(min_length=1, max_length=64, pattern=PRINTABLE,
                                 description="the network's id",
                                 examples=["01JBNETWORK0000000000000000"])]
# Days as every Cascade API takes them: a date in year 9999 is a 422 (shared/dates.py).
From = Annotated[Day, Query(alias="from", description="first day of the window (inclusive); "
                             "partners: the first day of a month", examples=["2025-07-01"])]
To = Annotated[Day, Query(description="last day of the window (inclusive); partners: the last "
                           "day of a month", examples=["2026-06-30"])]
Dimension = Annotated[str, Query(max_length=40, description="what the rows are",
                                 json_schema_extra={"enum": list(DIMENSIONS)})]
# Every route names a network: 404 when none has the id (after the caller was authorized).
NETWORK_NOT_FOUND = problem_responses(NetworkNotFound)
ROUTE_PARAMETERS = {"network_id", "from", "to", "dimension", "leader_id", "table"}


def _choice(name: str, description: str):
    return Query(description=description,
                 json_schema_extra={"enum": list(CHOICES[name])})


async def question(
    request: Request, network_id: NetworkId, from_: From, to: To,
    county: Annotated[str | None, Query(min_length=1, max_length=120, pattern=PRINTABLE,
                                        description="a county's name, e.g. Fresno")] = None,
    district: Annotated[str | None, Query(min_length=1, max_length=64, pattern=PRINTABLE,
                                          description="a district's organization id")] = None,
    school: Annotated[str | None, Query(min_length=1, max_length=64, pattern=PRINTABLE,
                                        description="a school's organization id")] = None,
    role: Annotated[str | None, _choice("role", "the person's role")] = None,
    high_poverty: Annotated[str | None, _choice("high_poverty", "school (else district) "
                                                "free or reduced-price meals over 51%")] = None,
    el_serving: Annotated[str | None, _choice("el_serving", "English learners 25% or more")
                          ] = None,
    rural: Annotated[str | None, _choice("rural", "rural or isolated locale")] = None,
    subject: Annotated[str | None, _choice("subject", "the event's subject")] = None,
    grade_span: Annotated[str | None, _choice("grade_span", "events whose grades overlap")
                          ] = None,
    event_kind: Annotated[str | None, _choice("event_kind", "the event's kind")] = None,
    school_year: Annotated[str | None, _choice("school_year", "July 1 to June 30")] = None,
    program_year: Annotated[str | None, _choice("program_year", "July 1 to June 30")] = None,
    program_id: Annotated[str | None, Query(min_length=1, max_length=64, pattern=PRINTABLE,
                                            description="events of one program")] = None,
) -> Question:
    unknown = sorted(set(request.query_params) - ROUTE_PARAMETERS - set(FILTERS))
    if unknown:  # a misspelt filter must not silently give the unfiltered figures
        raise UnknownFilter(f"{', '.join(unknown)}: not a filter of reach; filters are "
                            f"{', '.join(FILTERS)}.", supported=list(FILTERS))
    given = {"county": county, "district": district, "school": school, "role": role,
             "high_poverty": high_poverty, "el_serving": el_serving, "rural": rural,
             "subject": subject, "grade_span": grade_span, "event_kind": event_kind,
             "school_year": school_year, "program_year": program_year, "program_id": program_id}
    return Question(network_id=network_id, start=from_, end=to,
                    filters={k: v for k, v in given.items() if v is not None})


QuestionDep = Annotated[Question, Depends(question)]


async def _asked(db, caller, settings, q: Question, request: Request,
                 dimension: str | None = None) -> service.Asked:
    exact = caller.sees_exact_figures(q.network_id)
    asked = await service.asked(db, q, exact=exact, default_min_cell_size=settings.min_cell_size)
    if not exact:
        await record_partner_query(db, subject=caller.principal.subject, path=request.url.path,
                                   question=q, dimension=dimension)
    return asked


@router.get("/summary", responses=NETWORK_NOT_FOUND, response_model=SummaryPublic,
            summary="Reach of a network in a window, optionally filtered by any dimension")
async def get_summary(request: Request, db: SessionDep, caller: CallerDep,
                      settings: SettingsDep, engine: EngineDep, q: QuestionDep) -> SummaryPublic:
    return await service.summary(db, engine, await _asked(db, caller, settings, q, request))


@router.get("/breakdown", responses=NETWORK_NOT_FOUND, response_model=BreakdownPublic,
            summary="The figures by one dimension, one row per value, with shares")
async def get_breakdown(request: Request, db: SessionDep, caller: CallerDep,
                        settings: SettingsDep, engine: EngineDep, q: QuestionDep,
                        dimension: Dimension) -> BreakdownPublic:
    asked = await _asked(db, caller, settings, q, request, dimension)
    return await service.breakdown(db, engine, asked, dimension=dimension)


@router.get("/cascade", responses=NETWORK_NOT_FOUND, response_model=CascadePublic,
            summary="Generations of reach from the whole network or from one leader")
async def get_cascade(
    request: Request, db: SessionDep, caller: CallerDep, settings: SettingsDep, engine: EngineDep,
    q: QuestionDep,
    leader_id: Annotated[str | None, Query(min_length=1, max_length=64, pattern=PRINTABLE,
                                           description="trace one leader's cascade (network "
                                                       "staff only)")] = None,
) -> CascadePublic:
    asked = await _asked(db, caller, settings, q, request)
    if leader_id is not None and not asked.disclosure.exact:
        raise NotAllowedForNetwork("Partners read the network's cascade, not one person's.")
    return await service.cascade(db, engine, asked, leader_id=leader_id)


@router.get("/growth", responses=NETWORK_NOT_FOUND, response_model=GrowthPublic,
            summary="New and cumulative reach, corps size and role mix per school year")
async def get_growth(request: Request, db: SessionDep, caller: CallerDep,
                     settings: SettingsDep, engine: EngineDep, q: QuestionDep) -> GrowthPublic:
    return await service.growth(db, engine, await _asked(db, caller, settings, q, request))


@router.get("/export.csv", summary="Any of the figures as CSV",
            response_class=Response,
            responses={200: {"content": {"text/csv": {}}, "description": "the table as CSV"},
                       **NETWORK_NOT_FOUND})
async def export_csv(
    request: Request, db: SessionDep, caller: CallerDep, settings: SettingsDep, engine: EngineDep,
    q: QuestionDep,
    table: Annotated[Literal["summary", "breakdown", "cascade", "growth"],
                     Query(description="which answer")] = "breakdown",
    dimension: Annotated[str, Query(max_length=40, description="for table=breakdown",
                                    json_schema_extra={"enum": list(DIMENSIONS)})] = "county",
) -> Response:
    asked = await _asked(db, caller, settings, q, request,
                         dimension if table == "breakdown" else None)
    if table == "summary":
        text = service.summary_csv(await service.summary(db, engine, asked))
    elif table == "cascade":
        text = service.cascade_csv(await service.cascade(db, engine, asked, leader_id=None))
    elif table == "growth":
        text = service.growth_csv(await service.growth(db, engine, asked))
    else:
        text = service.breakdown_csv(await service.breakdown(db, engine, asked,
                                                             dimension=dimension))
    name = f"reach-{table}{'-' + dimension if table == 'breakdown' else ''}-{q.start}-{q.end}.csv"
    return Response(text, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
