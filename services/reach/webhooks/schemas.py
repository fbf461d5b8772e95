from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

EventType = Literal["month.final"]


class WebhookCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "network_id": "01jnetwork0000000000000000", "url": "https://partner.example/hooks",
        "partner_id": "01jpartner0000000000000000", "events": ["month.final"]}]})

    network_id: str = Field(min_length=1, max_length=64)
    url: str = Field(min_length=1, max_length=2000,
                     description="https (plain http only to localhost, where the service allows "
                                 "it for development)")
    partner_id: str | None = Field(None, min_length=1, max_length=64,
                                   description="the partner organization that receives it")
    events: list[EventType] = Field(min_length=1, max_length=10)


class WebhookPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    network_id: str
    url: str
    partner_id: str | None
    events: list[str]
    created_at: datetime


class WebhookCreated(WebhookPublic):
    """The secret appears in this answer only: store it now to verify Cascade-Signature."""

    secret: str = Field(description="whsec_...; the HMAC-SHA256 key of every delivery")


class AttemptPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    attempted_at: datetime
    duration_ms: int
    status_code: int | None = Field(description="the receiver's answer; null when none came")
    error: str | None = Field(description="why no answer came: a timeout, a refused connection")
    succeeded: bool


class DeliveryPublic(BaseModel):
    id: str = Field(description="the event's id: the same in every attempt (Cascade-Event-Id)")
    subscription_id: str
    event_type: str
    month: str
    status: Literal["pending", "delivering", "delivered", "failed"]
    next_attempt_at: datetime | None = Field(description="when the next attempt is due")
    created_at: datetime
    delivered_at: datetime | None
    payload: dict[str, Any]
    attempts: list[AttemptPublic] = Field(description="every attempt, oldest first")
