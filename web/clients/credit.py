"""PD credit through the gateway: the deciders' queue, approving and revoking an event's credit,
and a person's transcript (scheduling's /credit and /me/transcript routes)."""

from datetime import date, datetime
from typing import Any

from web.clients.base import ApiModel, GatewayClient, Page

BASE = "/api/scheduling/v1"


class CreditApproval(ApiModel):
    id: str
    event_id: str
    district_id: str | None = None
    network_wide: bool = False
    status: str
    hours: float | None = None
    note: str = ""
    decided_at: datetime | None = None


class CreditApprovalPage(Page):
    items: list[CreditApproval]


class CreditEvent(ApiModel):
    id: str
    title: str
    kind: str = ""
    status: str = ""
    credit_hours: float = 0
    first_session_at: datetime | None = None


class CreditQueueItem(ApiModel):
    approval: CreditApproval
    event: CreditEvent


class CreditQueuePage(Page):
    items: list[CreditQueueItem]


class TranscriptRow(ApiModel):
    event_id: str
    event_title: str
    event_kind: str = ""
    first_attended_on: date
    sessions_attended: int
    sessions_total: int
    credit_hours: float = 0
    approved_hours: float | None = None
    approval: str
    approval_scope: str | None = None
    hours_earned: float = 0


class TranscriptYear(ApiModel):
    school_year: str
    approved_hours: float
    events: int
    pending_events: int = 0
    rows: list[TranscriptRow] = []


class Transcript(ApiModel):
    person_id: str
    total_hours: float
    pending_events: int = 0
    years: list[TranscriptYear] = []


class CreditClient:
    def __init__(self, gateway: GatewayClient) -> None:
        self.gateway = gateway

    async def queue(self, token: str, *, status: str, cursor: str | None = None,
                    limit: int = 25) -> CreditQueuePage:
        return await self.gateway.get(CreditQueuePage, f"{BASE}/credit/approvals", token=token,
                                      params={"status": status, "cursor": cursor, "limit": limit})

    async def of_event(self, token: str, event_id: str) -> CreditApprovalPage:
        return await self.gateway.get(CreditApprovalPage, f"{BASE}/events/{event_id}/credit",
                                      token=token, params={"limit": 100})

    async def request(self, token: str, event_id: str, body: dict[str, Any], *,
                      idempotency_key: str) -> CreditApproval:
        return await self.gateway.post(CreditApproval, f"{BASE}/events/{event_id}/credit/requests",
                                       token=token, json=body,
                                       headers={"Idempotency-Key": idempotency_key})

    async def approve(self, token: str, event_id: str, body: dict[str, Any], *,
                      idempotency_key: str) -> CreditApproval:
        return await self.gateway.post(CreditApproval, f"{BASE}/events/{event_id}/credit/approvals",
                                       token=token, json=body,
                                       headers={"Idempotency-Key": idempotency_key})

    async def revoke(self, token: str, event_id: str, body: dict[str, Any], *,
                     idempotency_key: str) -> CreditApproval:
        return await self.gateway.post(CreditApproval,
                                       f"{BASE}/events/{event_id}/credit/revocations",
                                       token=token, json=body,
                                       headers={"Idempotency-Key": idempotency_key})

    async def my_transcript(self, token: str) -> Transcript:
        return await self.gateway.get(Transcript, f"{BASE}/me/transcript", token=token)
