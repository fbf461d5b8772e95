from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from services.scheduling.registrations.schemas import RegistrationPublic
from services.scheduling.sessions.schemas import SessionPublic

Reason = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]


class SessionCancellation(BaseModel):
    session: SessionPublic
    # The registrations this request cancelled (empty when the session was already cancelled):
    # the people to tell.
    cancelled: list[RegistrationPublic]


class ForcedRegistrationCreate(BaseModel):
    """A leader seats a person even when the session is full. Name the person by id or email."""

    model_config = ConfigDict(extra="forbid")

    person_id: str | None = Field(None, min_length=1, max_length=64)
    email: str | None = Field(None, min_length=3, max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")
    reason: Annotated[Reason, Field(min_length=1, description="Why the capacity is overridden; "
                                                              "kept in the audit log")]

    @model_validator(mode="after")
    def _one_person(self) -> "ForcedRegistrationCreate":
        if (self.person_id is None) == (self.email is None):
            raise ValueError("give either person_id or email")
        return self


class RegistrationMoveCreate(BaseModel):
    """Move a person to another session of the same event."""

    model_config = ConfigDict(extra="forbid")

    session_id: str = Field(min_length=1, max_length=26, description="The session to move to")
    force: bool = Field(False, description="Confirm even if that session is full (else the "
                                           "person joins its waitlist)")
    reason: Reason = ""


class RegistrationMove(BaseModel):
    previous: RegistrationPublic  # now cancelled
    registration: RegistrationPublic  # in the new session: confirmed or waitlisted
    promoted: list[RegistrationPublic]  # confirmed from the old session's waitlist


class AuditEntryPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    network_id: str
    event_id: str
    session_id: str | None
    to_session_id: str | None
    person_id: str | None
    action: str
    actor: str
    actor_person_id: str | None
    reason: str
    details: dict[str, Any]
    created_at: datetime
