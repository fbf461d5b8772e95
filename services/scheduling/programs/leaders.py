"""One meaning of "leader": a leader in a program year's cohort is a leader of the network for
that year. The membership is granted in identity, the one store of who leads whom (tokens, member
lists and reach all read it there), with the caller's own token, so identity alone decides who
may grant it; when identity refuses, the cohort entry is refused too."""

from dataclasses import dataclass
from datetime import date

import httpx

from services.scheduling.identity import IdentityUnavailable, segment
from services.scheduling.programs.errors import LeadershipRefused, LeadershipUnknown

MEMBERS = "/api/identity/v1/organizations/{network}/members"


def _refusal(response: httpx.Response) -> Exception:
    try:
        detail = str(response.json().get("detail") or "")
    except (ValueError, AttributeError):
        detail = ""
    if response.status_code in (401, 403):
        return LeadershipRefused(detail or "Identity refused to make this person a leader.")
    if response.status_code in (404, 422):
        return LeadershipUnknown(detail or "Identity knows no such person or network.")
    return IdentityUnavailable(f"Identity answered {response.status_code}; try again.")


@dataclass(frozen=True)
class NetworkLeaders:
    gateway: httpx.AsyncClient
    authorization: str | None  # the caller's own bearer token, sent on to identity

    def _headers(self, key: str) -> dict[str, str]:
        return {"Authorization": self.authorization or "", "Idempotency-Key": key}

    async def _send(self, method: str, path: str, key: str, **kwargs) -> httpx.Response:
        try:
            return await self.gateway.request(method, path, headers=self._headers(key), **kwargs)
        except httpx.HTTPError as exc:
            raise IdentityUnavailable("Identity could not be reached; try again.") from exc

    async def grant(self, *, network_id: str, person_id: str, starts_on: date, ends_on: date,
                    key: str) -> str | None:
        """The new leader membership's id; None when the person already holds this leadership
        from that day through another grant (which is left alone)."""
        response = await self._send(
            "POST", MEMBERS.format(network=segment(network_id)), key,
            json={"person_id": person_id, "role": "leader", "starts_on": starts_on.isoformat(),
                  "ends_on": ends_on.isoformat()})
        if response.status_code == 201:
            return str(response.json()["id"])
        if response.status_code == 409:
            return None
        raise _refusal(response)

    async def take_back(self, *, network_id: str, membership_id: str, key: str) -> None:
        path = MEMBERS.format(network=segment(network_id)) + "/" + segment(membership_id)
        response = await self._send("DELETE", path, key)
        if response.status_code not in (204, 404):  # 404: already gone
            raise _refusal(response)
