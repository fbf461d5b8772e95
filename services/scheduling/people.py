"""Names and emails of people, read from identity through the gateway for roster snapshots."""

import logging
from dataclasses import dataclass

import httpx

log = logging.getLogger("cascade.scheduling.people")


@dataclass(frozen=True)
class Profile:
    """Name and email kept on a registration so rosters need no call to identity."""

    name: str = ""
    email: str = ""


async def fetch_profile(gateway: httpx.AsyncClient, person_id: str, *,
                        authorization: str | None) -> Profile:
    """The person as identity shows them to the caller; blanks when identity cannot say (it is
    down, or the caller may not read people): a sign-up never fails for want of a name."""
    if not authorization:
        return Profile()
    try:
        response = await gateway.get(f"/api/identity/v1/people/{person_id}",
                                     headers={"Authorization": authorization})
        if response.status_code != 200:
            return Profile()
        body = response.json()
    except (httpx.HTTPError, ValueError):
        log.warning("could not read person %s from identity", person_id, exc_info=True)
        return Profile()
    return Profile(name=str(body.get("full_name") or "")[:200],
                   email=str(body.get("email") or "")[:320])
