from datetime import datetime

from sqlmodel import Field

from services.reach.db import ServiceTable
from shared.db import UTCDateTime
from shared.outbox import FeedCursorBase


class FeedCursor(FeedCursorBase, ServiceTable, table=True):
    __tablename__ = "feed_cursor"

    # When this feed was last read to its end: every figure's as_of.
    caught_up_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # How often `cascade reach rebuild` wound this cursor back. Rows written again keep their
    # versions, so this is what tells a running index (in any process) to load again.
    rebuilds: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
