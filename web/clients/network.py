"""Setting a network up, through identity's API: creating its districts, schools and partners,
the partners' API keys, granting and changing memberships, and the audit log. Reading
organizations and members is IdentityClient's, with the models both use."""

from datetime import datetime
from typing import Any

from web.clients.base import ApiModel, GatewayClient, Page, segment
from web.clients.identity import BASE, Membership, Organization


class ApiKey(ApiModel):
    id: str
    prefix: str
    created_at: datetime
    revoked_at: datetime | None = None
    last_used_at: datetime | None = None


class ApiKeyPage(Page):
    items: list[ApiKey]


class NewApiKey(ApiModel):
    id: str
    prefix: str
    key: str | None = None  # null when the answer is a replay: the key is shown once


class AuditEntry(ApiModel):
    id: str
    at: datetime
    actor_subject: str
    actor_name: str | None = None  # a person's, a key's or a service's name, for people to read
    action: str
    target_type: str
    target_id: str
    details: dict[str, Any] = {}


class AuditPage(Page):
    items: list[AuditEntry]


class NetworkClient:
    def __init__(self, gateway: GatewayClient) -> None:
        self.gateway = gateway

    async def create_place(self, token: str, body: dict[str, Any], *, idempotency_key: str
                           ) -> Organization:
        return await self.gateway.post(Organization, f"{BASE}/organizations", token=token,
                                       json=body, headers={"Idempotency-Key": idempotency_key})

    async def api_keys(self, token: str, partner_id: str) -> list[ApiKey]:
        return await self.gateway.every_page(
            ApiKeyPage, f"{BASE}/organizations/{segment(partner_id)}/api-keys", token=token)

    async def create_api_key(self, token: str, partner_id: str, *, idempotency_key: str
                             ) -> NewApiKey:
        return await self.gateway.post(
            NewApiKey, f"{BASE}/organizations/{segment(partner_id)}/api-keys", token=token,
            headers={"Idempotency-Key": idempotency_key})

    async def revoke_api_key(self, token: str, key_id: str) -> None:
        await self.gateway.send("DELETE", f"{BASE}/api-keys/{segment(key_id)}", token=token)

    async def grant(self, token: str, network_id: str, body: dict[str, Any], *,
                    idempotency_key: str) -> Membership:
        return await self.gateway.post(
            Membership, f"{BASE}/organizations/{segment(network_id)}/members", token=token,
            json=body, headers={"Idempotency-Key": idempotency_key})

    async def change_membership(self, token: str, network_id: str, membership_id: str,
                                body: dict[str, Any], *, idempotency_key: str) -> Membership:
        response = await self.gateway.send(
            "PATCH", f"{BASE}/organizations/{segment(network_id)}/members/{segment(membership_id)}",
            token=token, json=body, headers={"Idempotency-Key": idempotency_key})
        return Membership.model_validate(response.json())

    async def audit(self, token: str, network_id: str, *, filters: dict[str, str],
                    cursor: str | None, limit: int) -> AuditPage:
        return await self.gateway.get(AuditPage, f"{BASE}/audit", token=token, params={
            **filters, "organization_id": network_id, "cursor": cursor, "limit": limit})
