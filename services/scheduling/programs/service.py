"""Rules for programs and their cohorts: who may register and read them, which years they span,
and what is published for reach."""

from datetime import date
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from services.scheduling import access
from services.scheduling.access import Target
from services.scheduling.db import OutboxEvent
from services.scheduling.identity import Identity
from services.scheduling.programs import repository
from services.scheduling.programs.errors import (
    AlreadyInCohort,
    CohortEntryNotFound,
    CohortOutsideDates,
    ProgramNotFound,
    ProgramYearOutside,
)
from services.scheduling.programs.models import CohortEntry, Program
from services.scheduling.programs.schemas import (
    CohortEntryCreate,
    ProgramCreate,
    ProgramUpdate,
    ProgramYearPublic,
    school_year,
    year_bounds,
    year_of,
)
from shared.auth import Principal
from shared.dates import FIRST_YEAR, LAST_YEAR
from shared.db import insert_unless_duplicate, utcnow
from shared.errors import Forbidden, InvalidInput
from shared.outbox import publish
from shared.pagination import PageParams

# Programs and their cohorts are registered by the network's admins and coordinators; leaders
# run events but do not enrol each other.
MANAGER_ROLES = ("network_admin", "coordinator")
# Analysts read programs too: corps size per program year is one of the figures they report.
READER_ROLES = (*access.STAFF_ROLES, "analyst")


def _may_read(principal: Principal | None, network_id: str) -> bool:
    return principal is not None and principal.has_role(network_id, *READER_ROLES)


def require_manager(principal: Principal, network_id: str, *, target: Target | None = None
                    ) -> None:
    """Refuses all but the network's managers, audited on `target` (the network by default)."""
    if not principal.has_role(network_id, *MANAGER_ROLES):
        raise Forbidden("Only the network's admins and coordinators manage its programs."
                        ).denying(*(target or ("network", network_id)), network_id)


def _program_payload(program: Program) -> dict[str, Any]:
    return {"id": program.id, "network_id": program.network_id, "name": program.name,
            "starts_on": program.starts_on.isoformat(), "ends_on": program.ends_on.isoformat(),
            "status": program.status}


def _entry_payload(entry: CohortEntry) -> dict[str, Any]:
    return {"id": entry.id, "program_id": entry.program_id, "network_id": entry.network_id,
            "person_id": entry.person_id, "program_year": entry.program_year, "role": entry.role}


def _overlaps(program_year: str, starts_on: date, ends_on: date) -> bool:
    first, last = year_bounds(program_year)
    return first <= ends_on and last >= starts_on


def program_years(program: Program) -> list[str]:
    """Every school year the program's dates touch, in order (within the years the API
    accepts: a program stored before dates were bounded lists only those)."""
    first, last = int(year_of(program.starts_on)[:4]), int(year_of(program.ends_on)[:4])
    return [school_year(y) for y in range(max(first, FIRST_YEAR - 1), min(last, LAST_YEAR) + 1)]


async def create_program(db: AsyncSession, *, principal: Principal, data: ProgramCreate) -> Program:
    require_manager(principal, data.network_id)
    program = Program(**data.model_dump())
    await repository.add(db, program)
    await publish(db, OutboxEvent, topic="program.created", key=program.id,
                  payload=_program_payload(program))
    return program


async def readable_program(db: AsyncSession, *, principal: Principal | None,
                           program_id: str) -> Program:
    """The program, or 404 when it does not exist or the caller may not read it."""
    program = await repository.get_program(db, program_id)
    if program is None:
        raise ProgramNotFound()
    if not _may_read(principal, program.network_id):
        raise ProgramNotFound().denying("program", program.id, program.network_id)
    return program


async def managed_program(db: AsyncSession, *, principal: Principal, program_id: str) -> Program:
    program = await readable_program(db, principal=principal, program_id=program_id)
    require_manager(principal, program.network_id, target=("program", program.id))
    return program


async def list_programs(db: AsyncSession, *, principal: Principal, params: PageParams,
                        network_id: str | None) -> tuple[list[Program], str | None]:
    if network_id and not _may_read(principal, network_id):
        raise Forbidden("Only the network's staff and analysts read its programs."
                        ).denying("network", network_id, network_id)
    visible = None if principal.is_platform_admin else principal.organizations_with(*READER_ROLES)
    return await repository.page_programs(db, params, visible_networks=visible,
                                          network_id=network_id)


async def update_program(db: AsyncSession, *, principal: Principal, program_id: str,
                         data: ProgramUpdate) -> Program:
    program = await managed_program(db, principal=principal, program_id=program_id)
    changes = data.model_dump(exclude_unset=True)
    for name, value in changes.items():
        if value is None:
            raise InvalidInput(f"{name} cannot be null.")
    starts_on = changes.get("starts_on", program.starts_on)
    ends_on = changes.get("ends_on", program.ends_on)
    if ends_on < starts_on:
        raise InvalidInput("ends_on must not be before starts_on.")
    counts = await repository.counts_by_year(db, program.id)
    stranded = sorted({year for year, _ in counts if not _overlaps(year, starts_on, ends_on)})
    if stranded:
        raise CohortOutsideDates(
            f"Cohort entries in {', '.join(stranded)} would fall outside the program; "
            "remove them first."
        )
    for name, value in changes.items():
        setattr(program, name, value)
    program.updated_at = utcnow()
    await repository.add(db, program)
    await publish(db, OutboxEvent, topic="program.updated", key=program.id,
                  payload=_program_payload(program))
    return program


async def add_to_cohort(db: AsyncSession, *, principal: Principal, program_id: str,
                        data: CohortEntryCreate, identity: Identity, authorization: str | None,
                        key: str | None = None) -> CohortEntry:
    """A leader's entry is also their leader membership of the network for that program year,
    granted in identity as the caller, whose `authorization` it is (one meaning of "leader":
    identity is the one store of who leads whom); when identity refuses, so is the entry. `key`
    makes a retried request grant it once."""
    program = await managed_program(db, principal=principal, program_id=program_id)
    if not _overlaps(data.program_year, program.starts_on, program.ends_on):
        raise ProgramYearOutside(
            f"{data.program_year} is outside {program.name!r} "
            f"({program.starts_on.isoformat()} to {program.ends_on.isoformat()})."
        )
    entry = CohortEntry(program_id=program.id, network_id=program.network_id, **data.model_dump())
    if not await insert_unless_duplicate(db, entry):  # already in that year of the program
        raise AlreadyInCohort(f"This person is already in the {data.program_year} cohort.")
    if entry.role == "leader":
        starts_on, ends_on = year_bounds(entry.program_year)
        entry.membership_id = await identity.grant_leader(
            network_id=program.network_id, person_id=entry.person_id, starts_on=starts_on,
            ends_on=ends_on, key=f"cohort:{program.id}:{key or entry.id}",
            authorization=authorization)
        await repository.add(db, entry)
    await publish(db, OutboxEvent, topic="cohort.added", key=entry.id,
                  payload=_entry_payload(entry))
    return entry


async def remove_from_cohort(db: AsyncSession, *, principal: Principal, program_id: str,
                             entry_id: str, identity: Identity, authorization: str | None
                             ) -> None:
    """The leadership the entry granted is taken back with it."""
    program = await managed_program(db, principal=principal, program_id=program_id)
    entry = await repository.get_entry(db, entry_id)
    if entry is None or entry.program_id != program.id:
        raise CohortEntryNotFound("No such entry in this program's cohort.")
    payload = _entry_payload(entry)
    if entry.membership_id:
        await identity.take_back_membership(
            network_id=program.network_id, membership_id=entry.membership_id,
            key=f"cohort-removal:{entry.id}", authorization=authorization)
    await repository.delete(db, entry)
    await publish(db, OutboxEvent, topic="cohort.removed", key=entry_id, payload=payload)


async def list_cohort(db: AsyncSession, *, principal: Principal, program_id: str,
                      params: PageParams, program_year: str | None, role: str | None
                      ) -> tuple[list[CohortEntry], str | None]:
    program = await readable_program(db, principal=principal, program_id=program_id)
    return await repository.page_cohort(db, params, program_id=program.id,
                                        program_year=program_year, role=role)


async def list_years(db: AsyncSession, *, principal: Principal,
                     program_id: str) -> list[ProgramYearPublic]:
    program = await readable_program(db, principal=principal, program_id=program_id)
    counts = await repository.counts_by_year(db, program.id)
    years = []
    for year in program_years(program):
        first, last = year_bounds(year)
        years.append(ProgramYearPublic(
            program_year=year, starts_on=first, ends_on=last,
            leaders=counts.get((year, "leader"), 0), coaches=counts.get((year, "coach"), 0),
        ))
    return years
