"""Private calendar feeds: one per person, following the state of their registrations.

Calendar apps poll a URL and cannot send a bearer token, so the URL carries its own proof: an
HMAC of the person id under the feed key. Anyone with the URL sees that person's schedule; the
key's rotation revokes every URL at once."""

import hashlib
import hmac
from datetime import datetime, timedelta
from urllib.parse import quote, urlencode

from sqlmodel.ext.asyncio.session import AsyncSession

from services.scheduling.calendars import repository
from services.scheduling.events import calendar
from services.scheduling.events import repository as events
from services.scheduling.registrations.models import Registration
from services.scheduling.sessions import repository as sessions
from shared.auth import Principal
from shared.errors import CascadeError, Forbidden, NotFound

API_PREFIX = "/api/scheduling/v1"
# What a subscribing client is asked to wait between refreshes.
REFRESH = timedelta(minutes=30)
_STATUS = {"waitlisted": "TENTATIVE", "confirmed": "CONFIRMED", "cancelled": "CANCELLED"}


class CalendarNotFound(NotFound):
    code, title = "calendar_not_found", "Calendar not found"


class CalendarFeedsOff(CascadeError):
    status_code, code, title = 503, "calendar_feeds_off", "Calendar feeds are not configured"


def feed_token(key: bytes, person_id: str) -> str:
    return hmac.new(key, person_id.encode(), hashlib.sha256).hexdigest()


def my_feed_url(*, key: bytes, principal: Principal) -> str:
    if not principal.person_id:
        raise Forbidden("This account has no person profile.")
    if not key:
        raise CalendarFeedsOff("Set SCHEDULING_CALENDAR_SECRET or SCHEDULING_CLIENT_SECRET.")
    token = feed_token(key, principal.person_id)
    return (f"{API_PREFIX}/calendars/{quote(principal.person_id, safe='')}.ics?"
            f"{urlencode({'token': token})}")


def _entry(registration: Registration, session, event) -> calendar.Entry:
    note = {
        "waitlisted": f"Waitlisted: number {registration.waitlist_position} in line.",
        "cancelled": "Registration cancelled.",
    }.get(registration.status, "")
    return calendar.session_entry(
        event, session, uid=f"registration-{registration.id}@cascade-scheduling",
        status=_STATUS[registration.status], changed_at=registration.updated_at, note=note,
    )


async def person_feed(db: AsyncSession, *, key: bytes, person_id: str, token: str,
                      stamp: datetime) -> str:
    """The person's feed, or 404 for a wrong token, as for a person who does not exist (any
    token at all: compared as bytes, since compare_digest refuses non-ASCII text)."""
    expected = feed_token(key, person_id).encode()
    if not key or not hmac.compare_digest(expected, token.encode("utf-8", "surrogatepass")):
        raise CalendarNotFound()
    registrations = await repository.registrations_of(db, person_id)
    by_session = await sessions.get_many(db, [r.session_id for r in registrations])
    by_event = await events.get_many(db, [r.event_id for r in registrations])
    entries = [_entry(r, by_session[r.session_id], by_event[r.event_id]) for r in registrations]
    entries.sort(key=lambda entry: (entry.starts_at, entry.uid))
    return calendar.document(name="Cascade: my sessions", entries=entries, stamp=stamp,
                             refresh=REFRESH)
