"""Errors of availability polls, each with a stable code."""

from shared.errors import Conflict, InvalidInput, NotFound


class PollNotFound(NotFound):
    code, title = "poll_not_found", "Poll not found"


class InviteeNotFound(NotFound):
    code, title = "poll_invitee_not_found", "Invitee not found"


class InvitationNotFound(NotFound):
    # A wrong, old or made-up link: nothing tells it apart from a link that never existed.
    code, title = "poll_invitation_not_found", "This link does not open any poll"


class PollClosed(Conflict):
    code, title = "poll_closed", "This poll no longer takes answers"


class PollAlreadyDecided(Conflict):
    code, title = "poll_already_decided", "This poll's time was already picked"


class UnknownPollTime(InvalidInput):
    code, title = "unknown_poll_time", "Not one of this poll's times"
