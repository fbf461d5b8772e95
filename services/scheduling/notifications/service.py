"""Rules for notifications: what is queued when, and who may read which messages.

To notify someone from any feature, call `enqueue` with the request's database session, inside
the same transaction as the change the message is about:

    from services.scheduling import notifications
    await notifications.enqueue(db, kind="poll_invitation", person_id=..., email=..., name=...,
                                subject=..., body=...,
                                dedupe_key=f"poll_invitation:{poll.id}:{person}")

The message exists exactly when the change commits (a rolled-back request mails nobody); the
dedupe key, unique across all messages, makes a retried request or a re-run scan queue nothing
twice. The sender worker (sender.py) delivers it: by SMTP when configured, else to the local
mailbox (GET /me/messages, the /mailbox page).
"""

from datetime import datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from services.scheduling.events import repository as events
from services.scheduling.events.models import Event
from services.scheduling.notifications import repository
from services.scheduling.notifications.messages import compose, compose_poll_invitation
from services.scheduling.notifications.models import Notification
from services.scheduling.registrations.models import Registration
from services.scheduling.sessions.models import Session
from shared.auth import Principal
from shared.db import utcnow
from shared.errors import Forbidden
from shared.pagination import PageParams

# Where links in messages point; create_app puts the public site's address on every database
# session of the service (db.info), so rules deep in a request need no settings passed down.
SITE_URL = "site_url"


async def enqueue(db: AsyncSession, *, kind: str, person_id: str | None, email: str, name: str,
                  subject: str, body: str, dedupe_key: str, registration_id: str | None = None,
                  event_id: str | None = None) -> bool:
    """Queue one message in the caller's transaction. Returns False when the dedupe key was
    already used (nothing new is queued). With no email address the message is kept, as
    skipped, so the queue shows who could not be told."""
    email = email.strip()
    message = Notification(
        kind=kind, person_id=person_id, email=email, name=name[:200], subject=subject[:300],
        body=body, dedupe_key=dedupe_key[:200], registration_id=registration_id,
        event_id=event_id, status="queued" if email else "skipped",
        last_error=None if email else "no email address on record",
    )
    return await repository.insert(db, message)


def _site_url(db: AsyncSession) -> str:
    return db.info.get(SITE_URL, "")


async def _about_registration(db: AsyncSession, kind: str, registration: Registration, *,
                              session: Session, event: Event, dedupe_key: str) -> bool:
    draft = compose(kind, name=registration.person_name, event=event, session=session,
                    site_url=_site_url(db), waitlist_position=registration.waitlist_position)
    return await enqueue(
        db, kind=kind, person_id=registration.person_id, email=registration.person_email,
        name=registration.person_name, subject=draft.subject, body=draft.body,
        dedupe_key=dedupe_key, registration_id=registration.id, event_id=event.id,
    )


async def registration_changed(db: AsyncSession, *, registration: Registration,
                               session: Session) -> None:
    """Tell the person whether their sign-up got a seat or a waitlist place."""
    await _registration_message(db, "confirmation" if registration.status == "confirmed"
                                else "waitlisted", registration=registration, session=session)


async def promoted(db: AsyncSession, *, registration: Registration, session: Session) -> None:
    """Tell the person a seat opened and they moved off the waitlist."""
    await _registration_message(db, "promotion", registration=registration, session=session)


async def _registration_message(db: AsyncSession, kind: str, *, registration: Registration,
                                session: Session) -> None:
    # Sign-ups to a session that has ended are records being back-filled, not news to anyone.
    if session.ends_at <= utcnow():
        return
    event = await events.get_event(db, session.event_id)
    if event is None:
        return
    # The key names the change itself (the registration as of its updated_at): signing up again
    # after cancelling is news, a retry of the same change is not.
    change = registration.updated_at.strftime("%Y%m%dT%H%M%S%f")
    await _about_registration(db, kind, registration, session=session, event=event,
                              dedupe_key=f"{kind}:{registration.id}:{change}")


async def event_cancelled(db: AsyncSession, *, event: Event) -> int:
    """Tell everyone holding a seat or a waitlist place that the organizer cancelled the event.
    Returns how many messages were queued."""
    queued = 0
    for registration, session in await repository.live_registrations_of_event(db, event.id):
        queued += await _about_registration(
            db, "event_cancelled", registration, session=session, event=event,
            dedupe_key=f"event_cancelled:{event.id}:{registration.id}",
        )
    return queued


async def session_cancelled(db: AsyncSession, *, session: Session,
                            registrations: list[Registration]) -> int:
    """Tell the people whose places the cancelled session took with it. Returns how many
    messages were queued."""
    event = await events.get_event(db, session.event_id)
    if event is None:
        return 0
    queued = 0
    for registration in registrations:
        queued += await _about_registration(
            db, "session_cancelled", registration, session=session, event=event,
            dedupe_key=f"session_cancelled:{session.id}:{registration.id}",
        )
    return queued


async def poll_invitation(db: AsyncSession, *, event: Event, poll_id: str, poll_title: str,
                          times: list[tuple[datetime, datetime]], invitee_id: str, email: str,
                          name: str, token: str, token_hash: str) -> bool:
    """Mail an invitee their private link. The queued message holds the link as any sent mail
    does; the dedupe key names the link's hash, so a renewed link is mailed again and a retry
    of the same request is not."""
    link = f"{_site_url(db)}/polls/answer/{token}"
    draft = compose_poll_invitation(name=name, poll_title=poll_title, event=event, times=times,
                                    link=link)
    return await enqueue(db, kind="poll_invitation", person_id=None, email=email, name=name,
                         subject=draft.subject, body=draft.body, event_id=event.id,
                         dedupe_key=f"poll_invitation:{poll_id}:{invitee_id}:{token_hash[:32]}")


async def queue_reminders(db: AsyncSession, *, now: datetime, hours: float,
                          limit: int = 500) -> int:
    """Queue a reminder for each confirmed seat in a session starting within `hours`, once per
    registration: the scan finds only registrations without one, and the dedupe key holds even
    when two senders scan at once. Returns how many were queued."""
    queued = 0
    rows = await repository.unreminded_registrations(
        db, starting_after=now, starting_by=now + timedelta(hours=hours), limit=limit)
    for registration, session, event in rows:
        queued += await _about_registration(db, "reminder", registration, session=session,
                                            event=event, dedupe_key=f"reminder:{registration.id}")
    return queued


async def my_messages(db: AsyncSession, *, principal: Principal,
                      params: PageParams) -> tuple[list[Notification], str | None]:
    if not principal.person_id:
        raise Forbidden("This account has no person profile.")
    # Mail to an address belongs to whoever proved they read it: a token's email alone is only
    # what the account claimed at sign-up (or what a sign-in sheet recorded).
    return await repository.page_of_person(
        db, params, person_id=principal.person_id,
        email=principal.email if principal.email_verified else None)


async def all_messages(db: AsyncSession, *, principal: Principal, status: str | None,
                       params: PageParams) -> tuple[list[Notification], str | None]:
    if not principal.is_platform_admin:
        raise Forbidden("Only platform admins read everyone's messages.")
    return await repository.page_all(db, params, status=status)
