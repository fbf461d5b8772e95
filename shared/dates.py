"""The dates and times Cascade's APIs accept: ISO 8601 text (never a number, which pydantic would
read as seconds since 1970, so 0 would become 1970-01-01) in the years 1900 to 2199, near enough
that everything computed from them (school years, a time zone's changes for a calendar feed)
stays valid and cheap, and wide enough for any real schedule or record."""

import re
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, AwareDatetime, BeforeValidator

FIRST_YEAR, LAST_YEAR = 1900, 2199
_NUMBER = re.compile(r"\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*")


def _text(value: Any) -> Any:
    if isinstance(value, int | float) or (isinstance(value, str) and _NUMBER.fullmatch(value)):
        raise ValueError("give an ISO 8601 date or time such as 2026-03-04, not a number")
    return value


def _in_range(value: date | datetime) -> date | datetime:
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValueError(f"the year must be between {FIRST_YEAR} and {LAST_YEAR}")
    return value


Day = Annotated[date, BeforeValidator(_text), AfterValidator(_in_range)]
Moment = Annotated[AwareDatetime, BeforeValidator(_text), AfterValidator(_in_range)]
