"""Availability polls through the gateway: the leaders' calls, and the two calls a private link
makes (authorized by its token alone, sent in the Poll-Token header)."""

from datetime import datetime
from typing import Any

from web.clients.base import ApiModel, GatewayClient, Page
from web.clients.scheduling import BASE, Session

CHOICES = ("yes", "if_need_be", "no")


class PollOption(ApiModel):
    id: str
    starts_at: datetime
    ends_at: datetime
    yes: int = 0
    if_need_be: int = 0
    no: int = 0
    no_answer: int = 0

    def share(self, count: int) -> float:
        """count as a percentage of everyone invited, for the tally's bars."""
        invited = self.yes + self.if_need_be + self.no + self.no_answer
        return round(100 * count / invited, 1) if invited else 0.0


class Poll(ApiModel):
    id: str
    event_id: str
    title: str
    timezone: str = "UTC"
    status: str
    deadline_at: datetime | None = None
    invitee_count: int = 0
    options: list[PollOption] = []
    winner_option_id: str | None = None
    session_id: str | None = None

    @property
    def leading(self) -> set[str]:
        """The options most people can make: most yes, then most if-need-be."""
        if not self.options:
            return set()
        best = max((o.yes, o.if_need_be) for o in self.options)
        return {o.id for o in self.options if (o.yes, o.if_need_be) == best and best != (0, 0)}


class PollPage(Page):
    items: list[Poll]


class InviteeLink(ApiModel):
    id: str
    name: str
    email: str
    token: str | None = None


class PollCreated(Poll):
    invitees: list[InviteeLink] = []


class InviteeAnswers(ApiModel):
    id: str
    name: str
    email: str
    answered_at: datetime | None = None
    answers: dict[str, str] = {}


class InviteePage(Page):
    items: list[InviteeAnswers]


class PollDecided(ApiModel):
    poll: Poll
    session: Session


class InvitationTime(ApiModel):
    id: str
    starts_at: datetime
    ends_at: datetime


class Invitation(ApiModel):
    title: str
    timezone: str = "UTC"
    status: str
    deadline_at: datetime | None = None
    name: str = ""
    times: list[InvitationTime] = []
    answers: dict[str, str] = {}


class PollsClient:
    def __init__(self, gateway: GatewayClient) -> None:
        self.gateway = gateway

    async def event_polls(self, token: str, event_id: str) -> list[Poll]:
        return await self.gateway.every_page(PollPage, f"{BASE}/events/{event_id}/polls",
                                             token=token)

    async def create_poll(self, token: str, event_id: str, body: dict[str, Any], *,
                          idempotency_key: str) -> PollCreated:
        return await self.gateway.post(PollCreated, f"{BASE}/events/{event_id}/polls",
                                       token=token, json=body,
                                       headers={"Idempotency-Key": idempotency_key})

    async def get_poll(self, token: str, poll_id: str) -> Poll:
        return await self.gateway.get(Poll, f"{BASE}/polls/{poll_id}", token=token)

    async def invitees(self, token: str, poll_id: str) -> list[InviteeAnswers]:
        return await self.gateway.every_page(InviteePage, f"{BASE}/polls/{poll_id}/invitees",
                                             token=token)

    async def renew_link(self, token: str, poll_id: str, invitee_id: str, *,
                         idempotency_key: str) -> InviteeLink:
        return await self.gateway.post(
            InviteeLink, f"{BASE}/polls/{poll_id}/invitees/{invitee_id}/link", token=token,
            headers={"Idempotency-Key": idempotency_key},
        )

    async def decide(self, token: str, poll_id: str, body: dict[str, Any], *,
                     idempotency_key: str) -> PollDecided:
        return await self.gateway.post(PollDecided, f"{BASE}/polls/{poll_id}/decision",
                                       token=token, json=body,
                                       headers={"Idempotency-Key": idempotency_key})

    async def invitation(self, poll_token: str) -> Invitation:
        response = await self.gateway.send("GET", f"{BASE}/poll-invitation", token=None,
                                           headers={"Poll-Token": poll_token})
        return Invitation.model_validate(response.json())

    async def answer(self, poll_token: str, answers: dict[str, str], *,
                     idempotency_key: str) -> Invitation:
        body = {"answers": [{"option_id": o, "choice": c} for o, c in answers.items()]}
        response = await self.gateway.send(
            "PUT", f"{BASE}/poll-invitation/answers", token=None, json=body,
            headers={"Poll-Token": poll_token, "Idempotency-Key": idempotency_key},
        )
        return Invitation.model_validate(response.json())
