"""The words of each message: subject and plain-text body, from the registration, its session
and its event. Times are written in the event's own time zone, as the event page shows them."""

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from services.scheduling.events.models import Event
from services.scheduling.sessions.models import Session


@dataclass(frozen=True)
class Draft:
    subject: str
    body: str


_OPENINGS = {
    "confirmation": ("You're confirmed: {title}",
                     "You have a seat in this session."),
    "waitlisted": ("Waitlisted: {title}",
                   "The session is full, so you are on its waitlist at position {position}. "
                   "If a seat opens, it goes to the first person in line and we will write to "
                   "you."),
    "promotion": ("A seat opened: you're confirmed for {title}",
                  "A seat opened and it is yours: you moved off the waitlist and are now "
                  "confirmed."),
    "reminder": ("Reminder: {title} starts {when}",
                 "This is a reminder that your session starts within a day."),
    "event_cancelled": ("Cancelled: {title}",
                        "The organizer has cancelled this event, so the session below will not "
                        "take place."),
    "session_cancelled": ("Cancelled: {title} on {when}",
                          "The organizer has cancelled the session below, so your place in it is "
                          "cancelled too. The event's other sessions go ahead."),
}


def _clock(local: datetime) -> str:
    return f"{local.hour % 12 or 12}:{local:%M} {'AM' if local.hour < 12 else 'PM'}"


def local_time(moment: datetime, timezone: str) -> str:
    """E.g. "Wednesday, March 4, 2026, 4:00 PM PST", in the event's zone."""
    local = moment.astimezone(ZoneInfo(timezone))
    return f"{local:%A, %B} {local.day}, {local.year}, {_clock(local)} {local.tzname()}"


def compose(kind: str, *, name: str, event: Event, session: Session, site_url: str,
            waitlist_position: int | None = None) -> Draft:
    subject, opening = _OPENINGS[kind]
    when = local_time(session.starts_at, event.timezone)
    title = event.title if session.title in ("", event.title) else f"{event.title}: {session.title}"
    fields = {"title": title, "when": when, "position": waitlist_position or "?"}
    place = ", ".join(p for p in (session.room, event.venue) if p) or "See the event page."
    lines = [
        f"Hello {name}," if name else "Hello,",
        "",
        opening.format(**fields),
        "",
        f"Event: {event.title}",
        f"Session: {session.title}",
        f"When: {when} to {_clock(session.ends_at.astimezone(ZoneInfo(event.timezone)))}",
        f"Where: {place}",
        "",
        f"Event page: {site_url}/events/{event.id}",
        f"Add to your calendar: {site_url}/api/scheduling/v1/events/{event.id}/calendar.ics",
        "",
        "— Cascade",
    ]
    return Draft(subject=subject.format(**fields)[:300], body="\n".join(lines))


def compose_poll_invitation(*, name: str, poll_title: str, event: Event,
                            times: list[tuple[datetime, datetime]], link: str) -> Draft:
    """An invitation to mark which of a poll's times work, with the invitee's private link."""
    zone = ZoneInfo(event.timezone)
    lines = [
        f"Hello {name}," if name else "Hello,",
        "",
        f"You are invited to say which of these times work for \"{poll_title}\" "
        f"({event.title}). No account is needed: open your own link below, mark each time, "
        "and change your answers until the organizer picks one.",
        "",
        *(f"- {local_time(starts, event.timezone)} to {_clock(ends.astimezone(zone))}"
          for starts, ends in times),
        "",
        f"Your private link (please do not forward it): {link}",
        "",
        "— Cascade",
    ]
    return Draft(subject=f"Which times work for you? {poll_title}"[:300], body="\n".join(lines))
