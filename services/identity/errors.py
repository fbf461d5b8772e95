"""The identity service's errors, each with a stable code.

Token endpoint failures carry OAuth 2.0 error codes (RFC 6749 section 5.2) as their `code`, so
OAuth clients and our own callers can tell a bad password from a bad request.
"""

from shared.errors import CascadeError, Conflict, InvalidInput, NotFound, Unauthorized


class InvalidRequest(CascadeError):
    status_code, code, title = 400, "invalid_request", "Invalid token request"


class UnsupportedGrantType(CascadeError):
    status_code, code, title = 400, "unsupported_grant_type", "Unsupported grant type"


class InvalidGrant(Unauthorized):
    code, title = "invalid_grant", "Invalid credentials"


class TooManyAttempts(CascadeError):
    status_code, code, title = 429, "too_many_attempts", "Too many failed sign-ins"

    def __init__(self, detail: str, *, retry_after: int) -> None:
        super().__init__(detail)
        self.headers = {"Retry-After": str(retry_after)}


class InvalidClient(Unauthorized):
    code, title = "invalid_client", "Invalid client"


class OrganizationNotFound(NotFound):
    code, title = "organization_not_found", "Organization not found"


class PersonNotFound(NotFound):
    code, title = "person_not_found", "Person not found"


class MembershipNotFound(NotFound):
    code, title = "membership_not_found", "Membership not found"


class ApiKeyNotFound(NotFound):
    code, title = "api_key_not_found", "API key not found"


class EmailTaken(Conflict):
    code, title = "email_taken", "A person with this email already exists"


class InvitationNotFound(NotFound):
    code, title = "invitation_not_found", "Invitation not found"


class InvitationClosed(Conflict):
    code, title = "invitation_closed", "This invitation was accepted or withdrawn"


class LinkNotFound(NotFound):
    code, title = "link_not_found", "This link is not valid"


class AccountExists(Conflict):
    code, title = "account_exists", "An account with this email already exists"


class OrganizationExists(Conflict):
    code, title = "organization_exists", "An organization with this name already exists here"


class MembershipExists(Conflict):
    code, title = "membership_exists", "This membership already exists"


class InvalidParent(InvalidInput):
    code, title = "invalid_parent", "Invalid parent organization"


class LoginSessionNotFound(NotFound):
    code, title = "login_session_not_found", "Session not found"


class WrongPassword(InvalidInput):
    code, title = "wrong_password", "The current password is wrong"
