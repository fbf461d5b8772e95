"""Errors of sign-in sheet imports, each with a stable code clients can branch on (those of every
upload, too large or not CSV, are in jobs.errors)."""

from shared.errors import InvalidInput


class InvalidSheet(InvalidInput):
    code, title = "invalid_sign_in_sheet", "Invalid sign-in sheet"
