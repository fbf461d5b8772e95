"""Every SQL statement of PD credit approvals and transcripts."""

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from sqlalchemy import and_, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.scheduling.attendance.models import Attendance
from services.scheduling.credit.models import NETWORK_SCOPE, CreditAction, CreditApproval
from services.scheduling.events.models import Event
from services.scheduling.registrations.models import Registration
from shared.pagination import PageParams, fetch_page


async def add(db: AsyncSession, row: CreditApproval | CreditAction) -> None:
    db.add(row)
    await db.flush()


async def find(db: AsyncSession, *, event_id: str, scope: str) -> CreditApproval | None:
    statement = select(CreditApproval).where(CreditApproval.event_id == event_id,
                                             CreditApproval.scope == scope)
    return (await db.exec(statement)).first()


async def page_of_event(db: AsyncSession, params: PageParams, *,
                        event_id: str) -> tuple[list[CreditApproval], str | None]:
    statement = select(CreditApproval).where(CreditApproval.event_id == event_id)
    return await fetch_page(db, statement, CreditApproval.id, params)


async def page_decidable(db: AsyncSession, params: PageParams, *, status: str,
                         districts: set[str] | None, networks: set[str] | None
                         ) -> tuple[list[CreditApproval], str | None]:
    """Approvals in `status` of the given districts, or network-wide ones of the given networks;
    None for both means every approval (platform admin)."""
    statement: Any = select(CreditApproval).where(CreditApproval.status == status)
    if districts is not None or networks is not None:
        statement = statement.where(or_(
            col(CreditApproval.district_id).in_(districts or set()),
            and_(CreditApproval.scope == NETWORK_SCOPE,
                 col(CreditApproval.network_id).in_(networks or set())),
        ))
    return await fetch_page(db, statement, CreditApproval.id, params)


async def history(db: AsyncSession, approval_ids: Iterable[str]) -> dict[str, list[CreditAction]]:
    ids = list(approval_ids)
    grouped: dict[str, list[CreditAction]] = defaultdict(list)
    if not ids:
        return grouped
    statement = (select(CreditAction).where(col(CreditAction.approval_id).in_(ids))
                 .order_by(col(CreditAction.at), col(CreditAction.id)))
    for action in (await db.exec(statement)).all():
        grouped[action.approval_id].append(action)
    return grouped


async def attended_sessions(db: AsyncSession, person_id: str) -> list[tuple[str, str]]:
    """(event_id, session_id) of every session the person attended."""
    statement = select(Attendance.event_id, Attendance.session_id).where(
        Attendance.person_id == person_id)
    return [(event_id, session_id) for event_id, session_id in (await db.exec(statement)).all()]


async def networks_with_records_of(db: AsyncSession, person_id: str) -> set[str]:
    signed_up = select(Event.network_id).join(
        Registration, col(Registration.event_id) == col(Event.id)).where(
        Registration.person_id == person_id)
    attended = select(Event.network_id).join(
        Attendance, col(Attendance.event_id) == col(Event.id)).where(
        Attendance.person_id == person_id)
    return {*(await db.exec(signed_up)).all(), *(await db.exec(attended)).all()}


async def in_effect(db: AsyncSession, *, event_ids: Iterable[str], scopes: Iterable[str]
                    ) -> list[CreditApproval]:
    """Approved or pending approvals of these events in these scopes."""
    ids = list(event_ids)
    if not ids:
        return []
    statement = select(CreditApproval).where(
        col(CreditApproval.event_id).in_(ids), col(CreditApproval.scope).in_(list(scopes)),
        col(CreditApproval.status).in_(["approved", "pending"]))
    return list((await db.exec(statement)).all())
