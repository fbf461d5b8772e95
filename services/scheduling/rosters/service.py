"""What a leader does to a session's roster beyond sign-ups: cancel the session, seat someone
over capacity, move someone to another session of the event. Each takes the session lock(s)
first, like every registration change (see registrations/service.py), and is audited."""

from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from services.scheduling import access
from services.scheduling.access import Target
from services.scheduling.db import OutboxEvent
from services.scheduling.errors import RegistrationNotFound, SessionNotFound
from services.scheduling.events import service as event_rules
from services.scheduling.identity import Profile
from services.scheduling.notifications import service as notices
from services.scheduling.registrations import repository as registrations
from services.scheduling.registrations import service as registration_rules
from services.scheduling.registrations.models import Registration
from services.scheduling.rosters import repository
from services.scheduling.rosters.models import AuditEntry
from services.scheduling.sessions import repository as sessions
from services.scheduling.sessions import service as session_rules
from services.scheduling.sessions.models import Session
from shared.auth import Principal
from shared.db import utcnow
from shared.errors import Conflict, Forbidden, InvalidInput
from shared.outbox import publish
from shared.pagination import PageParams


class RegistrationNotActive(Conflict):
    code, title = "registration_not_active", "Registration no longer active"


class NoSuchTargetSession(InvalidInput):
    code, title = "no_such_target_session", "No such session in this event"


async def managed_session(db: AsyncSession, *, principal: Principal, session_id: str,
                          target: Target | None = None) -> Session:
    """The session, when the caller is staff of its network (a facilitator alone may check
    people in but not override the rules); 404 when the caller may not even see it. A refusal
    is audited on `target`, the session by default."""
    target = target or ("session", session_id)
    session, _event = await session_rules.visible_session(db, principal=principal,
                                                          session_id=session_id, target=target)
    if not access.is_staff(principal, session.network_id):
        raise Forbidden("Only the network's admins, leaders and coordinators change rosters."
                        ).denying(*target, session.network_id)
    return session


async def _audit(db: AsyncSession, principal: Principal, session: Session, *, action: str,
                 person_id: str | None = None, to_session_id: str | None = None,
                 reason: str = "", **details: Any) -> None:
    await repository.add(db, AuditEntry(
        network_id=session.network_id, event_id=session.event_id, session_id=session.id,
        to_session_id=to_session_id, person_id=person_id, action=action,
        actor=principal.subject, actor_person_id=principal.person_id, reason=reason,
        details=details,
    ))


async def cancel_session(db: AsyncSession, *, principal: Principal, session_id: str
                         ) -> tuple[Session, list[Registration]]:
    """Cancel one session: every live registration is cancelled and its seat counters are
    zeroed. Returns the session and the registrations cancelled now (the people to tell);
    cancelling again changes nothing and returns none."""
    await managed_session(db, principal=principal, session_id=session_id)
    session = await sessions.lock(db, session_id)
    if session is None:
        raise SessionNotFound()
    if session.status == "cancelled":
        return session, []
    cancelled = await repository.live_of_session(db, session.id)
    now = utcnow()
    for registration in cancelled:
        registration.status, registration.waitlist_position = "cancelled", None
        registration.updated_at = now
        await registration_rules.save_and_announce(db, registration)
    session.status, session.cancelled_at = "cancelled", now
    session.confirmed_count = session.waitlist_count = 0
    await sessions.add(db, session)
    await publish(db, OutboxEvent, topic="session.updated", key=session.id,
                  payload=session_rules.payload(session))
    await _audit(db, principal, session, action="session.cancelled",
                 cancelled_registrations=len(cancelled))
    await notices.session_cancelled(db, session=session, registrations=cancelled)
    return session, cancelled


async def force_add(db: AsyncSession, *, principal: Principal, session_id: str, person_id: str,
                    profile: Profile, reason: str) -> Registration:
    """Confirm a person even when the session is full (see sessions.repository.force_seat);
    a person already on the waitlist is confirmed ahead of the line."""
    await managed_session(db, principal=principal, session_id=session_id)
    session = await sessions.lock(db, session_id)
    if session is None:
        raise SessionNotFound()
    capacity_before = session.capacity
    existing = await registrations.find(db, session_id=session.id, person_id=person_id)
    if existing is not None and existing.status == "waitlisted":
        await registration_rules.take_forced_seat(db, session)
        await registration_rules.promote(db, existing, session=session)
        registration = existing
    else:
        registration = await registration_rules.register(db, session=session, person_id=person_id,
                                                         profile=profile, force=True)
    capacity_after = (await sessions.get(db, session.id)).capacity
    await _audit(db, principal, session, action="registration.forced", person_id=person_id,
                 reason=reason, registration_id=registration.id,
                 person_name=registration.person_name, capacity_before=capacity_before,
                 capacity_after=capacity_after)
    return registration


async def move(db: AsyncSession, *, principal: Principal, registration_id: str,
               to_session_id: str, force: bool, reason: str
               ) -> tuple[Registration, Registration, list[Registration]]:
    """Release the person's place (promoting that session's waitlist) and sign them up in
    another session of the same event, in one transaction: any refusal (slot taken, already
    there, session cancelled) undoes both. Returns the old registration, the new one and the
    people promoted in the old session."""
    found = await registrations.get(db, registration_id)
    if found is None:
        raise RegistrationNotFound()
    source = await managed_session(db, principal=principal, session_id=found.session_id,
                                   target=("registration", found.id))
    target = await sessions.get(db, to_session_id)
    if target is None or target.event_id != source.event_id:
        raise NoSuchTargetSession(
            "Choose another session of the same event.",
            errors=[{"loc": ["body", "session_id"], "msg": "Choose a session of this event.",
                     "type": "value_error"}])
    if target.id == source.id:
        raise NoSuchTargetSession(
            "The person is already in this session.",
            errors=[{"loc": ["body", "session_id"], "msg": "Choose a different session.",
                     "type": "value_error"}])
    # Both sessions locked, always in id order, so two opposite moves cannot deadlock.
    for session_id in sorted((source.id, target.id)):
        await sessions.lock(db, session_id)
    registration = await registrations.get(db, registration_id)  # again, under the locks
    if registration.status == "cancelled":
        raise RegistrationNotActive("This registration was cancelled or already moved.")
    profile = Profile(name=registration.person_name, email=registration.person_email)
    promoted = await registration_rules.release(db, registration)
    moved = await registration_rules.register(db, session=target, person_id=registration.person_id,
                                              profile=profile, force=force)
    await _audit(db, principal, source, action="registration.moved",
                 person_id=registration.person_id, to_session_id=target.id, reason=reason,
                 registration_id=moved.id, person_name=registration.person_name,
                 status=moved.status, forced=force)
    return registration, moved, promoted


async def audit_log(db: AsyncSession, *, principal: Principal, event_id: str,
                    session_id: str | None, params: PageParams
                    ) -> tuple[list[AuditEntry], str | None]:
    event = await event_rules.managed_event(db, principal=principal, event_id=event_id)
    return await repository.page_of_event(db, params, event_id=event.id, session_id=session_id)
