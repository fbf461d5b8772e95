"""RFC 5545 iCalendar documents: an event's sessions, and the writer the personal feeds share.

Times are written as wall-clock times of the event's zone (DTSTART;TZID=...) with a VTIMEZONE
for each zone, so a client shows a 15:30 session at 15:30 on both sides of a daylight-saving
change and moves it along if the person travels."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from services.scheduling.events.models import Event
from services.scheduling.sessions.models import Session

PRODID = "-//Cascade//Scheduling//EN"
_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
# SEQUENCE counts from here (see sequence()).
_SEQUENCE_EPOCH = datetime(2020, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Entry:
    """One VEVENT."""

    uid: str
    starts_at: datetime
    ends_at: datetime
    timezone: str
    summary: str
    status: str  # TENTATIVE, CONFIRMED or CANCELLED
    sequence: int
    modified_at: datetime
    location: str = ""
    description: str = ""


def sequence(*changed_at: datetime) -> int:
    """A SEQUENCE that grows whenever the entry changes, without a counter column: the latest
    change in whole seconds since 2020 only ever increases and stays inside RFC 5545's 32-bit
    INTEGER until 2088 (milliseconds would overflow today). Two changes within one second share
    a number; clients still get the newer content on their next refresh."""
    return int((max(changed_at) - _SEQUENCE_EPOCH).total_seconds())


def _text(value: str) -> str:
    # RFC 5545 3.3.11: backslash, semicolon, comma and newlines are escaped in TEXT values.
    return (value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n"))


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _floating(moment: datetime) -> str:
    return moment.strftime("%Y%m%dT%H%M%S")


def _offset(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    sign, seconds = ("-" if seconds < 0 else "+"), abs(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{sign}{hours:02d}{minutes:02d}" + (f"{seconds:02d}" if seconds else "")


def _time(name: str, moment: datetime, zone: ZoneInfo) -> str:
    local = moment.astimezone(zone)
    if local.fold:
        # The second pass through a repeated hour (the autumn change): a TZID wall time names the
        # first pass (RFC 5545 3.3.5), so this instant is written in UTC instead.
        return f"{name}:{_utc(moment)}"
    return f"{name};TZID={zone.key}:{_floating(local)}"


def _fold(line: str) -> str:
    """Lines longer than 75 octets continue on the next line after CRLF and one space,
    never splitting a UTF-8 character."""
    parts, current, size = [], "", 0
    for char in line:
        width = len(char.encode())
        limit = 75 if not parts else 74  # continuation lines spend one octet on the space
        if size + width > limit:
            parts.append(current)
            current, size = "", 0
        current += char
        size += width
    parts.append(current)
    return "\r\n ".join(parts)


@dataclass(frozen=True)
class _Transition:
    at: datetime  # the UTC instant
    before: timedelta
    after: timedelta
    name: str
    daylight: bool

    @property
    def local_start(self) -> datetime:
        # An observance's DTSTART is the wall time of the change in the offset it leaves.
        return (self.at + self.before).replace(tzinfo=None)


def _state(zone: ZoneInfo, moment: datetime) -> tuple[timedelta, str, bool]:
    local = moment.astimezone(zone)
    return local.utcoffset(), local.tzname() or zone.key, bool(local.dst())


def _transitions(zone: ZoneInfo, start: datetime, end: datetime) -> list[_Transition]:
    """Every change of offset, name or daylight flag between start and end, found day by day and
    then narrowed to the minute (zoneinfo publishes no transition list)."""
    found, day, moment = [], timedelta(days=1), start
    state = _state(zone, moment)
    while moment < end:
        following = _state(zone, moment + day)
        if following != state:
            low, high = moment, moment + day
            while high - low > timedelta(minutes=1):
                middle = low + (high - low) / 2
                low, high = (low, middle) if _state(zone, middle) != state else (middle, high)
            found.append(_Transition(high.replace(second=0, microsecond=0), state[0],
                                     following[0], following[1], following[2]))
            state = following
        moment += day
    return found


def _yearly_rule(starts: list[datetime]) -> str | None:
    """FREQ=YEARLY;BYMONTH;BYDAY when every change falls on the same nth (or last) weekday of the
    same month at the same wall time, the form every client reads; None otherwise."""
    first = starts[0]
    when = (first.month, first.time(), first.weekday())
    common: set[str] | None = None
    for start in starts:
        if (start.month, start.time(), start.weekday()) != when:
            return None
        weekday = _WEEKDAYS[start.weekday()]
        options = {f"{(start.day - 1) // 7 + 1}{weekday}"}
        if (start + timedelta(days=7)).month != start.month:
            options.add(f"-1{weekday}")
        common = options if common is None else common & options
    if not common:
        return None
    byday = f"-1{_WEEKDAYS[first.weekday()]}" if f"-1{_WEEKDAYS[first.weekday()]}" in common \
        else common.pop()
    return f"FREQ=YEARLY;BYMONTH={first.month};BYDAY={byday}"


def _windows(years: list[int]) -> list[tuple[int, int]]:
    """The runs of years to scan, [first, last) each: every given year and the one before it
    (so each year's opening offset is covered), and nothing in between two far-apart years,
    so a feed's cost follows the number of years it holds, not the distance between them."""
    runs: list[tuple[int, int]] = []
    for year in years:
        if runs and runs[-1][1] >= year - 1:
            runs[-1] = (runs[-1][0], year + 1)
        else:
            runs.append((year - 1, year + 1))
    return runs


def vtimezone(key: str, years: Iterable[int]) -> list[str]:
    """A VTIMEZONE for the zone, right for every instant of the given years: the changes from
    the start of each year before to the end of each year, one STANDARD or DAYLIGHT per kind
    of change, repeated by RRULE or RDATE."""
    zone, years = ZoneInfo(key), sorted(set(years))
    changes: list[_Transition] = []
    for first, last in _windows(years):
        start = datetime(first, 1, 1, tzinfo=UTC)
        found = _transitions(zone, start, datetime(last, 1, 1, tzinfo=UTC))
        if not any(change.at.year == first for change in found):
            # No change in the year before (a zone without daylight time, say): one observance
            # holds from the window's start.
            offset, name, daylight = _state(zone, datetime(first + 1, 1, 1, tzinfo=UTC))
            found.insert(0, _Transition(start, offset, offset, name, daylight))
        changes += found
    groups: dict[tuple, list[_Transition]] = defaultdict(list)
    for change in changes:
        groups[(change.daylight, change.before, change.after, change.name)].append(change)
    lines = ["BEGIN:VTIMEZONE", f"TZID:{key}"]
    for (daylight, before, after, name), members in groups.items():
        kind = "DAYLIGHT" if daylight else "STANDARD"
        starts = [member.local_start for member in members]
        lines += [f"BEGIN:{kind}", f"DTSTART:{_floating(starts[0])}",
                  f"TZOFFSETFROM:{_offset(before)}", f"TZOFFSETTO:{_offset(after)}",
                  f"TZNAME:{_text(name)}"]
        rule = _yearly_rule(starts) if len(starts) > 1 else None
        if rule:
            lines.append(f"RRULE:{rule};UNTIL={_utc(members[-1].at)}")
        elif len(starts) > 1:
            lines.append("RDATE:" + ",".join(_floating(s) for s in starts[1:]))
        lines.append(f"END:{kind}")
    lines.append("END:VTIMEZONE")
    return lines


def document(*, name: str, entries: list[Entry], stamp: datetime,
             refresh: timedelta | None = None) -> str:
    """The whole VCALENDAR, CRLF-terminated and folded; refresh is a subscription's suggested
    polling interval."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN",
             "METHOD:PUBLISH", f"X-WR-CALNAME:{_text(name)}"]
    if refresh is not None:
        minutes = int(refresh.total_seconds() // 60)
        lines += [f"REFRESH-INTERVAL;VALUE=DURATION:PT{minutes}M",
                  f"X-PUBLISHED-TTL:PT{minutes}M"]
    years: dict[str, set[int]] = defaultdict(set)
    for entry in entries:
        zone = ZoneInfo(entry.timezone)
        years[entry.timezone] |= {entry.starts_at.astimezone(zone).year,
                                  entry.ends_at.astimezone(zone).year}
    if len(years) == 1:
        lines.append(f"X-WR-TIMEZONE:{next(iter(years))}")
    for key in sorted(years):
        lines += vtimezone(key, years[key])
    for entry in entries:
        zone = ZoneInfo(entry.timezone)
        lines += [
            "BEGIN:VEVENT",
            f"UID:{entry.uid}",
            f"DTSTAMP:{_utc(stamp)}",
            _time("DTSTART", entry.starts_at, zone),
            _time("DTEND", entry.ends_at, zone),
            f"SEQUENCE:{entry.sequence}",
            f"LAST-MODIFIED:{_utc(entry.modified_at)}",
            f"SUMMARY:{_text(entry.summary)}",
        ]
        if entry.location:
            lines.append(f"LOCATION:{_text(entry.location)}")
        if entry.description:
            lines.append(f"DESCRIPTION:{_text(entry.description)}")
        lines += [f"STATUS:{entry.status}", "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return "".join(_fold(line) + "\r\n" for line in lines)


def session_entry(event: Event, session: Session, *, uid: str, status: str, changed_at: datetime,
                  note: str = "") -> Entry:
    """A session as a VEVENT; a cancelled event or session cancels the entry whatever the
    status given."""
    cancelled = event.status == "cancelled" or session.status == "cancelled"
    if session.status == "cancelled":
        note = "This session was cancelled."
    description = "\n\n".join(part for part in (note, session.description or event.description)
                              if part)
    modified = max(changed_at, event.updated_at, session.created_at,
                   session.cancelled_at or session.created_at)
    return Entry(
        uid=uid, starts_at=session.starts_at, ends_at=session.ends_at, timezone=event.timezone,
        summary=f"{event.title}: {session.title}",
        status="CANCELLED" if cancelled else status,
        sequence=sequence(modified), modified_at=modified,
        location=", ".join(part for part in (event.venue, session.room) if part),
        description=description,
    )


def render(event: Event, sessions: list[Session], *, stamp: datetime) -> str:
    entries = [session_entry(event, session, uid=f"{session.id}@cascade-scheduling",
                             status="CONFIRMED", changed_at=event.updated_at)
               for session in sessions]
    return document(name=event.title, entries=entries, stamp=stamp)
