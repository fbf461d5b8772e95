"""Errors of uploads and import jobs, each with a stable code clients can branch on."""

from shared.errors import CascadeError, NotFound


class JobNotFound(NotFound):
    code, title = "job_not_found", "Import job not found"


class SheetTooLarge(CascadeError):
    status_code, code, title = 413, "sheet_too_large", "Uploaded sheet too large"


class UnsupportedSheetType(CascadeError):
    status_code, code, title = 415, "unsupported_media_type", "Send text/csv or multipart/form-data"
