"""The evidence service's error types, each with a stable code."""

from shared.errors import CascadeError, Forbidden, InvalidInput, NotFound


class UploadTooLarge(CascadeError):
    status_code, code, title = 413, "upload_too_large", "Upload too large"


class UnsupportedUpload(CascadeError):
    status_code, code, title = 415, "unsupported_media_type", "Send multipart/form-data"


class InvalidArtifact(InvalidInput):
    code, title = "invalid_artifact", "Invalid artifact"


class SessionNotFound(NotFound):
    code, title = "session_not_found", "Session not found"


class ArtifactNotFound(NotFound):
    code, title = "artifact_not_found", "Artifact not found"


class NotAllowedForSession(Forbidden):
    code, title = "session_forbidden", "Not allowed for this session"


class SchedulingUnavailable(CascadeError):
    status_code, code, title = 503, "scheduling_unavailable", "Scheduling unavailable"
    headers = {"Retry-After": "2"}
