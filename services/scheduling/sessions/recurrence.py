"""Dates of a weekly series, as UTC instants of wall-clock times in the event's time zone."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from services.scheduling.errors import InvalidSchedule


def local_instant(day: date, wall: time, zone: ZoneInfo) -> datetime:
    """The UTC instant of a local wall-clock time. fold=0 picks the first of a repeated
    (fall-back) hour; a time skipped by spring-forward does not survive the round trip."""
    local = datetime.combine(day, wall, tzinfo=zone)
    instant = local.astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) != local.replace(tzinfo=None):
        raise InvalidSchedule(
            f"{wall:%H:%M} does not exist on {day.isoformat()} in {zone.key} "
            "(the clocks skip it); choose another time."
        )
    return instant


def weekly(*, first_date: date, weekday: int, every_weeks: int, count: int, start_time: time,
           end_time: time, timezone: str) -> list[tuple[datetime, datetime]]:
    """(starts_at, ends_at) of each meeting: on `weekday` (0 = Monday) from first_date on,
    every `every_weeks` weeks, `count` times."""
    zone = ZoneInfo(timezone)
    first = first_date + timedelta(days=(weekday - first_date.weekday()) % 7)
    days = [first + timedelta(weeks=every_weeks * n) for n in range(count)]
    return [(local_instant(day, start_time, zone), local_instant(day, end_time, zone))
            for day in days]
