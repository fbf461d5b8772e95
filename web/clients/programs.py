"""Programs through the gateway: a network's programs, their cohorts per program year and the
corps size per year (scheduling's /programs routes)."""

from datetime import date
from typing import Any

from web.clients.base import ApiModel, GatewayClient, Page

BASE = "/api/scheduling/v1"


class Program(ApiModel):
    id: str
    network_id: str
    name: str
    description: str = ""
    starts_on: date
    ends_on: date
    status: str = "active"


class ProgramPage(Page):
    items: list[Program]


class CohortEntry(ApiModel):
    id: str
    program_id: str
    person_id: str
    program_year: str
    role: str
    membership_id: str | None = None  # a leader's membership of the network for that year


class CohortPage(Page):
    items: list[CohortEntry]


class ProgramYear(ApiModel):
    program_year: str
    leaders: int = 0
    coaches: int = 0

    @property
    def corps(self) -> int:
        return self.leaders + self.coaches


class ProgramYearPage(Page):
    items: list[ProgramYear]


class ProgramsClient:
    def __init__(self, gateway: GatewayClient) -> None:
        self.gateway = gateway

    async def list_programs(self, token: str, *, network_id: str | None = None) -> list[Program]:
        # A network runs a handful of programs: every page of them fits one list.
        return await self.gateway.every_page(ProgramPage, f"{BASE}/programs", token=token,
                                             params={"network_id": network_id})

    async def get_program(self, token: str, program_id: str) -> Program:
        return await self.gateway.get(Program, f"{BASE}/programs/{program_id}", token=token)

    async def create_program(self, token: str, body: dict[str, Any], *,
                             idempotency_key: str) -> Program:
        return await self.gateway.post(Program, f"{BASE}/programs", token=token, json=body,
                                       headers={"Idempotency-Key": idempotency_key})

    async def cohort(self, token: str, program_id: str) -> list[CohortEntry]:
        return await self.gateway.every_page(CohortPage, f"{BASE}/programs/{program_id}/cohort",
                                             token=token)

    async def add_to_cohort(self, token: str, program_id: str, body: dict[str, Any], *,
                            idempotency_key: str) -> CohortEntry:
        return await self.gateway.post(CohortEntry, f"{BASE}/programs/{program_id}/cohort",
                                       token=token, json=body,
                                       headers={"Idempotency-Key": idempotency_key})

    async def remove_from_cohort(self, token: str, program_id: str, entry_id: str) -> None:
        await self.gateway.send("DELETE", f"{BASE}/programs/{program_id}/cohort/{entry_id}",
                                token=token)

    async def years(self, token: str, program_id: str) -> list[ProgramYear]:
        return await self.gateway.every_page(ProgramYearPage,
                                             f"{BASE}/programs/{program_id}/years", token=token)
