"""The reach service over the hand-made network of tests/reach/network.py, caught up."""

from datetime import UTC, datetime

import httpx
import pytest

from tests.reach import network
from tests.reach.feeds import FakeFeeds, caught_up, reach_app


@pytest.fixture
async def reach(database_urls, keys, request):
    feeds = FakeFeeds(keys)
    network.load(feeds)
    since = datetime.now(UTC)
    app = reach_app(database_urls["reach"], feeds, keys,
                    min_cell_size=getattr(request, "param", 10))
    async with app.router.lifespan_context(app):
        await caught_up(app, since)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                     base_url="http://reach") as client:
            yield client
