from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from services.reach.deps import CallerDep, SessionDep, SettingsDep
from services.reach.figures import service
from services.reach.figures.schemas import BreakdownPublic, SummaryPublic

router = APIRouter(tags=["figures"])

NetworkId = Annotated[str, Query(min_length=1, max_length=64, description="the network's id")]
From = Annotated[date, Query(alias="from", description="first day of the window (inclusive)")]
To = Annotated[date, Query(description="last day of the window (inclusive)")]


@router.get("/summary", response_model=SummaryPublic, summary="Reach of a network in a window")
async def get_summary(db: SessionDep, caller: CallerDep, settings: SettingsDep,
                      network_id: NetworkId, from_: From, to: To) -> SummaryPublic:
    exact = caller.sees_exact_figures(network_id)
    return await service.summary(db, network_id=network_id, start=from_, end=to, exact=exact,
                                 default_min_cell_size=settings.min_cell_size)


@router.get("/breakdown", response_model=BreakdownPublic,
            summary="Reach of a network in a window, by county, district, school or role")
async def get_breakdown(
    db: SessionDep, caller: CallerDep, settings: SettingsDep, network_id: NetworkId,
    from_: From, to: To,
    dimension: Annotated[str, Query(max_length=40, description="county, district, school or role",
                                    json_schema_extra={"enum": list(service.DIMENSIONS)})],
) -> BreakdownPublic:
    exact = caller.sees_exact_figures(network_id)
    return await service.breakdown(db, network_id=network_id, start=from_, end=to,
                                   dimension=dimension, exact=exact,
                                   default_min_cell_size=settings.min_cell_size)
