"""Reach through the gateway: the summary figures of a network and their breakdowns."""

from datetime import date, datetime

from web.clients.base import ApiModel, GatewayClient

BASE = "/api/reach/v1"


# A figure is None when it is withheld from this caller (a cell below the minimum size).
class Footprint(ApiModel):
    schools: int | None = None
    districts: int | None = None
    counties: int | None = None


class Summary(ApiModel):
    network_id: str | None = None
    leaders: int | None = None
    direct: int | None = None
    conference: int | None = None
    indirect: int | None = None
    total: int | None = None
    schools: int | None = None
    districts: int | None = None
    counties: int | None = None
    sessions: int = 0
    pd_hours: float = 0
    as_of: datetime | None = None
    footprint: dict[str, Footprint] = {}
    definitions: dict[str, str] = {}


class BreakdownRow(ApiModel):
    key: str | None = None
    label: str | None = None
    direct: int | None = None
    conference: int | None = None
    indirect: int | None = None
    total: int | None = None
    suppressed: bool = False


class Breakdown(ApiModel):
    dimension: str
    rows: list[BreakdownRow] = []

    @property
    def largest(self) -> int:
        return max((row.total or 0 for row in self.rows), default=0)


class ReachClient:
    def __init__(self, gateway: GatewayClient) -> None:
        self.gateway = gateway

    async def summary(self, token: str, *, network_id: str, start: date, end: date) -> Summary:
        return await self.gateway.get(
            Summary, f"{BASE}/summary", token=token,
            params={"network_id": network_id, "from": start.isoformat(), "to": end.isoformat()},
        )

    async def breakdown(self, token: str, *, network_id: str, start: date, end: date,
                        dimension: str) -> Breakdown:
        return await self.gateway.get(
            Breakdown, f"{BASE}/breakdown", token=token,
            params={"network_id": network_id, "from": start.isoformat(), "to": end.isoformat(),
                    "dimension": dimension},
        )
