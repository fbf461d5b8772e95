"""A session cancelled in scheduling counts nowhere in reach: not its attendance, not as one of
its event's sessions. The hand-made network of tests/reach/network.py with s2 (Session II of
the workshop series E1) cancelled."""

from datetime import UTC, datetime

import httpx
import pytest

from tests.reach import network
from tests.reach.feeds import FakeFeeds, caught_up, reach_app, session

WINDOW = {"network_id": network.NETWORK, "from": network.START, "to": network.END}


@pytest.fixture
async def reach(database_urls, keys):
    feeds = FakeFeeds(keys)
    network.load(feeds)
    feeds.add("scheduling", "session.updated", {
        **session("s2", "E1", "2026-10-10T16:00:00+00:00", 3, ["L1"]), "status": "cancelled"})
    since = datetime.now(UTC)
    app = reach_app(database_urls["reach"], feeds, keys)
    async with app.router.lifespan_context(app):
        await caught_up(app, since)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                     base_url="http://reach") as client:
            yield client


async def test_a_cancelled_session_counts_nowhere(reach, keys):
    response = await reach.get("/api/reach/v1/summary", params=WINDOW,
                               headers=keys.headers(roles={network.NETWORK: ["network_admin"]}))

    assert response.status_code == 200, response.text
    body = response.json()
    # P1, P2, P3 are still reached through s1, but E1 now has one held session: no one is
    # multi-session or came back, and s2's 3 hours x 2 attendees are gone.
    assert (body["direct"], body["total"]) == (network.EXPECTED["direct"],
                                               network.EXPECTED["total"])
    assert (body["direct_multi_session"], body["direct_returned"]) == (0, 0)
    assert body["sessions"] == network.EXPECTED["sessions"] - 1
    assert body["pd_hours"] == network.EXPECTED["pd_hours"] - 6
