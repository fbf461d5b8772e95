"""Refused attempts, for the audit log of the network whose object was refused.

A service marks a refusal of an object that exists (a 403, or the 404 that hides it) with what it
refused: `raise Forbidden(...).denying("event", event.id, event.network_id)`. The one error
handler (shared/errors.py) then hands the attempt to the app's `record_denial` hook, when the
caller had a credential: anonymous refusals leave nothing, so nobody fills the log without one.
The request's own transaction has rolled back by then, so the hook writes in one of its own:
identity writes audit rows, the other services an `access.denied` event identity reads.
"""

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

log = logging.getLogger("cascade.denials")

# The callers whose refusals are audited: people and partners (services speak for a user that
# the calling service refused first, if at all).
AUDITED_KINDS = frozenset({"user", "partner"})


@dataclass(frozen=True)
class Denied:
    """What a refusal refused: an object (type, id) of these organizations (the network it is
    in; identity files a person under the networks of the organizations it names). `action`,
    when given, names the attempt; otherwise the route's name does (update_event: event.update).
    """

    target_type: str
    target_id: str
    organization_ids: tuple[str, ...]
    action: str | None = None
    details: dict[str, Any] | None = None


@dataclass(frozen=True)
class Attempt:
    """A refused attempt as the audit log keeps it."""

    actor_subject: str
    action: str  # ends in ".denied"
    method: str
    path: str  # the route's template, as in the OpenAPI document
    denied: Denied

    def details(self) -> dict[str, Any]:
        return {**(self.denied.details or {}), "method": self.method, "path": self.path}


# Called with the app and the attempt; writes in a transaction of its own.
DenialHook = Callable[[Any, Attempt], Awaitable[None]]


def action_of(route_name: str) -> str:
    """update_event -> event.update, list_session_registrations -> session_registrations.list."""
    verb, _, noun = route_name.partition("_")
    return f"{noun}.{verb}" if noun else verb


def route_template(scope: dict[str, Any]) -> str | None:
    """The path template of the route that answered, prefix included, as the OpenAPI document
    has it (/api/scheduling/v1/events/{event_id}). FastAPI keeps an included router's routes
    as declared (/events/{event_id}) and the prefixed template on the route's context."""
    context = scope.get("fastapi", {}).get("effective_route_context")
    route = context or scope.get("route")
    return getattr(route, "path_format", None)


def attempt_of(request: Any, denied: Denied) -> Attempt | None:
    """The attempt to audit, or None: no credential, or a caller whose refusals are not."""
    principal = getattr(request.state, "principal", None)
    path = route_template(request.scope)
    if getattr(principal, "kind", None) not in AUDITED_KINDS or path is None:
        return None
    action = denied.action or action_of(getattr(request.scope.get("route"), "name", "") or "")
    return Attempt(actor_subject=principal.subject, action=f"{action}.denied",
                   method=request.method, path=path, denied=denied)


async def record(request: Any, denied: Denied | None) -> None:
    """Hands the attempt to the app's hook. A failure to audit is logged, never answered: the
    caller gets the refusal they earned, not a 500."""
    hook: DenialHook | None = getattr(request.app.state, "record_denial", None)
    if hook is None or denied is None:
        return
    attempt = attempt_of(request, denied)
    if attempt is None:
        return
    try:
        await hook(request.app, attempt)
    except Exception:
        log.exception("could not audit the refused %s %s", attempt.method, attempt.path)
