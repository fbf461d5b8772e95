"""Errors of event imports, each with a stable code clients can branch on."""

from shared.errors import InvalidInput


class InvalidEventSheet(InvalidInput):
    code, title = "invalid_event_sheet", "Invalid events sheet"


class EventSheetHasErrors(InvalidInput):
    code, title = "event_sheet_has_errors", "Some lines of the events sheet have errors"
