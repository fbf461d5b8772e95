from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

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
