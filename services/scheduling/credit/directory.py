"""What credit needs from identity (a person's district, whether an organization is a district),
read through the gateway with scheduling's own token: the caller's token may not read people."""

from dataclasses import dataclass

import httpx

from services.scheduling.credit.errors import IdentityUnavailable, NotADistrict, PersonNotFound
from shared.auth import ServiceTokenProvider

IDENTITY = "/api/identity/v1"


@dataclass(frozen=True)
class Districts:
    gateway: httpx.AsyncClient
    service_token: ServiceTokenProvider

    async def _get(self, path: str) -> dict | None:
        """identity's answer, None for a 404; IdentityUnavailable for anything else."""
        try:
            response = await self.gateway.get(f"{IDENTITY}{path}",
                                              headers=await self.service_token.headers())
            if response.status_code == 404:
                return None
            if response.status_code != 200:
                raise IdentityUnavailable(f"Identity answered {response.status_code}.")
            body = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise IdentityUnavailable("Identity could not be reached; try again.") from exc
        if not isinstance(body, dict):
            raise IdentityUnavailable("Identity answered something unexpected.")
        return body

    async def district_of(self, person_id: str) -> str | None:
        """The person's district id (None when identity has none on record)."""
        person = await self._get(f"/people/{person_id}")
        if person is None:
            raise PersonNotFound(f"No person has id {person_id}.")
        district = person.get("district_id")
        return str(district) if district else None

    async def require_district(self, organization_id: str) -> None:
        organization = await self._get(f"/organizations/{organization_id}")
        if organization is None or organization.get("kind") != "district":
            detail = "Choose a district: credit is granted by districts (or network-wide)."
            # Named like a validation error so a form shows it beside its district field.
            raise NotADistrict(detail, errors=[{"loc": ["body", "district_id"], "msg": detail,
                                                "type": NotADistrict.code}])
