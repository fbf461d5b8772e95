"""What an events spreadsheet says: lines grouped into events, each event and session checked by
the same schemas POST /events and POST /events/{id}/sessions use, and local times turned into
UTC instants the way recurring sessions are. Nothing here writes anything: the preview is this,
and the import applies exactly the plan it gives."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from services.scheduling.errors import InvalidSchedule
from services.scheduling.events.schemas import EventCreate, parse_grade_span
from services.scheduling.jobs.uploads import Line
from services.scheduling.sessions.recurrence import local_instant
from services.scheduling.sessions.schemas import SessionCreate

# One line per session; lines with the same title and event_key make one event, whose fields
# (title to credit_hours) every one of its lines repeats.
HEADER = ["event_key", "title", "kind", "subjects", "grades", "format", "venue", "county",
          "timezone", "credit_hours", "session_title", "date", "start_time", "end_time",
          "capacity", "room"]
EVENT_COLUMNS = HEADER[:10]
MAX_LINES = 5000
DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y")  # ISO, or as US spreadsheets export dates
TIME_FORMATS = ("%H:%M", "%I:%M %p", "%I:%M%p", "%I %p")
# Where a schema's field comes from in the sheet, so an error names the column to fix.
EVENT_COLUMN_OF = {"grade_min": "grades", "grade_max": "grades"}
SESSION_COLUMN_OF = {"title": "session_title", "starts_at": "start_time", "ends_at": "end_time"}


@dataclass
class PlannedSession:
    line: int
    data: SessionCreate


@dataclass
class PlannedEvent:
    lines: list[int]
    title: str  # as the sheet gives it, to name the event even when it is invalid
    data: EventCreate | None  # None when its event fields are invalid
    sessions: list[PlannedSession] = field(default_factory=list)
    valid: bool = True


@dataclass
class Plan:
    lines: int
    events: list[PlannedEvent]
    errors: dict[int, str]  # line number -> what is wrong with it

    @property
    def valid_events(self) -> list[PlannedEvent]:
        return [event for event in self.events if event.valid]


def _messages(error: ValidationError, column_of: dict[str, str]) -> list[str]:
    """The schema's complaints in the sheet's words: column names, not field names."""
    found = []
    for item in error.errors():
        names = [str(part) for part in item["loc"] if isinstance(part, str)]
        column = column_of.get(names[0], names[0]) if names else ""
        message = item["msg"].removeprefix("Value error, ")
        for name, sheet_name in column_of.items():
            message = message.replace(name, sheet_name)
        found.append(f"{column}: {message}" if column else message)
    return found


def _parse(text: str, formats: Iterable[str], parse: type, name: str, example: str
           ) -> date | time | str:
    for pattern in formats:
        try:
            value = datetime.strptime(text.strip().upper(), pattern)
        except ValueError:
            continue
        return value.date() if parse is date else value.time()
    return f"{name} {text.strip()!r} is not a {parse.__name__} like {example}"


def _event_fields(cells: dict[str, str], *, network_id: str, status: str
                  ) -> tuple[EventCreate | None, list[str]]:
    problems: list[str] = []
    try:
        low, high = parse_grade_span(cells["grades"])
    except ValueError as exc:
        problems.append(f"grades: {exc}")
        low = high = "K"
    raw = {
        "network_id": network_id, "status": status, "title": cells["title"],
        "kind": cells["kind"].lower().replace(" ", "_"),
        "subjects": [s.strip() for s in cells["subjects"].replace(",", ";").split(";")
                     if s.strip()],
        "grade_min": low, "grade_max": high,
        "format": (cells["format"] or "in_person").lower().replace(" ", "_"),
        "venue": cells["venue"] or None, "county": cells["county"] or None,
        "timezone": cells["timezone"], "credit_hours": cells["credit_hours"] or 0,
    }
    try:
        event = EventCreate.model_validate(raw)
    except ValidationError as exc:
        return None, problems + _messages(exc, EVENT_COLUMN_OF)
    return (None if problems else event), problems


def _session(cells: dict[str, str], number: int, zone: ZoneInfo | None
             ) -> tuple[SessionCreate | None, list[str]]:
    problems = []
    day = _parse(cells["date"], DATE_FORMATS, date, "date", "2026-03-04")
    start = _parse(cells["start_time"], TIME_FORMATS, time, "start_time", "15:30")
    end = _parse(cells["end_time"], TIME_FORMATS, time, "end_time", "17:00")
    problems += [p for p in (day, start, end) if isinstance(p, str)]
    if problems or zone is None:  # no time zone: the event's own error already says why
        return None, problems
    try:
        starts_at, ends_at = local_instant(day, start, zone), local_instant(day, end, zone)
    except InvalidSchedule as exc:
        return None, [exc.detail]
    try:
        return SessionCreate.model_validate({
            "title": cells["session_title"] or f"Session {number}", "starts_at": starts_at,
            "ends_at": ends_at, "capacity": cells["capacity"], "room": cells["room"] or None,
        }), []
    except ValidationError as exc:
        return None, _messages(exc, SESSION_COLUMN_OF)


def _zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ValueError, KeyError):  # ZoneInfoNotFoundError is a KeyError
        return None


def plan(lines: list[Line], *, network_id: str, status: str) -> Plan:
    """The events the lines describe, in the order they first appear, and each line's errors.
    An event is valid only when every one of its lines is: it is imported whole or not at all."""
    errors: dict[int, list[str]] = {}
    groups: dict[tuple[str, str], list[tuple[Line, dict[str, str]]]] = {}
    for line in lines[:MAX_LINES]:
        if len(line.cells) != len(HEADER):
            errors[line.number] = [f"expected {len(HEADER)} columns, found {len(line.cells)}"]
            continue
        cells = dict(zip(HEADER, (cell.strip() for cell in line.cells), strict=True))
        key = (" ".join(cells["title"].split()).casefold(), cells["event_key"])
        groups.setdefault(key, []).append((line, cells))
    for line in lines[MAX_LINES:]:
        errors[line.number] = [f"a sheet may have at most {MAX_LINES} lines; split it"]

    events = []
    for group in groups.values():
        (first, first_cells), *_rest = group
        data, problems = _event_fields(first_cells, network_id=network_id, status=status)
        planned = PlannedEvent(lines=[line.number for line, _ in group], title=first_cells["title"],
                               data=data)
        if problems:
            errors.setdefault(first.number, []).extend(problems)
        for number, (line, cells) in enumerate(group, start=1):
            differs = [c for c in EVENT_COLUMNS if cells[c] != first_cells[c]]
            if differs:
                errors.setdefault(line.number, []).append(
                    f"{', '.join(differs)} differ from line {first.number}, the first line of "
                    "this event (give each event's lines the same event fields, or another "
                    "event_key)")
            session, problems = _session(cells, number, _zone(cells["timezone"]))
            if session is not None:
                planned.sessions.append(PlannedSession(line.number, session))
            if problems:
                errors.setdefault(line.number, []).extend(problems)
        planned.valid = data is not None and not any(n in errors for n in planned.lines)
        events.append(planned)
    return Plan(lines=len(lines), events=events,
                errors={n: "; ".join(found) for n, found in sorted(errors.items())})
