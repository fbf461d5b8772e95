"""The forms that schedule an event's sessions: one session, a weekly series, a conference
breakout slot, and a change to one session. Dates and times are typed as the clock reads in the
event's time zone; each form is checked here, so mistakes come back beside their fields, then
turned into the scheduling API's request body.

Three of these forms share a page, so each names its fields with its own prefix (ids must be
unique on a page); PREFIX maps the API's field names back to the form's."""

from dataclasses import dataclass, field
from datetime import date, time
from zoneinfo import ZoneInfo

from web.event_form import local_instant, text

WEEKDAYS = [("monday", "Monday"), ("tuesday", "Tuesday"), ("wednesday", "Wednesday"),
            ("thursday", "Thursday"), ("friday", "Friday"), ("saturday", "Saturday"),
            ("sunday", "Sunday")]
INTERVALS = [("1", "Every week"), ("2", "Every other week"), ("3", "Every third week"),
             ("4", "Every fourth week")]


@dataclass
class Checked:
    """A form's values read one by one, with the error of each field that is wrong."""

    values: dict
    prefix: str = ""
    errors: dict[str, str] = field(default_factory=dict)

    def name(self, short: str) -> str:
        return f"{self.prefix}{short}"

    def text(self, short: str, *, required: str | None = None, limit: int = 200,
             label: str = "this") -> str:
        value = text(self.values, self.name(short))
        if required and not value:
            self.errors[self.name(short)] = required
        elif len(value) > limit:
            self.errors[self.name(short)] = f"Keep {label} under {limit} characters."
        return value

    def day(self, short: str) -> date | None:
        try:
            return date.fromisoformat(text(self.values, self.name(short)))
        except ValueError:
            self.errors[self.name(short)] = "Enter a date."
            return None

    def clock(self, short: str, example: str) -> time | None:
        try:
            return time.fromisoformat(text(self.values, self.name(short)))
        except ValueError:
            self.errors[self.name(short)] = f"Enter a time, like {example}."
            return None

    def times(self) -> tuple[time | None, time | None]:
        start, end = self.clock("start_time", "15:30"), self.clock("end_time", "17:00")
        if start and end and end <= start:
            self.errors[self.name("end_time")] = "It must end after it starts."
        return start, end

    def number(self, short: str, low: int, high: int, message: str) -> int:
        try:
            value = int(text(self.values, self.name(short)))
            if low <= value <= high:
                return value
        except ValueError:
            pass
        self.errors[self.name(short)] = message
        return low

    def capacity(self) -> int:
        return self.number("capacity", 1, 100_000, "Enter how many people can attend (1 or more).")

    def emails(self) -> list[str]:
        """The facilitators' emails, one per line or comma-separated; resolved by the page."""
        raw = text(self.values, self.name("facilitators")).replace(",", "\n")
        emails = list(dict.fromkeys(e.strip().lower() for e in raw.splitlines() if e.strip()))
        if any("@" not in e for e in emails):
            self.errors[self.name("facilitators")] = "Enter email addresses, one per line."
        return emails


def api_names(prefix: str, names: tuple[str, ...]) -> dict[str, str]:
    """The API's field names mapped to this form's prefixed names."""
    return {name: f"{prefix}{name}" for name in names}


SESSION_FIELDS = ("title", "slot_id", "session_date", "start_time", "end_time", "room",
                  "capacity", "facilitators")
SESSION_ALIASES = {"starts_at": "start_time", "ends_at": "end_time",
                   "facilitator_ids": "facilitators"}


def parse_session(values: dict, zone: ZoneInfo) -> tuple[dict, list[str], dict[str, str]]:
    """One session: (API body without facilitator_ids, facilitator emails, errors). In a
    conference slot the times may be left empty: the session takes the slot's."""
    form = Checked(values)
    body: dict = {
        "title": form.text("title", required="Give the session a title.", label="the title"),
        "room": form.text("room", limit=200, label="the room") or None,
        "capacity": form.capacity(),
    }
    slot_id = text(values, "slot_id")
    if slot_id:
        body["slot_id"] = slot_id
    times_given = any(text(values, n) for n in ("session_date", "start_time", "end_time"))
    if not slot_id or times_given:
        day, (start, end) = form.day("session_date"), form.times()
        if day and start and end:
            body["starts_at"] = local_instant(day, start, zone).isoformat()
            body["ends_at"] = local_instant(day, end, zone).isoformat()
    return body, form.emails(), form.errors


SERIES_PREFIX = "series_"
SERIES_FIELDS = tuple(f"{SERIES_PREFIX}{n}" for n in (
    "title", "first_date", "weekday", "every_weeks", "count", "start_time", "end_time", "room",
    "capacity", "facilitators"))
SERIES_ALIASES = {**api_names(SERIES_PREFIX, ("title", "first_date", "weekday", "every_weeks",
                                              "count", "start_time", "end_time", "room",
                                              "capacity")),
                  "facilitator_ids": f"{SERIES_PREFIX}facilitators"}


def parse_series(values: dict) -> tuple[dict, list[str], dict[str, str]]:
    """A weekly series ("every other Tuesday, 4 times, 3:30-5:00 pm"), as wall-clock values:
    the API places each meeting in the event's zone."""
    form = Checked(values, SERIES_PREFIX)
    title = form.text("title", required="Give the series a title; meetings are numbered.",
                      limit=190, label="the title")
    first_date = form.day("first_date")
    weekday = text(values, form.name("weekday"))
    if weekday not in dict(WEEKDAYS):
        form.errors[form.name("weekday")] = "Choose the day of the week it meets."
    every_weeks = form.number("every_weeks", 1, 4, "Choose how often it meets.")
    count = form.number("count", 1, 52, "Enter how many times it meets (1 to 52).")
    start, end = form.times()
    body = {"title": title, "first_date": first_date.isoformat() if first_date else "",
            "weekday": weekday, "every_weeks": every_weeks, "count": count,
            "start_time": start.isoformat("minutes") if start else "",
            "end_time": end.isoformat("minutes") if end else "",
            "room": form.text("room", label="the room") or None, "capacity": form.capacity()}
    return body, form.emails(), form.errors


SLOT_PREFIX = "slot_"
SLOT_FIELDS = tuple(f"{SLOT_PREFIX}{n}" for n in ("label", "date", "start_time", "end_time"))
SLOT_ALIASES = {"label": "slot_label", "starts_at": "slot_start_time", "ends_at": "slot_end_time"}


def parse_slot(values: dict, zone: ZoneInfo) -> tuple[dict, dict[str, str]]:
    form = Checked(values, SLOT_PREFIX)
    label = form.text("label", required="Name the slot, like “Breakout A”.", label="the label")
    day, (start, end) = form.day("date"), form.times()
    body = {"label": label}
    if day and start and end:
        body["starts_at"] = local_instant(day, start, zone).isoformat()
        body["ends_at"] = local_instant(day, end, zone).isoformat()
    return body, form.errors


EDIT_FIELDS = ("title", "session_date", "start_time", "end_time", "room", "capacity")


def parse_session_change(values: dict, zone: ZoneInfo) -> tuple[dict, dict[str, str]]:
    """A change to one session: its title, room, capacity and times."""
    form = Checked(values)
    body = {"title": form.text("title", required="Give the session a title.", label="the title"),
            "room": form.text("room", label="the room") or None, "capacity": form.number(
                "capacity", 0, 100_000, "Enter how many people can attend.")}
    day, (start, end) = form.day("session_date"), form.times()
    if day and start and end:
        body["starts_at"] = local_instant(day, start, zone).isoformat()
        body["ends_at"] = local_instant(day, end, zone).isoformat()
    return body, form.errors
