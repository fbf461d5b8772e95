"""`cascade reach rebuild`: the read model emptied and built again from the first event of each
feed, so that reach can be shown to hold nothing but what the feeds say."""

from fastapi import FastAPI
from sqlalchemy import delete, update

from services.reach.feeds.models import FeedCursor
from services.reach.feeds.workers import FEEDS, consumer
from services.reach.readmodel.models import (
    Attendance,
    Event,
    EventSession,
    Membership,
    Organization,
    Person,
)

READ_MODEL = (Attendance, EventSession, Event, Membership, Person, Organization)


async def rebuild(app: FastAPI) -> dict[str, int]:
    """Empties the read model and winds its cursors back in one transaction, then reads each
    feed to its end; returns how many events of each feed this process applied. Figures asked
    meanwhile are of a read model part built (as_of is null until both feeds are read again)."""
    async with app.state.sessions() as db:
        for table in READ_MODEL:
            await db.exec(delete(table))
        # Cursors back to the start rather than deleted: a running replica's consumer and this
        # one then both move the same row, and neither inserts a second.
        await db.exec(update(FeedCursor).values(position="0", caught_up_at=None,
                                                rebuilds=FeedCursor.rebuilds + 1))
        await db.commit()
    applied = {}
    for feed in FEEDS:
        reader, applied[feed] = consumer(app, feed), 0
        while True:
            before = await reader.position()
            page = await reader.poll_once()
            applied[feed] += page
            # A short page is the end, unless nothing was applied because a running replica
            # applied that page first (the cursor moved): then read on from there.
            if page < reader.page_size and (page or await reader.position() == before):
                break
    return applied
