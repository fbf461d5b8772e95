"""Errors of programs and their cohorts, each with a stable code."""

from shared.errors import Conflict, InvalidInput, NotFound


class ProgramNotFound(NotFound):
    code, title = "program_not_found", "Program not found"


class CohortEntryNotFound(NotFound):
    code, title = "cohort_entry_not_found", "Cohort entry not found"


class AlreadyInCohort(Conflict):
    code, title = "already_in_cohort", "Already in this program year's cohort"


class ProgramYearOutside(InvalidInput):
    code, title = "program_year_outside_program", "Program year outside the program's dates"


class CohortOutsideDates(Conflict):
    code, title = "cohort_outside_dates", "Cohort entries fall outside the new dates"
