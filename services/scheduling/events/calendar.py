"""An event as an RFC 5545 iCalendar document: one VEVENT per session, times in UTC."""

from datetime import UTC, datetime

from services.scheduling.events.models import Event
from services.scheduling.sessions.models import Session

PRODID = "-//Cascade//Scheduling//EN"


def _text(value: str) -> str:
    # RFC 5545 3.3.11: backslash, semicolon, comma and newlines are escaped in TEXT values.
    return (value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n"))


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


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


def render(event: Event, sessions: list[Session], *, stamp: datetime) -> str:
    lines = [
        "BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH", f"X-WR-CALNAME:{_text(event.title)}", f"X-WR-TIMEZONE:{event.timezone}",
    ]
    for session in sessions:
        location = ", ".join(part for part in (event.venue, session.room) if part)
        lines += [
            "BEGIN:VEVENT",
            f"UID:{session.id}@cascade-scheduling",
            f"DTSTAMP:{_utc(stamp)}",
            f"DTSTART:{_utc(session.starts_at)}",
            f"DTEND:{_utc(session.ends_at)}",
            f"SUMMARY:{_text(f'{event.title}: {session.title}')}",
        ]
        if location:
            lines.append(f"LOCATION:{_text(location)}")
        description = session.description or event.description
        if description:
            lines.append(f"DESCRIPTION:{_text(description)}")
        lines.append("STATUS:CANCELLED" if event.status == "cancelled" else "STATUS:CONFIRMED")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "".join(_fold(line) + "\r\n" for line in lines)
