from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

NotificationStatus = Literal["queued", "sending", "sent", "failed", "skipped"]


class NotificationPublic(BaseModel):
    """A message as its recipient (or a platform admin) reads it in the mailbox."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    kind: str
    person_id: str | None
    email: str
    name: str
    subject: str
    body: str
    status: NotificationStatus
    delivered_via: str | None  # "smtp" or "mailbox" once sent
    attempts: int
    last_error: str | None
    event_id: str | None
    created_at: datetime
    sent_at: datetime | None


class MailRequest(BaseModel):
    """A `mail.requested` event of identity's feed: mail about an account (a sign-up's link, a
    password reset, an invitation), queued here like any other message."""

    to_email: str = Field(max_length=320)
    person_id: str | None = Field(default=None, max_length=64)
    subject: str = Field(max_length=300)
    body: str = Field(max_length=20_000)
    dedupe_key: str = Field(min_length=1, max_length=180)
