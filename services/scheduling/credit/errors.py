"""Errors of PD credit approvals and transcripts, each with a stable code."""

from shared.errors import Conflict, InvalidInput, NotFound


class CreditHoursAboveEvent(InvalidInput):
    code, title = "credit_hours_above_event", "More hours than the event offers"


class NotADistrict(InvalidInput):
    code, title = "not_a_district", "Not a district"


class CreditAlreadyApproved(Conflict):
    code, title = "credit_already_approved", "Credit already approved"


class CreditNotApproved(Conflict):
    code, title = "credit_not_approved", "Credit is not approved"


class PersonNotFound(NotFound):
    code, title = "person_not_found", "Person not found"
