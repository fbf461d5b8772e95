"""HTTP for availability polls: the leaders' routes, and the two routes a private link opens."""

from typing import Annotated, Any

from fastapi import APIRouter, Header, Request
from fastapi.responses import JSONResponse

from services.scheduling.deps import PageDep, PrincipalDep, SessionDep
from services.scheduling.idempotency.responses import respond
from services.scheduling.polls import service
from services.scheduling.polls.schemas import (
    AnswersPut,
    Invitation,
    InviteeAnswers,
    InviteeLink,
    PollCreate,
    PollCreated,
    PollDecided,
    PollDecision,
    PollPublic,
)
from services.scheduling.sessions.schemas import SessionPublic
from shared.pagination import Page

router = APIRouter(tags=["polls"])

IdempotencyKey = Annotated[str | None, Header(min_length=1, max_length=255)]
# The private link's token travels in a header, not the URL, so it stays out of access logs and
# of the idempotency record's path.
PollToken = Annotated[str, Header(alias="Poll-Token", max_length=128,
                                  description="the token of the invitee's private link")]


def _without_tokens(body: dict[str, Any]) -> dict[str, Any]:
    """What an idempotency record keeps: never a link's token, only its hash is stored."""
    if "invitees" in body:
        return {**body, "invitees": [{**i, "token": None} for i in body["invitees"]]}
    return {**body, "token": None}


@router.post("/events/{event_id}/polls", response_model=PollCreated, status_code=201,
             summary="Ask colleagues which candidate times work",
             description="Times are wall-clock times in the event's time zone. The answer holds "
                         "each invitee's private link token, once: a replay with the same "
                         "Idempotency-Key has them as null (give a new link instead).")
async def create_poll(event_id: str, data: PollCreate, request: Request, db: SessionDep,
                      principal: PrincipalDep, idempotency_key: IdempotencyKey = None
                      ) -> JSONResponse:
    async def create() -> tuple[int, dict]:
        poll, links = await service.create_poll(db, principal=principal, event_id=event_id,
                                                data=data)
        invitees = [InviteeLink(id=i.id, name=i.name, email=i.email, token=token)
                    for i, token in links]
        return 201, PollCreated(**poll.model_dump(), invitees=invitees).model_dump(mode="json")

    return await respond(db, request, subject=principal.subject, key=idempotency_key,
                         body=data.model_dump(mode="json"), action=create,
                         stored=_without_tokens)


@router.get("/events/{event_id}/polls", response_model=Page[PollPublic],
            summary="An event's polls, with their tallies")
async def list_polls(event_id: str, db: SessionDep, principal: PrincipalDep,
                     page: PageDep) -> Page[PollPublic]:
    items, next_cursor = await service.list_polls(db, principal=principal, event_id=event_id,
                                                  params=page)
    return Page[PollPublic](items=items, next_cursor=next_cursor)


@router.get("/polls/{poll_id}", response_model=PollPublic,
            summary="A poll with the tally of each candidate time")
async def get_poll(poll_id: str, db: SessionDep, principal: PrincipalDep) -> PollPublic:
    return await service.get_poll(db, principal=principal, poll_id=poll_id)


@router.get("/polls/{poll_id}/invitees", response_model=Page[InviteeAnswers],
            summary="Who was asked, and what each answered")
async def list_invitees(poll_id: str, db: SessionDep, principal: PrincipalDep,
                        page: PageDep) -> Page[InviteeAnswers]:
    items, next_cursor = await service.list_invitees(db, principal=principal, poll_id=poll_id,
                                                     params=page)
    return Page[InviteeAnswers](items=items, next_cursor=next_cursor)


@router.post("/polls/{poll_id}/invitees/{invitee_id}/link", response_model=InviteeLink,
             status_code=201, summary="A new private link for one invitee (the old one stops)")
async def create_invitee_link(poll_id: str, invitee_id: str, request: Request, db: SessionDep,
                              principal: PrincipalDep, idempotency_key: IdempotencyKey = None
                              ) -> JSONResponse:
    async def renew() -> tuple[int, dict]:
        invitee, token = await service.renew_link(db, principal=principal, poll_id=poll_id,
                                                  invitee_id=invitee_id)
        link = InviteeLink(id=invitee.id, name=invitee.name, email=invitee.email, token=token)
        return 201, link.model_dump(mode="json")

    return await respond(db, request, subject=principal.subject, key=idempotency_key,
                         body={}, action=renew, stored=_without_tokens)


@router.post("/polls/{poll_id}/decision", response_model=PollDecided, status_code=201,
             summary="Pick the winning time: the poll closes and the time becomes a session")
async def create_decision(poll_id: str, data: PollDecision, request: Request, db: SessionDep,
                          principal: PrincipalDep, idempotency_key: IdempotencyKey = None
                          ) -> JSONResponse:
    async def pick() -> tuple[int, dict]:
        poll, session = await service.decide(db, principal=principal, poll_id=poll_id, data=data)
        decided = PollDecided(poll=poll, session=SessionPublic.model_validate(session))
        return 201, decided.model_dump(mode="json")

    return await respond(db, request, subject=principal.subject, key=idempotency_key,
                         body=data.model_dump(mode="json"), action=pick)


@router.get("/poll-invitation", response_model=Invitation,
            summary="What a private link shows: the poll's times and the invitee's own answers",
            description="No account: authorized by the Poll-Token header alone. A wrong or "
                        "replaced token is a 404.")
async def get_invitation(db: SessionDep, poll_token: PollToken = "") -> Invitation:
    invitee = await service.invitee_for(db, poll_token)
    return await service.invitation(db, invitee=invitee)


@router.put("/poll-invitation/answers", response_model=Invitation,
            summary="Answer (or change the answer) for each candidate time while the poll is open",
            description="Authorized by the Poll-Token header alone; an Idempotency-Key is "
                        "scoped to that token.")
async def update_invitation_answers(data: AnswersPut, request: Request, db: SessionDep,
                                    poll_token: PollToken = "",
                                    idempotency_key: IdempotencyKey = None) -> JSONResponse:
    invitee = await service.invitee_for(db, poll_token)

    async def save() -> tuple[int, dict]:
        saved = await service.answer(db, invitee=invitee, data=data)
        return 200, saved.model_dump(mode="json")

    # The stored hash names the link, not the token itself.
    return await respond(db, request, subject=f"poll-link:{invitee.token_hash}",
                         key=idempotency_key, body=data.model_dump(mode="json"), action=save)
