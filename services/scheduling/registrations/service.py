"""Rules for sign-ups, waitlists and cancellations.

Seats: a seat is taken by one guarded UPDATE of the session's confirmed_count; when the session is
full the person joins the waitlist through a second guarded UPDATE that hands out the next
position. Everything that changes a session's registrations takes the session row first (by one
of those UPDATEs or by locking it), so concurrent changes never overbook, never skip a waitlisted
person, and always lock in the same order (session, then registrations, then the outbox).
"""

from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from services.scheduling import access
from services.scheduling.attendance import repository as attendance
from services.scheduling.db import OutboxEvent
from services.scheduling.errors import (
    AlreadyRegistered,
    EventClosed,
    RegistrationNotFound,
    SeatContention,
    SessionCancelled,
    SlotConflict,
)
from services.scheduling.events import repository as events
from services.scheduling.identity import Profile
from services.scheduling.notifications import service as notices
from services.scheduling.registrations import repository
from services.scheduling.registrations.models import Registration
from services.scheduling.registrations.schemas import MyRegistration, RosterEntry
from services.scheduling.sessions import repository as sessions
from services.scheduling.sessions import service as session_rules
from services.scheduling.sessions.models import Session
from shared.auth import Principal
from shared.db import utcnow
from shared.errors import Forbidden
from shared.outbox import publish
from shared.pagination import PageParams

# A seat freed between "full" and "join the waitlist" sends us back for the seat; more rounds
# than this means the session is churning and the caller should retry.
_SEAT_ATTEMPTS = 20


def _payload(registration: Registration) -> dict[str, Any]:
    return {
        "id": registration.id, "session_id": registration.session_id,
        "event_id": registration.event_id, "person_id": registration.person_id,
        "status": registration.status, "waitlist_position": registration.waitlist_position,
    }


async def _publish(db: AsyncSession, topic: str, registration: Registration) -> None:
    await publish(db, OutboxEvent, topic=topic, key=registration.id, payload=_payload(registration))


async def save_and_announce(db: AsyncSession, registration: Registration) -> None:
    """Store a changed registration and publish the change (registration.updated)."""
    await repository.save(db, registration)
    await _publish(db, "registration.updated", registration)


def _refusal(error: IntegrityError, title: str) -> Exception:
    # Which unique rule refused the row: the per-slot index names slot_id on both backends.
    if "slot_id" in str(error.orig):
        return SlotConflict("You already hold a session in this slot; cancel it first.")
    return AlreadyRegistered(f"Already registered for {title!r}.")


def _cancelled(session: Session) -> SessionCancelled:
    return SessionCancelled(f"{session.title!r} was cancelled; no one can sign up for it.")


async def _seat_or_position(db: AsyncSession, session: Session) -> tuple[str, int | None]:
    for _ in range(_SEAT_ATTEMPTS):
        if await sessions.take_seat(db, session.id):
            return "confirmed", None
        position = await sessions.join_waitlist(db, session.id)
        if position is not None:
            return "waitlisted", position
        if (await sessions.get(db, session.id)).status == "cancelled":  # cancelled meanwhile
            raise _cancelled(session)
    raise SeatContention()


async def take_forced_seat(db: AsyncSession, session: Session) -> tuple[str, int | None]:
    if await sessions.force_seat(db, session.id) is None:
        raise _cancelled(session)
    return "confirmed", None


async def may_register_for(db: AsyncSession, *, principal: Principal, session_id: str,
                           person_id: str | None) -> tuple[Session, str]:
    """The session and the person to sign up, or an error saying why not. Checked before the
    caller fetches anyone's profile, so refusals cost nothing."""
    session, event = await session_rules.visible_session(db, principal=principal,
                                                          session_id=session_id)
    if event.status == "cancelled":
        raise EventClosed("This event was cancelled.")
    if session.status == "cancelled":
        raise _cancelled(session)
    if person_id is None or person_id == principal.person_id:
        if not principal.person_id:
            raise Forbidden("This account has no person profile to register.")
        return session, principal.person_id
    if not access.runs_session(principal, network_id=session.network_id,
                               facilitator_ids=session.facilitator_ids):
        raise Forbidden("Only the network's staff and the session's facilitators register others."
                        ).denying("session", session.id, session.network_id)
    return session, person_id


async def register(db: AsyncSession, *, session: Session, person_id: str,
                   profile: Profile, force: bool = False) -> Registration:
    """Sign a person up: confirmed while seats last, else waitlisted with the next position;
    with force (a leader's decision), confirmed even when the session is full."""
    title = session.title  # a refused flush expires loaded rows; keep what the error names
    if session.status == "cancelled":
        raise _cancelled(session)
    existing = await repository.find(db, session_id=session.id, person_id=person_id)
    if existing is not None and existing.status != "cancelled":
        raise AlreadyRegistered(f"Already {existing.status} for {session.title!r}.")
    if session.slot_id is not None:
        held = await repository.live_in_slot(db, slot_id=session.slot_id, person_id=person_id)
        if held is not None:
            other = await sessions.get(db, held.session_id)
            raise SlotConflict(
                f"Already {held.status} for {other.title if other else 'another session'!r} "
                "in the same slot; cancel it first."
            )
    status, position = await (take_forced_seat if force else _seat_or_position)(db, session)
    now = utcnow()
    try:
        if existing is None:
            registration = Registration(
                session_id=session.id, event_id=session.event_id, slot_id=session.slot_id,
                person_id=person_id, person_name=profile.name, person_email=profile.email,
                status=status, waitlist_position=position, created_at=now, updated_at=now,
            )
            await repository.insert(db, registration)
            topic = "registration.created"
        else:
            revived = await repository.reactivate(
                db, existing.id, status=status, waitlist_position=position, updated_at=now,
                person_name=profile.name or existing.person_name,
                person_email=profile.email or existing.person_email,
            )
            if not revived:
                raise AlreadyRegistered(f"Already registered for {session.title!r}.")
            registration = await repository.get(db, existing.id)
            topic = "registration.updated"
    except IntegrityError as error:
        raise _refusal(error, title) from None
    await _publish(db, topic, registration)
    await notices.registration_changed(db, registration=registration, session=session)
    return registration


async def cancel(db: AsyncSession, *, principal: Principal, registration_id: str) -> Registration:
    """Cancel; a freed seat goes to the first waitlisted person in the same transaction."""
    found = await repository.get(db, registration_id)
    if found is None:
        raise RegistrationNotFound()
    session = await sessions.get(db, found.session_id)
    if session is None:
        raise RegistrationNotFound()
    if not (principal.person_id == found.person_id or access.runs_session(
            principal, network_id=session.network_id, facilitator_ids=session.facilitator_ids)):
        raise Forbidden("Only the person, the session's facilitators and the network's staff "
                        "cancel a registration.").denying("registration", found.id,
                                                          session.network_id)
    await sessions.lock(db, session.id)
    # Read again under the session lock: a concurrent cancel may already have done this.
    registration = await repository.get(db, registration_id)
    if registration.status != "cancelled":
        await release(db, registration)
    return registration


async def release(db: AsyncSession, registration: Registration) -> list[Registration]:
    """Cancel a live registration and give a freed seat to the waitlist; returns the people
    promoted. The caller holds the session lock and read the registration under it."""
    was, position = registration.status, registration.waitlist_position
    registration.status, registration.waitlist_position = "cancelled", None
    registration.updated_at = utcnow()
    await repository.save(db, registration)
    if was == "confirmed":
        await sessions.move_counters(db, registration.session_id, confirmed=-1)
    elif position is not None:
        await repository.close_waitlist_gap(db, session_id=registration.session_id,
                                            position=position)
        await sessions.move_counters(db, registration.session_id, waitlisted=-1)
    await _publish(db, "registration.updated", registration)
    if was != "confirmed":
        return []
    return await fill_open_seats(db, session_id=registration.session_id)


async def promote(db: AsyncSession, registration: Registration, *, session: Session) -> None:
    """A waitlisted person confirmed now, ahead of the line; everyone behind moves up. The
    caller holds the session lock and has already taken the seat."""
    freed = registration.waitlist_position or 0
    registration.status, registration.waitlist_position = "confirmed", None
    registration.updated_at = utcnow()
    await repository.save(db, registration)
    await repository.close_waitlist_gap(db, session_id=registration.session_id, position=freed)
    await sessions.move_counters(db, registration.session_id, waitlisted=-1)
    await _publish(db, "registration.updated", registration)
    await notices.promoted(db, registration=registration, session=session)


async def fill_open_seats(db: AsyncSession, *, session_id: str) -> list[Registration]:
    """Gives every free seat to the waitlist, first in line first: after a cancellation, or when
    the capacity was raised. The caller holds the session lock."""
    promoted = []
    while True:
        session = await sessions.get(db, session_id)
        if session.confirmed_count >= session.capacity:
            return promoted
        first = await repository.first_waitlisted(db, session_id)
        if first is None:
            return promoted
        await sessions.move_counters(db, session_id, confirmed=+1)
        await promote(db, first, session=session)
        promoted.append(first)


async def get_registration(db: AsyncSession, *, principal: Principal,
                           registration_id: str) -> Registration:
    registration = await repository.get(db, registration_id)
    session = await sessions.get(db, registration.session_id) if registration else None
    if registration is None or session is None:
        raise RegistrationNotFound()
    if not (principal.person_id == registration.person_id
            or access.runs_session(principal, network_id=session.network_id,
                                   facilitator_ids=session.facilitator_ids)):
        raise RegistrationNotFound().denying("registration", registration.id,
                                             session.network_id)
    return registration


async def roster(db: AsyncSession, *, principal: Principal, session_id: str, status: str | None,
                 params: PageParams, attended: bool | None = None
                 ) -> tuple[list[RosterEntry], str | None]:
    session, _event = await session_rules.visible_session(db, principal=principal,
                                                          session_id=session_id)
    if not access.runs_session(principal, network_id=session.network_id,
                               facilitator_ids=session.facilitator_ids):
        raise Forbidden("Only the session's facilitators and the network's staff see its roster."
                        ).denying("session", session.id, session.network_id)
    rows, next_cursor = await repository.page_of_session(db, params, session_id=session.id,
                                                         status=status, attended=attended)
    present = await attendance.attended_among(db, session_id=session.id,
                                              person_ids=[r.person_id for r in rows])
    entries = [
        RosterEntry.model_validate({**r.model_dump(), "attended": r.person_id in present})
        for r in rows
    ]
    return entries, next_cursor


async def my_schedule(db: AsyncSession, *, principal: Principal, include_cancelled: bool,
                      params: PageParams) -> tuple[list[MyRegistration], str | None]:
    if not principal.person_id:
        raise Forbidden("This account has no person profile.")
    rows, next_cursor = await repository.page_of_person(
        db, params, person_id=principal.person_id, include_cancelled=include_cancelled
    )
    by_session = await sessions.get_many(db, [r.session_id for r in rows])
    by_event = await events.get_many(db, [r.event_id for r in rows])
    entries = []
    for r in rows:
        session, event = by_session[r.session_id], by_event[r.event_id]
        entries.append(MyRegistration.model_validate({
            **r.model_dump(), "session_title": session.title, "starts_at": session.starts_at,
            "ends_at": session.ends_at, "room": session.room, "slot_id": session.slot_id,
            "event_title": event.title, "event_kind": event.kind, "timezone": event.timezone,
            "venue": event.venue,
        }))
    return entries, next_cursor
