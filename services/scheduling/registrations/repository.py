"""Every SQL statement of registrations."""

from datetime import datetime

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.scheduling.attendance.models import Attendance
from services.scheduling.registrations.models import Registration
from shared.pagination import PageParams, fetch_page


async def get(db: AsyncSession, registration_id: str) -> Registration | None:
    statement = select(Registration).where(Registration.id == registration_id).execution_options(
        populate_existing=True
    )
    return (await db.exec(statement)).first()


async def find(db: AsyncSession, *, session_id: str, person_id: str) -> Registration | None:
    statement = select(Registration).where(
        Registration.session_id == session_id, Registration.person_id == person_id
    ).execution_options(populate_existing=True)
    return (await db.exec(statement)).first()


async def live_in_slot(db: AsyncSession, *, slot_id: str, person_id: str) -> Registration | None:
    statement = select(Registration).where(
        Registration.slot_id == slot_id, Registration.person_id == person_id,
        Registration.status != "cancelled",
    )
    return (await db.exec(statement)).first()


async def insert(db: AsyncSession, registration: Registration) -> None:
    db.add(registration)
    await db.flush()


async def save(db: AsyncSession, registration: Registration) -> None:
    db.add(registration)
    await db.flush()


async def reactivate(db: AsyncSession, registration_id: str, *, status: str,
                     waitlist_position: int | None, person_name: str, person_email: str,
                     updated_at: datetime) -> bool:
    """Bring a cancelled row back; False when it is no longer cancelled (a concurrent sign-up
    of the same person won)."""
    result = await db.exec(
        update(Registration)
        .where(col(Registration.id) == registration_id, col(Registration.status) == "cancelled")
        .values(status=status, waitlist_position=waitlist_position, person_name=person_name,
                person_email=person_email, updated_at=updated_at)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


async def first_waitlisted(db: AsyncSession, session_id: str) -> Registration | None:
    statement = (
        select(Registration)
        .where(Registration.session_id == session_id, Registration.status == "waitlisted")
        .order_by(col(Registration.waitlist_position), col(Registration.id))
        .limit(1)
        .execution_options(populate_existing=True)
    )
    return (await db.exec(statement)).first()


async def close_waitlist_gap(db: AsyncSession, *, session_id: str, position: int) -> None:
    """Everyone behind the position that left moves up one place."""
    await db.exec(
        update(Registration)
        .where(col(Registration.session_id) == session_id, col(Registration.status) == "waitlisted",
               col(Registration.waitlist_position) > position)
        .values(waitlist_position=col(Registration.waitlist_position) - 1)
        .execution_options(synchronize_session=False)
    )


async def page_of_session(db: AsyncSession, params: PageParams, *, session_id: str,
                          status: str | None, attended: bool | None = None
                          ) -> tuple[list[Registration], str | None]:
    statement = select(Registration).where(Registration.session_id == session_id)
    if status:
        statement = statement.where(Registration.status == status)
    if attended is not None:
        present = select(Attendance.person_id).where(Attendance.session_id == session_id)
        statement = statement.where(col(Registration.person_id).in_(present) if attended
                                    else col(Registration.person_id).not_in(present))
    return await fetch_page(db, statement, Registration.id, params)


async def page_of_person(db: AsyncSession, params: PageParams, *, person_id: str,
                         include_cancelled: bool) -> tuple[list[Registration], str | None]:
    statement = select(Registration).where(Registration.person_id == person_id)
    if not include_cancelled:
        statement = statement.where(Registration.status != "cancelled")
    return await fetch_page(db, statement, Registration.id, params)
