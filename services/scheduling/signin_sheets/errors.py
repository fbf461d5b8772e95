"""Errors of sign-in sheet imports, each with a stable code clients can branch on."""

from shared.errors import CascadeError, InvalidInput, NotFound


class JobNotFound(NotFound):
    code, title = "job_not_found", "Import job not found"


class InvalidSheet(InvalidInput):
    code, title = "invalid_sign_in_sheet", "Invalid sign-in sheet"


class SheetTooLarge(CascadeError):
    status_code, code, title = 413, "sheet_too_large", "Sign-in sheet too large"


class UnsupportedSheetType(CascadeError):
    status_code, code, title = 415, "unsupported_media_type", "Send text/csv or multipart/form-data"
