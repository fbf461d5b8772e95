"""Every SQL statement of programs and their cohorts."""

from typing import Any

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.scheduling.programs.models import CohortEntry, Program
from shared.pagination import PageParams, fetch_page


async def add(db: AsyncSession, row: Program | CohortEntry) -> None:
    db.add(row)
    await db.flush()



async def delete(db: AsyncSession, row: CohortEntry) -> None:
    await db.delete(row)
    await db.flush()


async def get_program(db: AsyncSession, program_id: str) -> Program | None:
    return await db.get(Program, program_id)


async def get_entry(db: AsyncSession, entry_id: str) -> CohortEntry | None:
    return await db.get(CohortEntry, entry_id)


async def page_programs(db: AsyncSession, params: PageParams, *, visible_networks: set[str] | None,
                        network_id: str | None) -> tuple[list[Program], str | None]:
    """visible_networks None means every program (platform admin)."""
    statement: Any = select(Program)
    if visible_networks is not None:
        statement = statement.where(col(Program.network_id).in_(visible_networks))
    if network_id:
        statement = statement.where(Program.network_id == network_id)
    return await fetch_page(db, statement, Program.id, params)


async def page_cohort(db: AsyncSession, params: PageParams, *, program_id: str,
                      program_year: str | None, role: str | None
                      ) -> tuple[list[CohortEntry], str | None]:
    statement: Any = select(CohortEntry).where(CohortEntry.program_id == program_id)
    if program_year:
        statement = statement.where(CohortEntry.program_year == program_year)
    if role:
        statement = statement.where(CohortEntry.role == role)
    return await fetch_page(db, statement, CohortEntry.id, params)


async def counts_by_year(db: AsyncSession, program_id: str) -> dict[tuple[str, str], int]:
    """(program_year, role) -> people."""
    statement = (
        select(CohortEntry.program_year, CohortEntry.role, func.count())
        .where(CohortEntry.program_id == program_id)
        .group_by(col(CohortEntry.program_year), col(CohortEntry.role))
    )
    return {(year, role): count for year, role, count in (await db.exec(statement)).all()}
