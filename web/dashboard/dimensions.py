"""The dimensions reach breaks its figures down by, and the values its filters take, as the
dashboard offers them (the reach API is the authority: it refuses any other)."""

from datetime import date

from web.vocabulary import SUBJECTS

DIMENSIONS = [
    ("county", "County"), ("district", "District"), ("school", "School"), ("role", "Role"),
    ("high_poverty", "High poverty"), ("el_serving", "English-learner serving"),
    ("rural", "Rural"), ("subject", "Subject"), ("grade_span", "Grade span"),
    ("event_kind", "Event kind"), ("school_year", "School year"),
    ("program_year", "Program year"),
]
DIMENSION_LABELS = dict(DIMENSIONS)
YEAR_DIMENSIONS = ("school_year", "program_year")
ROLES = [("teacher", "Teacher"), ("coach_tosa", "Coach or TOSA"),
         ("administrator", "Administrator"), ("teacher_candidate", "Teacher candidate"),
         ("other", "Other")]
KINDS = [("workshop_series", "Workshop series"), ("institute", "Institute"),
         ("coaching_cycle", "Coaching cycle"), ("community_of_practice", "Community of practice"),
         ("lesson_study", "Lesson study"), ("conference", "Conference"), ("webinar", "Webinar"),
         ("presentation", "Presentation")]
GRADE_SPANS = [(span, span) for span in ("TK-2", "3-5", "6-8", "9-12")]
YES_NO = [("yes", "Yes"), ("no", "No")]
# Filters chosen from a list; county, district, school and program_id are free (ids or names).
CHOICES: dict[str, list[tuple[str, str]]] = {
    "role": ROLES, "subject": SUBJECTS, "event_kind": KINDS, "grade_span": GRADE_SPANS,
    "high_poverty": YES_NO, "el_serving": YES_NO, "rural": YES_NO,
}
FREE = ("county", "district", "school", "program_id")
FILTERS = (*FREE, *CHOICES, *YEAR_DIMENSIONS)
FILTER_LABELS = {**DIMENSION_LABELS, "program_id": "Program"}
FIRST_YEAR, LAST_YEAR = 2000, 2100


def school_year_of(day: date) -> str:
    first = day.year if day.month >= 7 else day.year - 1
    return f"{first}-{(first + 1) % 100:02d}"


def school_years(start: date, end: date) -> list[tuple[str, str]]:
    """The school years (July 1 to June 30) a window touches, as options."""
    first, last = int(school_year_of(start)[:4]), int(school_year_of(end)[:4])
    return [(f"{y}-{(y + 1) % 100:02d}",) * 2 for y in range(first, last + 1)]
