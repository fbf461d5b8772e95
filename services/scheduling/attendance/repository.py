"""Every SQL statement of attendance."""

from collections.abc import Iterable

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.scheduling.attendance.models import Attendance
from shared.pagination import PageParams, fetch_page


async def find(db: AsyncSession, *, session_id: str, person_id: str) -> Attendance | None:
    statement = select(Attendance).where(
        Attendance.session_id == session_id, Attendance.person_id == person_id
    )
    return (await db.exec(statement)).first()


async def attended_among(db: AsyncSession, *, session_id: str,
                         person_ids: Iterable[str]) -> set[str]:
    ids = list(set(person_ids))
    if not ids:
        return set()
    statement = select(Attendance.person_id).where(
        Attendance.session_id == session_id, col(Attendance.person_id).in_(ids)
    )
    return set((await db.exec(statement)).all())


async def page_of_session(db: AsyncSession, params: PageParams, *,
                          session_id: str) -> tuple[list[Attendance], str | None]:
    statement = select(Attendance).where(Attendance.session_id == session_id)
    return await fetch_page(db, statement, Attendance.id, params)
