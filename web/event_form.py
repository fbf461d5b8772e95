"""The event forms: the new-event form (an event and its first session) and the edit form share
the event's fields. They are checked here so that mistakes come back beside their fields, then
turned into the scheduling API's request bodies."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import ClassVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from web.vocabulary import EVENT_KINDS, FORMATS, GRADES, SUBJECTS

# The fields of an event both forms show, by the API's names.
EVENT_FIELDS = ("title", "kind", "subjects", "grade_min", "grade_max", "format", "venue",
                "county", "audience", "timezone", "credit_hours", "description")


@dataclass(frozen=True)
class EventForm:
    network_id: str
    fields: dict  # the event's own fields, from parse_event_fields
    session_title: str
    starts_at: datetime
    ends_at: datetime
    capacity: int
    facilitator_id: str
    publish: bool

    FIELDS: ClassVar[tuple[str, ...]] = (
        "network_id", *EVENT_FIELDS, "session_title", "session_date", "start_time", "end_time",
        "capacity", "facilitator_id")
    # Where the API's field names land in this form, per request.
    EVENT_ALIASES: ClassVar[dict[str, str]] = {}
    SESSION_ALIASES: ClassVar[dict[str, str]] = {
        "title": "session_title", "starts_at": "start_time", "ends_at": "end_time",
        "facilitator_ids": "facilitator_id",
    }

    def event_body(self, *, status: str) -> dict:
        return {**self.fields, "status": status}

    def session_body(self) -> dict:
        return {
            "title": self.session_title, "starts_at": self.starts_at.isoformat(),
            "ends_at": self.ends_at.isoformat(), "capacity": self.capacity,
            "facilitator_ids": [self.facilitator_id] if self.facilitator_id else [],
        }


def text(values: dict, name: str) -> str:
    value = values.get(name, "")
    return value.strip() if isinstance(value, str) else ""


def parse_event_fields(values: dict) -> tuple[dict, dict[str, str]]:
    """The event's own fields (what the new-event and edit forms share), checked, as the API's
    names and values, with the errors beside them."""
    errors: dict[str, str] = {}
    title = text(values, "title")
    if not title:
        errors["title"] = "Give the event a title."
    elif len(title) > 200:
        errors["title"] = "Keep the title under 200 characters."
    kind = text(values, "kind")
    if kind not in dict(EVENT_KINDS):
        errors["kind"] = "Choose what kind of event this is."
    subjects = [s for s in values.get("subjects", []) if s in dict(SUBJECTS)]
    if not subjects:
        errors["subjects"] = "Choose at least one subject."
    grade_min, grade_max = text(values, "grade_min"), text(values, "grade_max")
    if grade_min not in GRADES:
        errors["grade_min"] = "Choose the lowest grade."
    if grade_max not in GRADES:
        errors["grade_max"] = "Choose the highest grade."
    elif grade_min in GRADES and GRADES.index(grade_min) > GRADES.index(grade_max):
        errors["grade_max"] = "The highest grade cannot be below the lowest."
    event_format = text(values, "format") or "in_person"
    if event_format not in dict(FORMATS):
        errors["format"] = "Choose in person, virtual or hybrid."
    venue = text(values, "venue")
    if len(venue) > 300:
        errors["venue"] = "Keep the venue under 300 characters."
    county = text(values, "county")
    if len(county) > 100:
        errors["county"] = "Keep the county under 100 characters."
    audience = text(values, "audience")
    if len(audience) > 200:
        errors["audience"] = "Keep the audience under 200 characters."
    tz_name = text(values, "timezone")
    if time_zone(tz_name) is None:
        errors["timezone"] = "Choose the time zone the session times are in."
    credit_hours = 0.0
    try:
        credit_hours = float(text(values, "credit_hours") or "0")
        if not 0 <= credit_hours <= 1000:
            raise ValueError
    except ValueError:
        errors["credit_hours"] = "Enter the PD credit hours as a number, like 3 or 1.5."
    return {
        "title": title, "kind": kind, "subjects": subjects, "grade_min": grade_min,
        "grade_max": grade_max, "format": event_format, "venue": venue or None,
        "county": county or None, "audience": audience or None, "timezone": tz_name,
        "credit_hours": credit_hours,
        "description": text(values, "description"),
    }, errors


def time_zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name) if name else None
    except (ZoneInfoNotFoundError, ValueError):
        return None


def local_instant(day: date, clock: time, zone: ZoneInfo) -> datetime:
    """A date and time as the clock reads in the event's zone, as a UTC instant (the API's)."""
    return datetime.combine(day, clock, tzinfo=zone).astimezone(UTC)


def parse_event_form(values: dict) -> tuple[EventForm | None, dict[str, str]]:
    fields, errors = parse_event_fields(values)
    network_id = text(values, "network_id")
    if not network_id:
        errors["network_id"] = "Choose the network that hosts this event."
    zone = time_zone(fields["timezone"])
    session_title = text(values, "session_title") or "Session I"
    if len(session_title) > 200:
        errors["session_title"] = "Keep the session title under 200 characters."
    day = start = end = None
    try:
        day = date.fromisoformat(text(values, "session_date"))
    except ValueError:
        errors["session_date"] = "Enter the date of the session."
    try:
        start = time.fromisoformat(text(values, "start_time"))
    except ValueError:
        errors["start_time"] = "Enter the start time, like 15:30."
    try:
        end = time.fromisoformat(text(values, "end_time"))
    except ValueError:
        errors["end_time"] = "Enter the end time, like 17:00."
    if start and end and end <= start:
        errors["end_time"] = "The session must end after it starts."
    capacity = 0
    try:
        capacity = int(text(values, "capacity"))
        if not 1 <= capacity <= 100_000:
            raise ValueError
    except ValueError:
        errors["capacity"] = "Enter how many people can attend (1 or more)."
    if errors or not (day and start and end and zone):
        return None, errors
    return EventForm(
        network_id=network_id, fields=fields, session_title=session_title,
        starts_at=local_instant(day, start, zone), ends_at=local_instant(day, end, zone),
        capacity=capacity, facilitator_id=text(values, "facilitator_id"),
        publish=values.get("publish") == "on",
    ), {}
