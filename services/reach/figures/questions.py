"""What a caller may ask of reach: a network, a window, and filters by any breakdown dimension.

A filter narrows either the people counted (a person's county, district, school, role or the
equity lens of their school), the sessions that count (an event's subject, grade span, kind or
program: the cascade's sessions included), or the window (a school or program year). Each
dimension also breaks the figures down, one row per value.
"""

from dataclasses import dataclass, field, replace
from datetime import date

import numpy as np

from services.reach.engine.result import (
    CONFERENCE_KINDS,
    DIRECT_KINDS,
    NOT_RECORDED,
    People,
    SessionFilter,
)
from services.reach.errors import InvalidWindow, UnknownFilter, UnsupportedDimension

PERSON_DIMENSIONS = ("county", "district", "school", "role", "high_poverty", "el_serving",
                     "rural")
SESSION_DIMENSIONS = ("subject", "grade_span", "event_kind")
YEAR_DIMENSIONS = ("school_year", "program_year")
DIMENSIONS = PERSON_DIMENSIONS + SESSION_DIMENSIONS + YEAR_DIMENSIONS
FILTERS = (*DIMENSIONS, "program_id")

SUBJECTS = ("ELA", "math", "science", "ELD", "other")
ROLES = ("teacher", "coach_tosa", "administrator", "teacher_candidate", "other")
# Grade spans as ordinals (TK = -1, K = 0); an event counts in every span its grades overlap.
GRADE_SPANS = {"TK-2": (-1, 2), "3-5": (3, 5), "6-8": (6, 8), "9-12": (9, 12)}
EVENT_KINDS = tuple(sorted(DIRECT_KINDS | CONFERENCE_KINDS))
LENS_VALUES = ("yes", "no")
FIRST_YEAR, LAST_YEAR = 2000, 2099
# School and program years run July 1 to June 30 and are named "2025-26".
YEARS = tuple(f"{y}-{(y + 1) % 100:02d}" for y in range(FIRST_YEAR, LAST_YEAR + 1))
CHOICES: dict[str, tuple[str, ...]] = {
    "role": ROLES, "high_poverty": LENS_VALUES, "el_serving": LENS_VALUES, "rural": LENS_VALUES,
    "subject": SUBJECTS, "grade_span": tuple(GRADE_SPANS), "event_kind": EVENT_KINDS,
    "school_year": YEARS, "program_year": YEARS,
}


def year_window(year: str) -> tuple[date, date]:
    first = int(year[:4])
    return date(first, 7, 1), date(first + 1, 6, 30)


def year_of(day: date) -> str:
    first = day.year if day.month >= 7 else day.year - 1
    return f"{first}-{(first + 1) % 100:02d}"


def years_between(start: date, end: date) -> list[str]:
    first, last = year_of(start), year_of(end)
    return [y for y in YEARS if first <= y <= last]


@dataclass(frozen=True)
class Question:
    network_id: str
    start: date
    end: date
    filters: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.start > self.end:
            raise InvalidWindow("from must not be after to.")
        for name, value in self.filters.items():
            if name not in FILTERS:
                raise UnknownFilter(f"{name} is not a filter; filters are {', '.join(FILTERS)}.",
                                    supported=list(FILTERS))
            if name in CHOICES and value not in CHOICES[name]:
                raise UnknownFilter(f"{name} must be one of {', '.join(CHOICES[name][:12])}"
                                    f"{' ...' if len(CHOICES[name]) > 12 else ''}.",
                                    supported=list(CHOICES[name]))

    def window(self) -> tuple[date, date] | None:
        """The window narrowed by a school or program year filter; None when they don't meet."""
        start, end = self.start, self.end
        for name in YEAR_DIMENSIONS:
            if name in self.filters:
                year_start, year_end = year_window(self.filters[name])
                start, end = max(start, year_start), min(end, year_end)
        return (start, end) if start <= end else None

    def sessions(self) -> SessionFilter:
        f = self.filters
        return SessionFilter(subject=f.get("subject"),
                             grades=GRADE_SPANS.get(f["grade_span"]) if "grade_span" in f else None,
                             event_kind=f.get("event_kind"), program_id=f.get("program_id"))

    def narrowed(self, name: str, value: str) -> "Question":
        return replace(self, filters={**self.filters, name: value})

    def people(self, people: People) -> np.ndarray:
        """The mask of people the person filters keep (everyone when there are none)."""
        mask = np.ones(people.count, dtype=bool)
        for name in PERSON_DIMENSIONS:
            if name in self.filters:
                places = people.places[name]
                try:
                    code = places.keys.index(self.filters[name])
                except ValueError:
                    code = None
                if code is None and name == "county":  # counties are matched as people write them
                    wanted = self.filters[name].casefold()
                    code = next((i for i, k in enumerate(places.keys)
                                 if k.casefold() == wanted), None)
                mask &= places.codes == (NOT_RECORDED - 1 if code is None else code)
        return mask


def check_dimension(dimension: str) -> None:
    if dimension not in DIMENSIONS:
        raise UnsupportedDimension(
            f"dimension must be one of {', '.join(DIMENSIONS)}.", supported=list(DIMENSIONS))
