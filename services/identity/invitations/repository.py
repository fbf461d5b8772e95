from datetime import datetime

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.identity.invitations.models import Invitation
from shared.pagination import PageParams, fetch_page


def _open():
    return col(Invitation.accepted_at).is_(None), col(Invitation.withdrawn_at).is_(None)


async def add(db: AsyncSession, invitation: Invitation) -> Invitation:
    db.add(invitation)
    await db.flush()
    return invitation


save = add


async def get(db: AsyncSession, invitation_id: str) -> Invitation | None:
    return await db.get(Invitation, invitation_id)


async def by_token_hash(db: AsyncSession, token_hash: str) -> Invitation | None:
    return (await db.exec(select(Invitation)
                          .where(Invitation.token_hash == token_hash))).first()


async def page_open(db: AsyncSession, params: PageParams, *, organization_id: str
                    ) -> tuple[list[Invitation], str | None]:
    """Neither accepted nor withdrawn (expired ones too: they can be sent again)."""
    statement = select(Invitation).where(Invitation.organization_id == organization_id, *_open())
    return await fetch_page(db, statement, Invitation.id, params, newest_first=True)


async def close(db: AsyncSession, invitation: Invitation, **values: datetime | str) -> bool:
    """Accept or withdraw: True for the one caller whose UPDATE found it still open."""
    moved = await db.exec(
        update(Invitation).where(col(Invitation.id) == invitation.id, *_open())
        .values(**values).execution_options(synchronize_session=False)
    )
    return moved.rowcount == 1
