"""Rules of PD credit: who may request, approve and revoke credit for an event in which scope,
and what a person's transcript counts.

A district grants credit for its own teachers' salary schedule, so an approval belongs to a
district and is decided by that district's coordinators. A network admin may approve an event
network-wide (for every district); platform admins may do both.
"""

from datetime import date
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

from services.scheduling import access
from services.scheduling.credit import repository
from services.scheduling.credit.errors import (
    CreditAlreadyApproved,
    CreditHoursAboveEvent,
    CreditNotApproved,
)
from services.scheduling.credit.models import NETWORK_SCOPE, CreditAction, CreditApproval
from services.scheduling.credit.schemas import (
    CreditActionPublic,
    CreditApprovalCreate,
    CreditApprovalPublic,
    CreditEventSummary,
    CreditQueueItem,
    CreditRequestCreate,
    CreditRevocationCreate,
    Transcript,
    TranscriptRow,
    TranscriptYear,
)
from services.scheduling.db import OutboxEvent
from services.scheduling.errors import EventClosed
from services.scheduling.events import repository as events
from services.scheduling.events import service as event_rules
from services.scheduling.events.models import Event
from services.scheduling.programs.schemas import year_bounds, year_of
from services.scheduling.sessions import repository as sessions
from shared.auth import Principal
from shared.db import utcnow
from shared.errors import Forbidden
from shared.outbox import publish
from shared.pagination import PageParams

DISTRICT_DECIDER = "coordinator"
NETWORK_DECIDER = "network_admin"


def _scope(district_id: str | None) -> str:
    return district_id or NETWORK_SCOPE


def may_decide(principal: Principal, *, network_id: str, district_id: str | None) -> bool:
    """A district's coordinators decide for their district; network admins decide network-wide."""
    if district_id is None:
        return principal.has_role(network_id, NETWORK_DECIDER)
    return principal.has_role(district_id, DISTRICT_DECIDER)


def require_district_authority(principal: Principal, district_id: str | None) -> None:
    """The part of the rule the token alone settles, checked before identity is asked anything."""
    if district_id is not None and not principal.has_role(district_id, DISTRICT_DECIDER):
        raise Forbidden("Only this district's coordinators approve credit for it."
                        ).denying("district", district_id, district_id)


async def require_district_authority_on(db: AsyncSession, principal: Principal, *,
                                        event_id: str, district_id: str | None) -> None:
    """The same for a decision on an event: a refusal is also filed under the event's network
    (read from scheduling's own tables; identity is still asked nothing)."""
    try:
        require_district_authority(principal, district_id)
    except Forbidden as refused:
        event = await events.get_event(db, event_id)
        if event is not None and district_id is not None:
            refused.denying("event", event.id, event.network_id, district_id)
        raise


def _require_decider(principal: Principal, event: Event, district_id: str | None) -> None:
    if not may_decide(principal, network_id=event.network_id, district_id=district_id):
        raise Forbidden("Only the district's coordinators approve credit for a district, and only "
                        "the network's admins approve it network-wide."
                        ).denying("event", event.id, event.network_id)


def to_public(approval: CreditApproval, actions: list[CreditAction] | None = None
              ) -> CreditApprovalPublic:
    return CreditApprovalPublic(
        id=approval.id, event_id=approval.event_id, network_id=approval.network_id,
        district_id=approval.district_id, network_wide=approval.district_id is None,
        status=approval.status, hours=approval.hours, note=approval.note,
        requested_by=approval.requested_by, requested_at=approval.requested_at,
        decided_by=approval.decided_by, decided_at=approval.decided_at,
        updated_at=approval.updated_at,
        history=[CreditActionPublic.model_validate(a) for a in actions or []],
    )


async def _open_event(db: AsyncSession, principal: Principal, event_id: str) -> Event:
    event = await event_rules.visible_event(db, principal=principal, event_id=event_id)
    if event.status == "cancelled":
        raise EventClosed("A cancelled event earns no credit.")
    return event


async def _record(db: AsyncSession, principal: Principal, approval: CreditApproval, action: str
                  ) -> CreditApprovalPublic:
    """Saves the approval with its audit entry and its feed event, in the one transaction."""
    approval.updated_at = utcnow()
    await repository.add(db, approval)
    await repository.add(db, CreditAction(
        approval_id=approval.id, action=action, hours=approval.hours, note=approval.note,
        actor=principal.subject, person_id=principal.person_id))
    await publish(db, OutboxEvent, topic=f"credit.{action}", key=approval.id, payload={
        "id": approval.id, "event_id": approval.event_id, "network_id": approval.network_id,
        "district_id": approval.district_id, "status": approval.status, "hours": approval.hours})
    return await with_history(db, approval)


async def with_history(db: AsyncSession, approval: CreditApproval) -> CreditApprovalPublic:
    return to_public(approval, (await repository.history(db, [approval.id]))[approval.id])


async def _row(db: AsyncSession, event: Event, district_id: str | None) -> CreditApproval:
    existing = await repository.find(db, event_id=event.id, scope=_scope(district_id))
    return existing or CreditApproval(event_id=event.id, network_id=event.network_id,
                                      district_id=district_id, scope=_scope(district_id),
                                      status="pending")


async def may_request_credit(db: AsyncSession, *, principal: Principal, event_id: str,
                             district_id: str | None) -> Event:
    """The open event, when the caller may ask for its credit: checked before identity is
    asked whether district_id names a district, so a refusal tells nothing about it."""
    event = await _open_event(db, principal, event_id)
    if not (access.is_staff(principal, event.network_id)
            or may_decide(principal, network_id=event.network_id, district_id=district_id)):
        raise Forbidden("Only the network's staff request credit for its events."
                        ).denying("event", event.id, event.network_id)
    return event


async def request_credit(db: AsyncSession, *, principal: Principal, event_id: str,
                         data: CreditRequestCreate) -> CreditApprovalPublic:
    """The event's staff (or a decider) ask a district, or the network, to approve credit."""
    event = await may_request_credit(db, principal=principal, event_id=event_id,
                                     district_id=data.district_id)
    approval = await _row(db, event, data.district_id)
    if approval.status == "approved":
        raise CreditAlreadyApproved("This event is already approved in that scope.")
    if approval.status == "pending" and approval.requested_at is not None:
        return await with_history(db, approval)  # asked already: one request is enough
    approval.status, approval.hours, approval.note = "pending", None, data.note
    approval.requested_by, approval.requested_at = principal.subject, utcnow()
    return await _record(db, principal, approval, "requested")


async def approve_credit(db: AsyncSession, *, principal: Principal, event_id: str,
                         data: CreditApprovalCreate) -> CreditApprovalPublic:
    event = await _open_event(db, principal, event_id)
    _require_decider(principal, event, data.district_id)
    if data.hours > event.credit_hours:
        detail = f"The event offers {event.credit_hours:g} credit hours; approve at most that."
        # Named like a validation error so a form can show it beside its hours field.
        raise CreditHoursAboveEvent(detail, errors=[
            {"loc": ["body", "hours"], "msg": detail, "type": CreditHoursAboveEvent.code}])
    approval = await _row(db, event, data.district_id)
    approval.status, approval.hours, approval.note = "approved", data.hours, data.note
    approval.decided_by, approval.decided_at = principal.subject, utcnow()
    return await _record(db, principal, approval, "approved")


async def revoke_credit(db: AsyncSession, *, principal: Principal, event_id: str,
                        data: CreditRevocationCreate) -> CreditApprovalPublic:
    event = await event_rules.visible_event(db, principal=principal, event_id=event_id)
    _require_decider(principal, event, data.district_id)
    approval = await repository.find(db, event_id=event.id, scope=_scope(data.district_id))
    if approval is None or approval.status != "approved":
        raise CreditNotApproved("There is no approval in that scope to revoke.")
    approval.status, approval.hours, approval.note = "revoked", None, data.note
    approval.decided_by, approval.decided_at = principal.subject, utcnow()
    return await _record(db, principal, approval, "revoked")


async def list_approvals(db: AsyncSession, *, principal: Principal, event_id: str,
                         params: PageParams) -> tuple[list[CreditApprovalPublic], str | None]:
    """An event's approvals: not personal data, so whoever may see the event reads them."""
    event = await event_rules.visible_event(db, principal=principal, event_id=event_id)
    rows, next_cursor = await repository.page_of_event(db, params, event_id=event.id)
    actions = await repository.history(db, [r.id for r in rows])
    return [to_public(r, actions[r.id]) for r in rows], next_cursor


async def queue(db: AsyncSession, *, principal: Principal, params: PageParams, status: str,
                district_id: str | None) -> tuple[list[CreditQueueItem], str | None]:
    """Approvals the caller may decide, in one status: their districts' and, for network admins,
    their networks' network-wide ones."""
    if district_id is not None:
        require_district_authority(principal, district_id)
        districts: set[str] | None = {district_id}
        networks: set[str] | None = set()
    elif principal.is_platform_admin:
        districts = networks = None
    else:
        districts = principal.organizations_with(DISTRICT_DECIDER)
        networks = principal.organizations_with(NETWORK_DECIDER)
        if not districts and not networks:
            raise Forbidden("Only district coordinators and network admins decide on credit.")
    rows, next_cursor = await repository.page_decidable(db, params, status=status,
                                                        districts=districts, networks=networks)
    event_rows = await events.get_many(db, {r.event_id for r in rows})
    event_sessions = await sessions.of_events(db, event_rows)
    items = []
    for row in rows:
        event = event_rows[row.event_id]
        starts = [s.starts_at for s in event_sessions[event.id]]
        items.append(CreditQueueItem(approval=to_public(row), event=CreditEventSummary(
            id=event.id, title=event.title, kind=event.kind, status=event.status,
            credit_hours=event.credit_hours, first_session_at=min(starts) if starts else None)))
    return items, next_cursor


def may_read_some_transcript(principal: Principal, *, person_id: str) -> None:
    """Refuses, before identity is asked for the person's district, whoever could never read it."""
    if not (principal.person_id == person_id or principal.is_platform_admin
            or principal.organizations_with(DISTRICT_DECIDER, NETWORK_DECIDER)):
        raise Forbidden("Only the person, their district's coordinators and network admins read "
                        "a transcript.")


def transcript_reach(principal: Principal, *, person_id: str, district_id: str | None
                     ) -> set[str] | None:
    """None: the whole transcript (the person, their district's coordinators, platform admins);
    a set: only events of those networks (a network admin reads their own networks' rows)."""
    if principal.person_id == person_id and principal.kind == "user":
        return None
    if principal.is_platform_admin or (district_id and principal.has_role(district_id,
                                                                          DISTRICT_DECIDER)):
        return None
    networks = principal.organizations_with(NETWORK_DECIDER)
    if not networks:
        raise Forbidden("Only the person, their district's coordinators and network admins read "
                        "a transcript.")
    return networks


async def networks_with_records_of(db: AsyncSession, person_id: str) -> set[str]:
    """The networks whose events the person signed up for or attended."""
    return await repository.networks_with_records_of(db, person_id)


def _earned(approved: float | None, attended: int, total: int) -> float:
    return round(approved * attended / total, 2) if approved and total else 0.0


async def transcript(db: AsyncSession, *, person_id: str, district_id: str | None,
                     networks: set[str] | None) -> Transcript:
    """Read-only, and bounded by what one person attends: every row is needed for the totals."""
    attended: dict[str, set[str]] = {}
    for event_id, session_id in await repository.attended_sessions(db, person_id):
        attended.setdefault(event_id, set()).add(session_id)
    event_rows = {i: e for i, e in (await events.get_many(db, attended)).items()
                  if networks is None or e.network_id in networks}
    # A cancelled session never took place: it is neither attended nor a part of the event.
    event_sessions = {event_id: [s for s in held if s.status != "cancelled"]
                      for event_id, held in (await sessions.of_events(db, event_rows)).items()}
    scopes = [NETWORK_SCOPE, *([district_id] if district_id else [])]
    approvals: dict[tuple[str, str], CreditApproval] = {
        (a.event_id, a.scope): a
        for a in await repository.in_effect(db, event_ids=event_rows, scopes=scopes)}

    years: dict[str, list[TranscriptRow]] = {}
    for event in event_rows.values():
        parts = {s.slot_id or s.id for s in event_sessions[event.id]}
        mine = [s for s in event_sessions[event.id] if s.id in attended[event.id]]
        if not mine:  # attended only sessions since cancelled: nothing to credit
            continue
        first_on: date = min(s.starts_at for s in mine).astimezone(ZoneInfo(event.timezone)).date()
        candidates = [approvals.get((event.id, scope)) for scope in reversed(scopes)]
        approved = next((a for a in candidates if a and a.status == "approved"), None)
        pending = any(a and a.status == "pending" for a in candidates)
        row = TranscriptRow(
            event_id=event.id, event_title=event.title, event_kind=event.kind,
            network_id=event.network_id, school_year=year_of(first_on),
            first_attended_on=first_on, sessions_attended=len({s.slot_id or s.id for s in mine}),
            sessions_total=len(parts), credit_hours=event.credit_hours,
            approved_hours=approved.hours if approved else None,
            approval="approved" if approved else "pending" if pending else "none",
            approval_scope=None if approved is None
            else "network" if approved.district_id is None else "district",
            hours_earned=0.0,
        )
        row.hours_earned = _earned(row.approved_hours, row.sessions_attended, row.sessions_total)
        years.setdefault(row.school_year, []).append(row)

    year_docs = []
    for name in sorted(years, reverse=True):
        rows = sorted(years[name], key=lambda r: (r.first_attended_on, r.event_title))
        first, last = year_bounds(name)
        year_docs.append(TranscriptYear(
            school_year=name, starts_on=first, ends_on=last,
            approved_hours=round(sum(r.hours_earned for r in rows), 2), events=len(rows),
            pending_events=sum(r.approval == "pending" for r in rows), rows=rows))
    return Transcript(
        person_id=person_id, district_id=district_id,
        total_hours=round(sum(y.approved_hours for y in year_docs), 2),
        pending_events=sum(y.pending_events for y in year_docs),
        limited_to_networks=sorted(networks) if networks is not None else None, years=year_docs)


