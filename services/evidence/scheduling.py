"""What evidence asks scheduling (through the gateway, as the caller): does a session exist, to
which event and network does it belong, and who facilitates it."""

import logging
import re
from dataclasses import dataclass

import httpx

from services.evidence.errors import (
    NotAllowedForSession,
    SchedulingUnavailable,
    SessionNotFound,
)
from shared.errors import Unauthorized

log = logging.getLogger("cascade.evidence.scheduling")
_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


@dataclass(frozen=True)
class SessionFacts:
    id: str
    event_id: str
    network_id: str
    facilitator_ids: frozenset[str]


async def _get(gateway: httpx.AsyncClient, path: str, authorization: str) -> dict:
    try:
        response = await gateway.get(path, headers={"Authorization": authorization})
    except httpx.HTTPError:
        log.warning("scheduling unreachable for %s", path, exc_info=True)
        raise SchedulingUnavailable("Scheduling could not be reached; try again shortly.") from None
    if response.status_code == 404:
        raise SessionNotFound("No such session.")
    if response.status_code == 401:
        raise Unauthorized("Scheduling did not accept the access token.")
    if response.status_code == 403:
        raise NotAllowedForSession("You may not see this session.")
    if response.status_code != 200:
        raise SchedulingUnavailable(f"Scheduling answered {response.status_code}.")
    try:
        return response.json()
    except ValueError:
        raise SchedulingUnavailable("Scheduling gave an unreadable answer.") from None


async def session_facts(gateway: httpx.AsyncClient, session_id: str, *,
                        authorization: str) -> SessionFacts:
    if not _ID.match(session_id):
        raise SessionNotFound("No such session.")
    session = await _get(gateway, f"/api/scheduling/v1/sessions/{session_id}", authorization)
    event_id = str(session.get("event_id") or "")
    if not _ID.match(event_id):
        raise SchedulingUnavailable("Scheduling gave a session without its event.")
    network_id = session.get("network_id")
    if not network_id:
        event = await _get(gateway, f"/api/scheduling/v1/events/{event_id}", authorization)
        network_id = event.get("network_id")
    if not network_id:
        raise SchedulingUnavailable("Scheduling gave an event without its network.")
    return SessionFacts(id=session_id, event_id=event_id, network_id=str(network_id),
                        facilitator_ids=frozenset(map(str, session.get("facilitator_ids") or ())))
