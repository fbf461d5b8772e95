"""Scheduling's one way to identity (people and organizations), always through the gateway.

Every id goes into an internal URL quoted whole, so an id holding '/', '#', '?' or a control
character names one record that does not exist, never another route. Identity's answers mean
one thing everywhere: 404 is "no such record", another 4xx is the request's own fault (a client
error for the caller), and only a transport failure or a 5xx is identity being unavailable
(503 identity_unavailable, with Retry-After)."""

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar
from urllib.parse import quote

import httpx
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from services.scheduling.errors import (
    LeadershipRefused,
    LeadershipUnknown,
    UnknownNetwork,
    UnknownPerson,
)
from shared.auth import ACTING_USER_HEADER, ServiceTokenProvider
from shared.errors import CascadeError, InvalidInput

T = TypeVar("T")

log = logging.getLogger("cascade.scheduling.identity")

IDENTITY = "/api/identity/v1"
MATCH_STATUSES = ("matched", "created", "error")
IDS_PER_CALL = 200  # identity's limit on ids in one list
MAX_NAME, MAX_EMAIL = 200, 320


class IdentityUnavailable(CascadeError):
    status_code, code, title = 503, "identity_unavailable", "Identity could not be reached"
    headers = {"Retry-After": "5"}


class IdentityRefused(InvalidInput):
    """Identity refused what was asked of it as given (a name too long for it, say)."""

    code, title = "identity_refused", "Identity refused this request"


@dataclass(frozen=True)
class Profile:
    """Name and email kept on a registration so rosters need no call to identity."""

    name: str = ""
    email: str = ""

    @classmethod
    def of(cls, person: dict[str, Any]) -> "Profile":
        return cls(name=str(person.get("full_name") or "")[:MAX_NAME],
                   email=str(person.get("email") or "")[:MAX_EMAIL])


def segment(value: str) -> str:
    """The value as one path segment: every reserved character quoted, and "." or ".."
    spelled out, since a URL would otherwise resolve them as the current or parent path."""
    quoted = quote(value, safe="")
    return quoted.replace(".", "%2E") if quoted in (".", "..") else quoted


def _detail(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        body = None
    detail = body.get("detail") if isinstance(body, dict) else None
    return str(detail or f"identity answered {response.status_code}")


@dataclass(frozen=True)
class Identity:
    gateway: httpx.AsyncClient
    service_token: ServiceTokenProvider

    async def _send(self, method: str, path: str, *, authorization: str | None = None,
                    headers: dict[str, str] | None = None, **kwargs: Any) -> httpx.Response:
        """Identity's answer as it came, with scheduling's own token unless `authorization`
        (the caller's) is given; IdentityUnavailable when identity could not be reached."""
        try:
            auth = ({"Authorization": authorization} if authorization is not None
                    else await self.service_token.headers())
            return await self.gateway.request(method, f"{IDENTITY}{path}",
                                              headers={**auth, **(headers or {})}, **kwargs)
        except (httpx.HTTPError, ValueError, KeyError) as exc:
            log.warning("identity could not be reached for %s %s: %s", method, path,
                        type(exc).__name__)
            raise IdentityUnavailable("Identity could not be reached; try again.") from exc

    async def _call(self, method: str, path: str, *, authorization: str | None = None,
                    headers: dict[str, str] | None = None, **kwargs: Any
                    ) -> dict[str, Any] | None:
        """Identity's JSON answer; None for a 404 (and for an address no record can have)."""
        try:
            response = await self._send(method, path, authorization=authorization or None,
                                        headers=headers, **kwargs)
        except httpx.InvalidURL:
            return None
        if response.status_code == 404:
            return None
        if 400 <= response.status_code < 500:
            raise IdentityRefused(_detail(response))
        if not 200 <= response.status_code < 300:
            log.warning("identity answered %s to %s %s", response.status_code, method, path)
            raise IdentityUnavailable(f"Identity answered {response.status_code}; try again.")
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise IdentityUnavailable("Identity answered something unexpected; try again.")
        return body

    async def person(self, person_id: str) -> dict[str, Any] | None:
        """Identity's record of the person (read with scheduling's own token), None if none."""
        return await self._call("GET", f"/people/{segment(person_id)}")

    async def person_seen_by(self, person_id: str, *, authorization: str | None
                             ) -> dict[str, Any] | None:
        """The person as identity shows them to the caller (read with the caller's own token),
        None when identity hides them from the caller."""
        if not authorization:
            return None
        try:
            return await self._call("GET", f"/people/{segment(person_id)}",
                                    authorization=authorization)
        except IdentityRefused:
            return None

    async def person_by_email(self, email: str) -> dict[str, Any] | None:
        body = await self._call("GET", "/people", params={"email": email, "limit": 1})
        items = body.get("items") if body else None
        if not isinstance(items, list):
            raise IdentityUnavailable("Identity answered something unexpected; try again.")
        return items[0] if items else None

    async def organization(self, organization_id: str) -> dict[str, Any] | None:
        return await self._call("GET", f"/organizations/{segment(organization_id)}")

    async def require_person(self, person_id: str, *, field: str = "person_id"
                             ) -> dict[str, Any]:
        """The person, or 422 unknown_person: no record may point at someone who is not."""
        person = await self.person(person_id)
        if person is None:
            raise UnknownPerson(f"No one in Cascade has the id {person_id!r}.", errors=[
                {"loc": ["body", field], "msg": "No one in Cascade has this id.",
                 "type": "value_error"}])
        return person

    async def require_network(self, network_id: str) -> None:
        """422 unknown_network unless the id names a network (not a district, say)."""
        organization = await self.organization(network_id)
        if organization is None or organization.get("kind") != "network":
            detail = "network_id must name a network in Cascade."
            raise UnknownNetwork(f"No network has the id {network_id!r}.", errors=[
                {"loc": ["body", "network_id"], "msg": detail, "type": "value_error"}])

    async def match_person(self, fields: dict[str, Any], *, acting_token: str
                           ) -> tuple[str, bool]:
        """The id of the person a sign-in sheet line names, found by email or created now, and
        whether identity created them. Asked with scheduling's token for the user whose own
        token is acting_token: identity checks that token and decides what the user may
        create (people of the network; schools and districts only for its staff)."""
        body = await self._call("POST", "/people/matches", json=fields,
                                headers={ACTING_USER_HEADER: acting_token})
        if body is None:
            raise IdentityRefused("identity knows no such network")
        if not isinstance(body.get("id"), str) or not isinstance(body.get("created"), bool):
            raise IdentityUnavailable("Identity answered something unexpected; try again.")
        return body["id"], body["created"]

    async def match_people(self, items: list[dict[str, Any]], *, acting_token: str, key: str
                           ) -> list[dict[str, Any]]:
        """match_person for up to 1000 lines in one call (POST /people/matches:batch, retried
        safely with the same key): per item, in order, {"status": "matched" | "created" |
        "error", "id", "message"}. IdentityRefused when identity refuses the whole batch."""
        body = await self._call("POST", "/people/matches:batch", json=items,
                                headers={ACTING_USER_HEADER: acting_token,
                                         "Idempotency-Key": key})
        if body is None:
            raise IdentityRefused("identity knows no such network")
        answers = body.get("items")
        if (not isinstance(answers, list) or len(answers) != len(items)
                or not all(isinstance(a, dict) and a.get("status") in MATCH_STATUSES
                           for a in answers)):
            raise IdentityUnavailable("Identity answered something unexpected; try again.")
        return answers

    async def known_people(self, person_ids: list[str]) -> set[str]:
        """Which of these ids name someone in Cascade (asked with scheduling's own token, a
        page of ids per call)."""
        known: set[str] = set()
        ids = sorted(set(person_ids))
        for start in range(0, len(ids), IDS_PER_CALL):
            page = ids[start:start + IDS_PER_CALL]
            body = await self._call("GET", "/people", params={"ids": ",".join(page),
                                                              "limit": IDS_PER_CALL})
            items = body.get("items") if body else None
            if not isinstance(items, list):
                raise IdentityUnavailable("Identity answered something unexpected; try again.")
            known |= {str(item.get("id")) for item in items if isinstance(item, dict)}
        return known

    async def profile(self, person_id: str, *, authorization: str | None) -> Profile:
        """The person's name and email as identity shows them to the caller (with the caller's
        own token); blanks when the caller may not read them or identity cannot say: a
        sign-up never fails for want of a name."""
        if not authorization:
            return Profile()
        try:
            person = await self._call("GET", f"/people/{segment(person_id)}",
                                      authorization=authorization)
        except CascadeError:
            return Profile()
        return Profile.of(person) if person else Profile()


    async def grant_leader(self, *, network_id: str, person_id: str, starts_on: date,
                           ends_on: date, key: str, authorization: str | None) -> str | None:
        """The new leader membership's id, granted in identity with the caller's own token (so
        identity alone decides who may grant it); None when the person already holds this
        leadership from that day through another grant (which is left alone)."""
        response = await self._send(
            "POST", f"/organizations/{segment(network_id)}/members",
            authorization=authorization or "", headers={"Idempotency-Key": key},
            json={"person_id": person_id, "role": "leader", "starts_on": starts_on.isoformat(),
                  "ends_on": ends_on.isoformat()})
        if response.status_code == 201:
            return str(response.json()["id"])
        if response.status_code == 409:
            return None
        raise _leadership_refusal(response)

    async def take_back_membership(self, *, network_id: str, membership_id: str, key: str,
                                   authorization: str | None) -> None:
        """Takes back a membership a grant_leader made, with the caller's own token."""
        response = await self._send(
            "DELETE", f"/organizations/{segment(network_id)}/members/{segment(membership_id)}",
            authorization=authorization or "", headers={"Idempotency-Key": key})
        if response.status_code not in (204, 404):  # 404: already gone
            raise _leadership_refusal(response)


def _leadership_refusal(response: httpx.Response) -> CascadeError:
    """A refused grant, in scheduling's own words: the cohort entry is refused with it."""
    try:
        detail = str(response.json().get("detail") or "")
    except (ValueError, AttributeError):
        detail = ""
    if response.status_code in (401, 403):
        return LeadershipRefused(detail or "Identity refused to make this person a leader.")
    if response.status_code in (404, 422):
        return LeadershipUnknown(detail or "Identity knows no such person or network.")
    return IdentityUnavailable(f"Identity answered {response.status_code}; try again.")


async def check_first(sessions: async_sessionmaker[AsyncSession],
                      check: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Runs an authorization check in its own short transaction, ended before identity is
    asked anything: a refusal then tells the caller nothing about the person or organization
    named, and no database lock is held across the call (the request's own transaction starts
    afterwards and checks again)."""
    async with sessions() as db:
        return await check(db)
