"""Rules for availability polls: the network's staff ask, invitees answer through a private link,
and the winning time becomes a session of the event."""

import hashlib
import hmac
import secrets
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

from services.scheduling import access
from services.scheduling.errors import InvalidSchedule
from services.scheduling.events import repository as events
from services.scheduling.events import service as event_rules
from services.scheduling.events.models import Event
from services.scheduling.notifications import service as notices
from services.scheduling.polls import repository
from services.scheduling.polls.errors import (
    InvitationNotFound,
    InviteeNotFound,
    PollAlreadyDecided,
    PollClosed,
    PollNotFound,
    UnknownPollTime,
)
from services.scheduling.polls.models import Poll, PollAnswer, PollInvitee, PollOption
from services.scheduling.polls.schemas import (
    AnswersPut,
    Invitation,
    InvitationTime,
    InviteeAnswers,
    OptionPublic,
    PollCreate,
    PollDecision,
    PollPublic,
    PollStatus,
)
from services.scheduling.sessions import recurrence
from services.scheduling.sessions import service as sessions
from services.scheduling.sessions.models import Session
from services.scheduling.sessions.schemas import SessionCreate
from shared.auth import Principal
from shared.db import utcnow
from shared.errors import InvalidInput
from shared.pagination import PageParams

TOKEN_PREFIX = "pl_"  # noqa: S105 (what every poll link's token starts with, not a secret)


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    # 256 random bits cannot be guessed, so a fast hash suffices (as for partner API keys).
    return hashlib.sha256(token.encode()).hexdigest()


def status_of(poll: Poll) -> PollStatus:
    if poll.status == "decided":
        return "decided"
    if poll.deadline_at is not None and utcnow() >= poll.deadline_at:
        return "closed"
    return "open"


async def to_public(db: AsyncSession, polls: list[Poll], event: Event) -> list[PollPublic]:
    """Polls of one event, each with the tally of every candidate time."""
    ids = [p.id for p in polls]
    options, invited, counts = (await repository.options_of(db, ids),
                                await repository.invitee_counts(db, ids),
                                await repository.tallies(db, ids))
    public = []
    for poll in polls:
        tallied = []
        for option in options[poll.id]:
            yes, maybe, no = (counts.get((option.id, c), 0) for c in ("yes", "if_need_be", "no"))
            tallied.append(OptionPublic(
                id=option.id, starts_at=option.starts_at, ends_at=option.ends_at, yes=yes,
                if_need_be=maybe, no=no, no_answer=invited.get(poll.id, 0) - yes - maybe - no,
            ))
        public.append(PollPublic(
            id=poll.id, event_id=poll.event_id, network_id=poll.network_id, title=poll.title,
            timezone=event.timezone, status=status_of(poll), deadline_at=poll.deadline_at,
            invitee_count=invited.get(poll.id, 0), options=tallied,
            winner_option_id=poll.winner_option_id, session_id=poll.session_id,
            created_at=poll.created_at, decided_at=poll.decided_at,
        ))
    return public


def _candidate_times(data: PollCreate, zone: ZoneInfo) -> list[tuple[datetime, datetime]]:
    """Wall-clock times in the event's zone as UTC instants; a time the clocks skip is refused
    with the place of the offending candidate, so a form can show it beside that row."""
    instants = []
    for index, wanted in enumerate(data.times):
        try:
            instants.append((recurrence.local_instant(wanted.date, wanted.start_time, zone),
                             recurrence.local_instant(wanted.date, wanted.end_time, zone)))
        except InvalidSchedule as exc:
            raise InvalidSchedule(exc.detail, errors=[
                {"loc": ["body", "times", index], "msg": exc.detail, "type": "skipped_time"},
            ]) from None
    return instants


async def create_poll(db: AsyncSession, *, principal: Principal, event_id: str,
                      data: PollCreate) -> tuple[PollPublic, list[tuple[PollInvitee, str]]]:
    """The poll, and each invitee with the token of their private link (kept only as a hash)."""
    event = await event_rules.managed_event(db, principal=principal, event_id=event_id)
    if data.deadline_at is not None and data.deadline_at <= utcnow():
        raise InvalidInput("The deadline must be in the future.", errors=[
            {"loc": ["body", "deadline_at"], "msg": "must be in the future", "type": "past"}])
    instants = _candidate_times(data, ZoneInfo(event.timezone))
    poll = Poll(event_id=event.id, network_id=event.network_id, title=data.title,
                deadline_at=data.deadline_at, created_by=principal.subject)
    await repository.save(db, poll)
    options = [PollOption(poll_id=poll.id, starts_at=starts_at, ends_at=ends_at)
               for starts_at, ends_at in instants]
    links = [(PollInvitee(poll_id=poll.id, name=i.name.strip(), email=i.email.strip().lower(),
                          token_hash=hash_token(token)), token)
             for i, token in ((i, new_token()) for i in data.invitees)]
    await repository.add_all(db, [*options, *(invitee for invitee, _ in links)])
    for invitee, token in links:
        await _mail_link(db, poll, event, invitee, token, times=instants)
    return (await to_public(db, [poll], event))[0], links


async def _mail_link(db: AsyncSession, poll: Poll, event: Event, invitee: PollInvitee,
                     token: str, *, times: list[tuple[datetime, datetime]]) -> None:
    await notices.poll_invitation(db, event=event, poll_id=poll.id, poll_title=poll.title,
                                  times=times, invitee_id=invitee.id, email=invitee.email,
                                  name=invitee.name, token=token,
                                  token_hash=invitee.token_hash)


async def managed_poll(db: AsyncSession, *, principal: Principal, poll_id: str
                       ) -> tuple[Poll, Event]:
    """The poll and its event, for the network's staff; 404 for everyone else, so a poll's
    existence (and its invitees) is not disclosed outside the network."""
    poll = await repository.get(db, poll_id)
    if poll is None:
        raise PollNotFound()
    if not access.is_staff(principal, poll.network_id):
        raise PollNotFound().denying("poll", poll.id, poll.network_id)
    event = await events.get_event(db, poll.event_id)
    if event is None:  # the foreign key keeps it; checked for the type's sake
        raise PollNotFound()
    return poll, event


async def get_poll(db: AsyncSession, *, principal: Principal, poll_id: str) -> PollPublic:
    poll, event = await managed_poll(db, principal=principal, poll_id=poll_id)
    return (await to_public(db, [poll], event))[0]


async def list_polls(db: AsyncSession, *, principal: Principal, event_id: str,
                     params: PageParams) -> tuple[list[PollPublic], str | None]:
    event = await event_rules.managed_event(db, principal=principal, event_id=event_id)
    polls, next_cursor = await repository.page_of_event(db, params, event.id)
    return await to_public(db, polls, event), next_cursor


async def list_invitees(db: AsyncSession, *, principal: Principal, poll_id: str,
                        params: PageParams) -> tuple[list[InviteeAnswers], str | None]:
    poll, _event = await managed_poll(db, principal=principal, poll_id=poll_id)
    invitees, next_cursor = await repository.page_invitees(db, params, poll.id)
    answers = await repository.answers_of(db, [i.id for i in invitees])
    return [InviteeAnswers(id=i.id, name=i.name, email=i.email, answered_at=i.answered_at,
                           answers=answers.get(i.id, {})) for i in invitees], next_cursor


async def renew_link(db: AsyncSession, *, principal: Principal, poll_id: str,
                     invitee_id: str) -> tuple[PollInvitee, str]:
    """A new private link for one invitee; the old one stops working at once."""
    poll, event = await managed_poll(db, principal=principal, poll_id=poll_id)
    invitee = await repository.get_invitee(db, invitee_id)
    if invitee is None or invitee.poll_id != poll.id:
        raise InviteeNotFound()
    token = new_token()
    invitee.token_hash = hash_token(token)
    await repository.save(db, invitee)
    options = (await repository.options_of(db, [poll.id]))[poll.id]
    await _mail_link(db, poll, event, invitee, token,
                     times=[(o.starts_at, o.ends_at) for o in options])
    return invitee, token


async def decide(db: AsyncSession, *, principal: Principal, poll_id: str,
                 data: PollDecision) -> tuple[PollPublic, Session]:
    """Close the poll on its winning time and create that session, in the caller's one
    transaction: a failure leaves the poll open and no session behind."""
    poll, event = await managed_poll(db, principal=principal, poll_id=poll_id)
    options = (await repository.options_of(db, [poll.id]))[poll.id]
    option = next((o for o in options if o.id == data.option_id), None)
    if option is None:
        raise UnknownPollTime("Pick one of this poll's candidate times.")
    if not await repository.decide(db, poll.id, option_id=option.id, at=utcnow()):
        raise PollAlreadyDecided("This poll's time was already picked; its session exists.")
    facilitators = data.facilitator_ids
    if facilitators is None:
        facilitators = [principal.person_id] if principal.person_id else []
    session = await sessions.create_session(db, principal=principal, event_id=event.id,
                                            data=SessionCreate(
        title=data.title or poll.title, room=data.room, starts_at=option.starts_at,
        ends_at=option.ends_at, capacity=data.capacity, facilitator_ids=facilitators,
    ))
    await repository.record_session(db, poll.id, session.id)
    decided = await repository.get(db, poll.id)  # read afresh: both UPDATEs bypassed the ORM
    return (await to_public(db, [decided or poll], event))[0], session


async def invitee_for(db: AsyncSession, token: str) -> PollInvitee:
    """The invitee a private link belongs to, or 404. The lookup is by the token's SHA-256: the
    caller chooses the token but not its hash, so the index lookup's timing tells them nothing,
    and the final comparison runs in constant time."""
    wanted = hash_token(token)
    invitee = await repository.invitee_by_token_hash(db, wanted) if token else None
    if invitee is None or not hmac.compare_digest(invitee.token_hash, wanted):
        raise InvitationNotFound()
    return invitee


async def invitation(db: AsyncSession, *, invitee: PollInvitee) -> Invitation:
    poll = await repository.get(db, invitee.poll_id)
    event = await events.get_event(db, poll.event_id) if poll else None
    if poll is None or event is None:
        raise InvitationNotFound()
    options = (await repository.options_of(db, [poll.id]))[poll.id]
    answers = (await repository.answers_of(db, [invitee.id])).get(invitee.id, {})
    return Invitation(
        title=poll.title, timezone=event.timezone, status=status_of(poll),
        deadline_at=poll.deadline_at, name=invitee.name,
        times=[InvitationTime(id=o.id, starts_at=o.starts_at, ends_at=o.ends_at) for o in options],
        answers=answers,
    )


async def answer(db: AsyncSession, *, invitee: PollInvitee, data: AnswersPut) -> Invitation:
    """Replace the invitee's answers while the poll is open."""
    poll = await repository.lock(db, invitee.poll_id)  # serialized with the pick
    if poll is None or status_of(poll) != "open":
        raise PollClosed("This poll is closed: answers can no longer change.")
    known = {o.id for o in (await repository.options_of(db, [poll.id]))[poll.id]}
    chosen: dict[str, Any] = {}
    for index, item in enumerate(data.answers):
        if item.option_id not in known:
            raise UnknownPollTime(errors=[{"loc": ["body", "answers", index, "option_id"],
                                           "msg": "not one of this poll's times",
                                           "type": "unknown_poll_time"}])
        if item.option_id in chosen:
            raise InvalidInput("Each time may be answered once.")
        chosen[item.option_id] = item.choice
    invitee.answered_at = utcnow()
    await repository.replace_answers(db, invitee, [
        PollAnswer(invitee_id=invitee.id, option_id=option_id, poll_id=poll.id, choice=choice)
        for option_id, choice in chosen.items()
    ])
    return await invitation(db, invitee=invitee)
