"""The new-poll form: candidate times typed as the clock reads in the event's time zone, and a
textarea of invitees, "Name <email>" one per line. Mistakes come back beside their row or line."""

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time

from web.clients import ApiError
from web.rendering import zone

INVITEE_LINE = re.compile(r"^\s*(?P<name>[^<>]+?)\s*<\s*(?P<email>[^<>\s]+)\s*>\s*$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
DEFAULT_ROWS, MAX_ROWS = 3, 20


@dataclass
class PollForm:
    """The form's values as typed, and what the API is sent."""

    values: dict[str, str]
    rows: int
    errors: dict[str, str] = field(default_factory=dict)
    # (line number, message) for each invitee line that could not be read.
    line_errors: list[tuple[int, str]] = field(default_factory=list)
    body: dict = field(default_factory=dict)
    # The form row of each time sent, and the textarea line of each invitee sent, so the API's
    # refusals (by list index) land beside what the leader typed.
    time_rows: list[int] = field(default_factory=list)
    invitee_lines: list[int] = field(default_factory=list)

    @property
    def invalid(self) -> bool:
        return bool(self.errors or self.line_errors)


def rows_of(values: dict[str, str], *, more: bool = False) -> int:
    try:
        rows = int(values.get("rows", DEFAULT_ROWS))
    except ValueError:
        rows = DEFAULT_ROWS
    return max(1, min(MAX_ROWS, rows + (1 if more else 0)))


def _parsed(kind, text: str):
    try:
        return kind.fromisoformat(text)
    except ValueError:
        return None


def _times(form: PollForm) -> list[dict[str, str]]:
    times = []
    for row in range(form.rows):
        day, start, end = (form.values.get(f"{name}_{row}", "").strip()
                           for name in ("date", "start", "end"))
        if not (day or start or end):
            continue  # a blank row is simply not used
        parsed = _parsed(date, day), _parsed(time, start), _parsed(time, end)
        if None in parsed:
            form.errors[f"time_{row}"] = "Give the date, the start and the end."
        elif parsed[2] <= parsed[1]:
            form.errors[f"time_{row}"] = "The end must be after the start."
        else:
            times.append({"date": day, "start_time": start, "end_time": end})
            form.time_rows.append(row)
    if not times and not any(k.startswith("time_") for k in form.errors):
        form.errors["time_0"] = "Offer at least one time."
    return times


def _invitees(form: PollForm) -> list[dict[str, str]]:
    invitees, seen = [], set()
    for number, line in enumerate(form.values.get("invitees", "").splitlines(), start=1):
        if not line.strip():
            continue
        match = INVITEE_LINE.match(line)
        if match is None or not EMAIL.match(match["email"]):
            form.line_errors.append((number, f"“{line.strip()}” is not Name <email>."))
            continue
        email = match["email"].lower()
        if email in seen:
            form.line_errors.append((number, f"{email} is already on the list."))
            continue
        seen.add(email)
        invitees.append({"name": match["name"], "email": email})
        form.invitee_lines.append(number)
    if not invitees and not form.line_errors:
        form.errors["invitees"] = "Invite at least one person, one per line: Name <email>."
    return invitees


def parse_poll_form(values: dict[str, str], timezone: str) -> PollForm:
    form = PollForm(values=values, rows=rows_of(values))
    title = values.get("title", "").strip()
    if not title:
        form.errors["title"] = "Give the poll a title."
    times, invitees = _times(form), _invitees(form)
    deadline = None
    if values.get("deadline", "").strip():
        typed = _parsed(datetime, values["deadline"].strip())
        if typed is None:
            form.errors["deadline"] = "Give a date and time, or leave it empty."
        else:
            deadline = typed.replace(tzinfo=zone(timezone)).isoformat()
    form.body = {"title": title, "times": times, "invitees": invitees, "deadline_at": deadline}
    return form


def refused(form: PollForm, exc: ApiError) -> None:
    """The API's 422 as errors beside the rows and lines they are about."""
    for error in exc.errors:
        where = [part for part in error.loc if part != "body"]
        if len(where) >= 2 and where[0] == "times" and isinstance(where[1], int) \
                and where[1] < len(form.time_rows):
            form.errors[f"time_{form.time_rows[where[1]]}"] = error.msg
        elif len(where) >= 2 and where[0] == "invitees" and isinstance(where[1], int) \
                and where[1] < len(form.invitee_lines):
            form.line_errors.append((form.invitee_lines[where[1]], error.msg))
        elif where and where[0] in ("title", "deadline_at"):
            form.errors["deadline" if where[0] == "deadline_at" else "title"] = error.msg
        else:
            form.errors.setdefault("_form", error.msg)
    if not form.invalid:
        form.errors["_form"] = exc.detail
