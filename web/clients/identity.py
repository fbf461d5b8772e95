"""Identity through the gateway: login, sign-up and its mailed links, the signed-in person,
organizations, their members and invitations."""

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from web.clients.base import ApiModel, GatewayClient, Page, segment

BASE = "/api/identity/v1"


class TokenAnswer(ApiModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105 (the OAuth token type's name, not a secret)
    expires_in: int = 0
    refresh_token: str | None = None  # a password sign-in's login-session handle


class LoginSession(ApiModel):
    id: str
    created_at: datetime
    last_used_at: datetime
    expires_at: datetime | None = None
    user_agent: str | None = None
    client_address: str | None = None
    current: bool = False


class LoginSessionList(ApiModel):
    items: list[LoginSession]


class Person(ApiModel):
    id: str
    email: str | None = None
    full_name: str = ""
    role: str | None = None
    school_id: str | None = None
    district_id: str | None = None
    county: str | None = None


class MembershipOfMe(ApiModel):
    organization_id: str
    organization_name: str = ""
    organization_kind: str = ""
    role: str


class Me(ApiModel):
    account_id: str | None = None
    person: Person | None = None
    is_platform_admin: bool = False
    memberships: list[MembershipOfMe] = []


class PersonPage(Page):
    items: list[Person]


class Organization(ApiModel):
    id: str
    name: str
    kind: str
    parent_id: str | None = None
    county: str | None = None
    attributes: dict[str, Any] = {}  # equity attributes: frpl_pct, el_pct, locale
    verified: bool = True


class OrganizationPage(Page):
    items: list[Organization]


class MemberName(ApiModel):
    id: str
    full_name: str = ""


class Membership(ApiModel):
    """A role a person holds in an organization, from when to when."""

    id: str
    organization_id: str
    person_id: str
    role: str
    starts_on: date | None = None
    ends_on: date | None = None
    person: MemberName | None = None

    @property
    def display_name(self) -> str:
        if self.person and self.person.full_name:
            return self.person.full_name
        return self.person_id


class MembershipPage(Page):
    items: list[Membership]


class ConfirmedAccount(ApiModel):
    account_id: str
    person: Person


class Invitation(ApiModel):
    id: str
    organization_id: str
    email: str
    role: str
    starts_on: date | None = None
    ends_on: date | None = None
    sent_at: datetime | None = None
    expires_at: datetime | None = None
    status: str = "pending"


class InvitationPage(Page):
    items: list[Invitation]


class InvitationPreview(ApiModel):
    organization_id: str
    organization_name: str
    role: str
    email: str
    starts_on: date | None = None
    ends_on: date | None = None
    has_account: bool = False


def _invitations(organization_id: str) -> str:
    return f"{BASE}/organizations/{segment(organization_id)}/invitations"


class IdentityClient:
    def __init__(self, gateway: GatewayClient) -> None:
        self.gateway = gateway

    async def token(self, *, email: str, password: str,
                    device: Mapping[str, str] | None = None) -> TokenAnswer:
        """A password sign-in: a new login session, labelled with the browser's `device`: its
        User-Agent, and its address as the gateway gave it to web. Passed on, that address is
        whom the gateway's rate limit and identity's wrong-password count are for, not web."""
        device = device or {}
        response = await self.gateway.send(
            "POST", f"{BASE}/token", token=None,
            data={"grant_type": "password", "username": email, "password": password,
                  **({"user_agent": device["user_agent"]} if device.get("user_agent") else {})},
            client_address=device.get("client_address"),
        )
        return TokenAnswer.model_validate(response.json())

    async def refresh(self, handle: str, *, client_address: str | None) -> TokenAnswer:
        """The login session's next access token (with the roles held now); counted against the
        browser's address like its sign-in, not against web's (every browser together)."""
        response = await self.gateway.send(
            "POST", f"{BASE}/token", token=None,
            data={"grant_type": "refresh_token", "refresh_token": handle},
            client_address=client_address,
        )
        return TokenAnswer.model_validate(response.json())

    async def end_session(self, handle: str) -> None:
        await self.gateway.send("POST", f"{BASE}/token/revoke", token=None,
                                data={"token": handle})

    async def my_sessions(self, token: str) -> list[LoginSession]:
        return (await self.gateway.get(LoginSessionList, f"{BASE}/me/sessions",
                                       token=token)).items

    async def end_my_session(self, token: str, session_id: str) -> None:
        await self.gateway.send("DELETE", f"{BASE}/me/sessions/{segment(session_id)}",
                                token=token)

    async def change_password(self, token: str, *, current_password: str,
                              new_password: str) -> int:
        """Sets the new password; how many other sessions it ended."""
        response = await self.gateway.send(
            "POST", f"{BASE}/me/password", token=token,
            json={"current_password": current_password, "new_password": new_password})
        return int(response.json().get("ended_sessions", 0))

    # The rate-limited routes below are called for a browser: `client_address` is its address.
    async def create_account(self, *, email: str, password: str, full_name: str,
                             client_address: str | None) -> None:
        await self.gateway.send(
            "POST", f"{BASE}/accounts", token=None,
            json={"email": email, "password": password, "full_name": full_name},
            client_address=client_address,
        )

    async def confirm_account(self, *, token: str, password: str,
                              client_address: str | None) -> ConfirmedAccount:
        return await self.gateway.post(ConfirmedAccount, f"{BASE}/accounts/confirmations",
                                       token=None, json={"token": token, "password": password},
                                       client_address=client_address)

    async def request_password_reset(self, *, email: str, client_address: str | None) -> None:
        await self.gateway.send("POST", f"{BASE}/password-resets", token=None,
                                json={"email": email}, client_address=client_address)

    async def reset_password(self, *, token: str, password: str) -> None:
        await self.gateway.send("POST", f"{BASE}/password-resets/completions", token=None,
                                json={"token": token, "password": password})

    async def invitation_preview(self, *, token: str) -> InvitationPreview:
        return await self.gateway.post(InvitationPreview, f"{BASE}/invitations/previews",
                                       token=None, json={"token": token})

    async def accept_invitation(self, *, token: str, client_address: str | None,
                                bearer: str | None = None, password: str | None = None,
                                full_name: str | None = None) -> None:
        body = {"token": token, "password": password, "full_name": full_name}
        await self.gateway.send("POST", f"{BASE}/invitations/acceptances", token=bearer,
                                json={k: v for k, v in body.items() if v is not None},
                                client_address=client_address)

    async def invitations(self, token: str, organization_id: str) -> list[Invitation]:
        return await self.gateway.every_page(InvitationPage, _invitations(organization_id),
                                             token=token)

    async def invite(self, token: str, organization_id: str, body: dict) -> Invitation:
        return await self.gateway.post(Invitation, _invitations(organization_id), token=token,
                                       json=body)

    async def resend_invitation(self, token: str, organization_id: str,
                                invitation_id: str) -> None:
        await self.gateway.send(
            "POST", f"{_invitations(organization_id)}/{segment(invitation_id)}/resend",
            token=token)

    async def withdraw_invitation(self, token: str, organization_id: str,
                                  invitation_id: str) -> None:
        await self.gateway.send(
            "DELETE", f"{_invitations(organization_id)}/{segment(invitation_id)}",
            token=token)

    async def me(self, token: str) -> Me:
        return await self.gateway.get(Me, f"{BASE}/me", token=token)

    async def organizations(self, token: str, *, kind: str | None = None,
                            parent_id: str | None = None) -> list[Organization]:
        return await self.gateway.every_page(OrganizationPage, f"{BASE}/organizations",
                                             token=token,
                                             params={"kind": kind, "parent_id": parent_id})

    async def organization(self, token: str, organization_id: str) -> Organization:
        return await self.gateway.get(
            Organization, f"{BASE}/organizations/{segment(organization_id)}", token=token)

    async def members(self, token: str, organization_id: str, *, role: str | None = None
                      ) -> list[Membership]:
        return await self.gateway.every_page(
            MembershipPage, f"{BASE}/organizations/{segment(organization_id)}/members",
            token=token, params={"role": role})

    async def person_by_email(self, token: str, email: str) -> Person | None:
        """The person with this email, or None (only those who manage people may ask)."""
        page = await self.gateway.get(PersonPage, f"{BASE}/people", token=token,
                                      params={"email": email.strip().lower(), "limit": 1})
        return page.items[0] if page.items else None

    async def search_people(self, token: str, *, q: str | None, cursor: str | None,
                            limit: int) -> PersonPage:
        """A page of the people the caller may see (identity scopes it to their organizations)."""
        return await self.gateway.get(PersonPage, f"{BASE}/people", token=token,
                                      params={"q": q, "cursor": cursor, "limit": limit})

    async def person(self, token: str, person_id: str) -> Person:
        return await self.gateway.get(Person, f"{BASE}/people/{segment(person_id)}",
                                      token=token)

    async def update_person(self, token: str, person_id: str, changes: dict) -> Person:
        response = await self.gateway.send("PATCH", f"{BASE}/people/{segment(person_id)}",
                                           token=token, json=changes)
        return Person.model_validate(response.json())

    async def people(self, token: str, ids: list[str]) -> list[Person]:
        """People by id, a page of ids at a time (only those who manage people may ask)."""
        found: list[Person] = []
        for start in range(0, len(ids), 100):
            found += await self.gateway.every_page(
                PersonPage, f"{BASE}/people", token=token,
                params={"ids": ",".join(ids[start:start + 100])})
        return found
