"""Every SQL statement of availability polls."""

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.scheduling.polls.models import Poll, PollAnswer, PollInvitee, PollOption
from shared.pagination import PageParams, fetch_page


async def add_all(db: AsyncSession, rows: Iterable[Any]) -> None:
    db.add_all(list(rows))
    await db.flush()


async def get(db: AsyncSession, poll_id: str) -> Poll | None:
    statement = select(Poll).where(Poll.id == poll_id).execution_options(populate_existing=True)
    return (await db.exec(statement)).first()


async def lock(db: AsyncSession, poll_id: str) -> Poll | None:
    """The poll row, locked until commit: answers and the pick take it, so an answer never
    lands on a poll that was decided meanwhile."""
    statement = (select(Poll).where(Poll.id == poll_id).with_for_update()
                 .execution_options(populate_existing=True))
    return (await db.exec(statement)).first()


async def decide(db: AsyncSession, poll_id: str, *, option_id: str, at: datetime) -> bool:
    """Open -> decided in one guarded statement: of two racing picks exactly one moves it."""
    result = await db.exec(
        update(Poll).where(col(Poll.id) == poll_id, col(Poll.status) == "open")
        .values(status="decided", winner_option_id=option_id, decided_at=at)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


async def record_session(db: AsyncSession, poll_id: str, session_id: str) -> None:
    await db.exec(update(Poll).where(col(Poll.id) == poll_id).values(session_id=session_id)
                  .execution_options(synchronize_session=False))


async def page_of_event(db: AsyncSession, params: PageParams, event_id: str
                        ) -> tuple[list[Poll], str | None]:
    return await fetch_page(db, select(Poll).where(Poll.event_id == event_id), Poll.id, params)


async def options_of(db: AsyncSession, poll_ids: Iterable[str]) -> dict[str, list[PollOption]]:
    grouped: dict[str, list[PollOption]] = defaultdict(list)
    ids = list(poll_ids)
    if ids:
        statement = (select(PollOption).where(col(PollOption.poll_id).in_(ids))
                     .order_by(col(PollOption.starts_at), col(PollOption.id)))
        for option in (await db.exec(statement)).all():
            grouped[option.poll_id].append(option)
    return grouped


async def invitee_counts(db: AsyncSession, poll_ids: Iterable[str]) -> dict[str, int]:
    ids = list(poll_ids)
    if not ids:
        return {}
    statement = (select(PollInvitee.poll_id, func.count()).where(col(PollInvitee.poll_id).in_(ids))
                 .group_by(col(PollInvitee.poll_id)))
    return dict((await db.exec(statement)).all())


async def tallies(db: AsyncSession, poll_ids: Iterable[str]) -> dict[tuple[str, str], int]:
    """(option_id, choice) -> invitees."""
    ids = list(poll_ids)
    if not ids:
        return {}
    statement = (
        select(PollAnswer.option_id, PollAnswer.choice, func.count())
        .where(col(PollAnswer.poll_id).in_(ids))
        .group_by(col(PollAnswer.option_id), col(PollAnswer.choice))
    )
    return {(option, choice): n for option, choice, n in (await db.exec(statement)).all()}


async def get_invitee(db: AsyncSession, invitee_id: str) -> PollInvitee | None:
    return await db.get(PollInvitee, invitee_id)


async def invitee_by_token_hash(db: AsyncSession, token_hash: str) -> PollInvitee | None:
    statement = select(PollInvitee).where(PollInvitee.token_hash == token_hash)
    return (await db.exec(statement)).first()


async def page_invitees(db: AsyncSession, params: PageParams, poll_id: str
                        ) -> tuple[list[PollInvitee], str | None]:
    statement = select(PollInvitee).where(PollInvitee.poll_id == poll_id)
    return await fetch_page(db, statement, PollInvitee.id, params)


async def answers_of(db: AsyncSession, invitee_ids: Iterable[str]) -> dict[str, dict[str, str]]:
    """invitee_id -> {option_id: choice}."""
    grouped: dict[str, dict[str, str]] = defaultdict(dict)
    ids = list(invitee_ids)
    if ids:
        statement = select(PollAnswer).where(col(PollAnswer.invitee_id).in_(ids))
        for answer in (await db.exec(statement)).all():
            grouped[answer.invitee_id][answer.option_id] = answer.choice
    return grouped


async def replace_answers(db: AsyncSession, invitee: PollInvitee, answers: list[PollAnswer]
                          ) -> None:
    await db.exec(delete(PollAnswer).where(col(PollAnswer.invitee_id) == invitee.id))
    db.add(invitee)
    db.add_all(answers)
    await db.flush()


async def save(db: AsyncSession, row: Any) -> None:
    db.add(row)
    await db.flush()
