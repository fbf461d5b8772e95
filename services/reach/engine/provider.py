"""Where the figures get their engine from: the app's one ReachIndex (services/reach/engine/
index.py), kept current by a background worker and, where a request finds it older than the
settings allow, refreshed by that request first."""

import time
from typing import Annotated

from fastapi import Depends, FastAPI, Request

from services.reach.engine.index import ReachIndex
from services.reach.engine.result import Engine
from services.reach.errors import IndexLoading
from shared.service import start_task


def install_index(app: FastAPI) -> ReachIndex:
    app.state.reach_index = ReachIndex(app.state.sessions)
    return app.state.reach_index


def index_worker(app: FastAPI):
    """Loads the index at start-up, then refreshes it every index_refresh_interval seconds."""
    return app.state.reach_index.run(app.state.settings.index_refresh_interval)


async def reach_engine(request: Request) -> Engine:
    app = request.app
    index: ReachIndex = app.state.reach_index
    if not index.loaded:
        if not index.loading:  # no worker has started it (an app run without its lifespan)
            start_task(app, index.refresh(), name="reach-index-load")
        raise IndexLoading()
    settings = app.state.settings
    # Without the feed consumers the read model is written by someone else (a test, a rebuild)
    # whose writes the next answer must show: every request looks first.
    max_age = settings.index_max_age if settings.consume_feeds else 0.0
    asked = time.monotonic()
    if asked - index.refreshed_from > max_age:
        await index.refresh(since=asked - max_age)
    # One snapshot for the whole request: people and answers always belong together.
    return index.snapshot()


EngineDep = Annotated[Engine, Depends(reach_engine)]
