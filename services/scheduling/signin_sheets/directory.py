"""People in identity, found by email or created from a sign-in sheet line, through the gateway
with the scheduling service's own token."""

from dataclasses import dataclass

from urllib.parse import quote

import httpx

from shared.auth import ServiceTokenProvider

PEOPLE = "/api/identity/v1/people"


class IdentityUnavailable(Exception):
    """Identity could not answer; the line is left unapplied."""


class PersonRejected(Exception):
    """Identity refused the person as given (a name too long for it, say)."""


@dataclass(frozen=True)
class SheetPerson:
    email: str
    full_name: str
    role: str
    school: str | None
    district: str | None
    county: str | None


@dataclass(frozen=True)
class Directory:
    gateway: httpx.AsyncClient
    service_token: ServiceTokenProvider

    async def find_or_create(self, person: SheetPerson) -> tuple[str, bool]:
        """The person's id and whether identity created them just now."""
        try:
            headers = await self.service_token.headers()
            found = await self._find(person.email, headers)
            if found:
                return str(found["id"]), False
            response = await self.gateway.post(PEOPLE, headers=headers, json={
                "email": person.email, "full_name": person.full_name, "role": person.role,
                "school": person.school, "district": person.district, "county": person.county})
            if response.status_code == 201:
                return str(response.json()["id"]), True
            if response.status_code == 409:
                # Created by someone else since we looked (another import, say): it is a match.
                found = await self._find(person.email, headers)
                if found:
                    return str(found["id"]), False
            if response.status_code == 422:
                raise PersonRejected(_detail(response))
            raise IdentityUnavailable(f"identity answered {response.status_code}")
        except (httpx.HTTPError, ValueError, KeyError) as exc:
            raise IdentityUnavailable(type(exc).__name__) from exc

    async def find(self, email: str) -> dict | None:
        """Identity's record of the person with this email (id, full_name, email...), if any."""
        try:
            return await self._find(email, await self.service_token.headers())
        except (httpx.HTTPError, ValueError, KeyError) as exc:
            raise IdentityUnavailable(type(exc).__name__) from exc

    async def get(self, person_id: str) -> dict | None:
        """Identity's record of the person with this id, if any."""
        try:
            response = await self.gateway.get(f"{PEOPLE}/{quote(person_id, safe='')}",
                                              headers=await self.service_token.headers())
            if response.status_code == 404:
                return None
            if response.status_code != 200:
                raise IdentityUnavailable(f"identity answered {response.status_code}")
            return response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise IdentityUnavailable(type(exc).__name__) from exc

    async def _find(self, email: str, headers: dict[str, str]) -> dict | None:
        response = await self.gateway.get(PEOPLE, params={"email": email, "limit": 1},
                                          headers=headers)
        if response.status_code != 200:
            raise IdentityUnavailable(f"identity answered {response.status_code}")
        items = response.json()["items"]
        return items[0] if items else None


def _detail(response: httpx.Response) -> str:
    try:
        return str(response.json().get("detail") or "identity refused this person")
    except ValueError:
        return "identity refused this person"
