"""The scheduling service's errors, each with a stable code clients can branch on."""

from shared.errors import Conflict, Forbidden, InvalidInput, NotFound


class EventNotFound(NotFound):
    code, title = "event_not_found", "Event not found"


class SlotNotFound(NotFound):
    code, title = "slot_not_found", "Slot not found"


class SessionNotFound(NotFound):
    code, title = "session_not_found", "Session not found"


class RegistrationNotFound(NotFound):
    code, title = "registration_not_found", "Registration not found"


class AlreadyRegistered(Conflict):
    code, title = "already_registered", "Already registered"


class SlotConflict(Conflict):
    code, title = "slot_conflict", "Already registered in this slot"


class EventClosed(Conflict):
    code, title = "event_closed", "Event is not open for registration"


class SessionCancelled(Conflict):
    code, title = "session_cancelled", "Session cancelled"


class EventCancelled(Conflict):
    code, title = "event_cancelled", "Event cancelled"


class SessionNotStarted(Conflict):
    code, title = "session_not_started", "Check-in has not opened yet"


class SeatContention(Conflict):
    code, title = "seat_contention", "Seats changed too fast; try again"
    headers = {"Retry-After": "1"}


class InvalidSchedule(InvalidInput):
    code, title = "invalid_schedule", "Invalid schedule"


class ProgramNotInNetwork(InvalidInput):
    code, title = "program_not_in_network", "Program not in the event's network"


class UnknownPerson(InvalidInput):
    code, title = "unknown_person", "No one has this email or id"


class UnknownNetwork(InvalidInput):
    code, title = "unknown_network", "No such network"


class LeadershipRefused(Forbidden):
    code, title = "leadership_refused", "Identity refused to grant this leadership"


class LeadershipUnknown(InvalidInput):
    code, title = "leadership_unknown", "No such person or network in identity"
