"""Reach through the gateway: a network's figures in a window, their breakdowns by any dimension,
the cascade's generations, growth per school year, and any of these as CSV. Every call takes the
same filters (county, role, subject, ...): the API refuses one it does not know."""

from collections.abc import Mapping
from datetime import date, datetime

from web.clients.base import ApiModel, GatewayClient

BASE = "/api/reach/v1"
SETS = ("direct", "conference", "indirect", "total")


# A figure is None when it is withheld from this caller (a cell below the minimum size).
class Footprint(ApiModel):
    schools: int | None = None
    districts: int | None = None
    counties: int | None = None


class Generation(ApiModel):
    generation: int
    people: int | None = None
    facilitators: int | None = None
    multiplier: float | None = None


class Multipliers(ApiModel):
    direct_per_active_leader: float | None = None
    total_per_leader: float | None = None


class Depth(ApiModel):
    sessions_per_person: float | None = None
    median_sessions_per_person: float | None = None
    session_ii_return_rate: float | None = None
    completion_rate: float | None = None
    repeat_attendance: float | None = None
    pd_hours: float | None = None


class Answer(ApiModel):
    """What every answer states beside its figures."""

    network_id: str | None = None
    filters: dict[str, str] = {}
    as_of: datetime | None = None
    variant: str = ""
    disclosure: str = "exact"
    min_cell_size: int | None = None
    definitions: dict[str, str] = {}


class Summary(Answer):
    leaders: int | None = None
    active_leaders: int | None = None
    direct: int | None = None
    direct_multi_session: int | None = None
    direct_returned: int | None = None
    conference: int | None = None
    indirect: int | None = None
    total: int | None = None
    schools: int | None = None
    districts: int | None = None
    counties: int | None = None
    sessions: int | None = None
    pd_hours: float | None = None
    generations: list[Generation] = []
    footprint: dict[str, Footprint] = {}
    multipliers: Multipliers = Multipliers()
    depth: Depth = Depth()
    suppressed: list[str] = []


class BreakdownRow(ApiModel):
    key: str | None = None
    label: str | None = None
    leaders: int | None = None
    direct: int | None = None
    direct_multi_session: int | None = None
    direct_returned: int | None = None
    conference: int | None = None
    indirect: int | None = None
    total: int | None = None
    schools: int | None = None
    districts: int | None = None
    counties: int | None = None
    pd_hours: float | None = None
    shares: dict[str, float | None] = {}
    penetration: float | None = None
    suppressed: bool = False


class Breakdown(Answer):
    dimension: str
    rows: list[BreakdownRow] = []

    @property
    def largest(self) -> int:
        return max((row.total or 0 for row in self.rows), default=0)


class Lineage(ApiModel):
    generation: int
    facilitator_role: str | None = None
    facilitators: int | None = None
    reached: int | None = None
    reached_roles: dict[str, int | None] = {}


class Cascade(Answer):
    leader: bool = False
    leaders: int | None = None
    generations: list[Generation] = []
    lineage: list[Lineage] = []


class GrowthYear(ApiModel):
    school_year: str
    new: dict[str, int | None] = {}
    cumulative: dict[str, int | None] = {}
    leaders: int | None = None
    active_leaders: int | None = None
    role_mix: dict[str, float | None] = {}


class Growth(Answer):
    years: list[GrowthYear] = []


class Csv(ApiModel):
    text: str
    disposition: str


class ReachClient:
    def __init__(self, gateway: GatewayClient) -> None:
        self.gateway = gateway

    @staticmethod
    def _params(network_id: str, start: date, end: date,
                filters: Mapping[str, str] | None, **more: str | None) -> dict:
        return {"network_id": network_id, "from": start.isoformat(), "to": end.isoformat(),
                **(filters or {}), **more}

    async def summary(self, token: str, *, network_id: str, start: date, end: date,
                      filters: Mapping[str, str] | None = None) -> Summary:
        return await self.gateway.get(Summary, f"{BASE}/summary", token=token,
                                      params=self._params(network_id, start, end, filters))

    async def breakdown(self, token: str, *, network_id: str, start: date, end: date,
                        dimension: str, filters: Mapping[str, str] | None = None) -> Breakdown:
        return await self.gateway.get(
            Breakdown, f"{BASE}/breakdown", token=token,
            params=self._params(network_id, start, end, filters, dimension=dimension))

    async def cascade(self, token: str, *, network_id: str, start: date, end: date,
                      filters: Mapping[str, str] | None = None,
                      leader_id: str | None = None) -> Cascade:
        return await self.gateway.get(
            Cascade, f"{BASE}/cascade", token=token,
            params=self._params(network_id, start, end, filters, leader_id=leader_id))

    async def growth(self, token: str, *, network_id: str, start: date, end: date,
                     filters: Mapping[str, str] | None = None) -> Growth:
        return await self.gateway.get(Growth, f"{BASE}/growth", token=token,
                                      params=self._params(network_id, start, end, filters))

    async def export_csv(self, token: str, *, network_id: str, start: date, end: date,
                         table: str, dimension: str | None = None,
                         filters: Mapping[str, str] | None = None) -> Csv:
        response = await self.gateway.send(
            "GET", f"{BASE}/export.csv", token=token, headers={"Accept": "text/csv"},
            params=self._params(network_id, start, end, filters, table=table,
                                dimension=dimension))
        name = f"reach-{table}-{start}-{end}.csv"
        return Csv(text=response.text, disposition=response.headers.get(
            "content-disposition", f'attachment; filename="{name}"'))
