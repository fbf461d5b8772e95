"""Every SQL statement about reach's feed cursors."""

from datetime import datetime

from sqlalchemy import update
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.reach.feeds.models import FeedCursor
from shared.db import insert_unless_duplicate


async def mark_caught_up(db: AsyncSession, *, feed: str, position: str, at: datetime) -> None:
    """Record that the feed was read to its end at `at`, if the cursor is still where we left it
    (a newer reading by another replica wins)."""
    moved = await db.exec(
        update(FeedCursor)
        .where(FeedCursor.feed == feed, FeedCursor.position == position)
        .values(caught_up_at=at)
    )
    if moved.rowcount or position != "0":
        return
    # A feed that has never had an event has no cursor row yet; it is caught up all the same.
    # If the consumer created the row meanwhile, its next empty page records the time.
    await insert_unless_duplicate(db, FeedCursor(feed=feed, position=position, caught_up_at=at))


async def caught_up_times(db: AsyncSession) -> dict[str, datetime | None]:
    rows = (await db.exec(select(FeedCursor))).all()
    return {row.feed: row.caught_up_at for row in rows}

