"""Identity through the gateway: login, the signed-in person, organizations and their members."""

from urllib.parse import quote

from web.clients.base import ApiModel, GatewayClient, Page

BASE = "/api/identity/v1"


class TokenAnswer(ApiModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int = 0


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


class OrganizationPage(Page):
    items: list[Organization]


class Member(ApiModel):
    id: str | None = None
    organization_id: str | None = None
    person_id: str | None = None
    role: str = ""
    person: Person | None = None

    @property
    def display_name(self) -> str:
        if self.person and self.person.full_name:
            return self.person.full_name
        return self.person_id or ""

    @property
    def member_person_id(self) -> str | None:
        return self.person.id if self.person else self.person_id


class MemberPage(Page):
    items: list[Member]


class IdentityClient:
    def __init__(self, gateway: GatewayClient) -> None:
        self.gateway = gateway

    async def token(self, *, email: str, password: str) -> TokenAnswer:
        response = await self.gateway.send(
            "POST", f"{BASE}/token", token=None,
            data={"grant_type": "password", "username": email, "password": password},
        )
        return TokenAnswer.model_validate(response.json())

    async def create_account(self, *, email: str, password: str, full_name: str) -> None:
        await self.gateway.send(
            "POST", f"{BASE}/accounts", token=None,
            json={"email": email, "password": password, "full_name": full_name},
        )

    async def me(self, token: str) -> Me:
        return await self.gateway.get(Me, f"{BASE}/me", token=token)

    async def organizations(self, token: str, *, kind: str | None = None) -> list[Organization]:
        return await self.gateway.every_page(
            OrganizationPage, f"{BASE}/organizations", token=token, params={"kind": kind}
        )

    async def organization(self, token: str, organization_id: str) -> Organization:
        return await self.gateway.get(Organization, f"{BASE}/organizations/{organization_id}",
                                      token=token)

    async def members(self, token: str, organization_id: str, *, role: str | None = None
                      ) -> list[Member]:
        return await self.gateway.every_page(
            MemberPage, f"{BASE}/organizations/{organization_id}/members", token=token,
            params={"role": role},
        )

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
        return await self.gateway.get(Person, f"{BASE}/people/{quote(person_id, safe='')}",
                                      token=token)

    async def update_person(self, token: str, person_id: str, changes: dict) -> Person:
        response = await self.gateway.send("PATCH", f"{BASE}/people/{quote(person_id, safe='')}",
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
