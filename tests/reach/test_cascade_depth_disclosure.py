"""How deep a cascade goes is no secret a partner can read off the number of rows: from the first
generation too small to show on, a partner's generations are one merged row, shown only when
the merged count can be published (docs/partners.md). Network staff keep every generation.

Four networks, each a chain: a leader teaches generation 1, one of them teaches generation 2,
one of those generation 3, and so on (sizes below, one session a generation, a fortnight apart).
  deep     20, 12, 4, 3, 2   the tail from generation 3 holds 9 people: withheld
  shallow  20, 12, 4         the tail from generation 3 holds 4 people: withheld
  tail     20, 12, 6, 6      the tail from generation 3 holds 12 people: one row, "3 and later"
  small    20, 5, 12         generation 2 is small: "2 and later" holds 17
"""

from datetime import date, timedelta

import pytest

from tests.reach.feeds import (
    FakeFeeds,
    attendance,
    event,
    membership,
    organization,
    person,
    serving,
    session,
)
from tests.reach.test_disclosure_attacks import MIN, possible

CHAINS = {"deep": [20, 12, 4, 3, 2], "shallow": [20, 12, 4], "tail": [20, 12, 6, 6],
          "small": [20, 5, 12]}
WINDOW = {"from": "2026-09-01", "to": "2026-12-31"}


def load(feeds: FakeFeeds) -> None:
    identity = lambda topic, p: feeds.add("identity", topic, p)  # noqa: E731
    scheduling = lambda topic, p: feeds.add("scheduling", topic, p)  # noqa: E731
    for name, sizes in CHAINS.items():
        identity("organization.created", organization(name, f"Network {name}", "network"))
        leader = f"{name}-L"
        identity("person.created", person(leader))
        identity("membership.created", membership(f"m-{name}", name, leader, "leader",
                                                  "2026-07-01"))
        facilitator = leader
        for g, size in enumerate(sizes, start=1):
            kind = "workshop_series" if g == 1 else "community_of_practice"
            eid, sid = f"{name}-E{g}", f"{name}-s{g}"
            scheduling("event.created", event(eid, name, kind))
            day = date(2026, 9, 10) + timedelta(days=14 * (g - 1))
            scheduling("session.created", session(sid, eid, f"{day}T16:00:00+00:00", 2,
                                                  [facilitator]))
            attendees = [f"{name}-g{g}-{i}" for i in range(size)]
            for pid in attendees:
                identity("person.created", person(pid))
                scheduling("attendance.recorded", attendance(f"a-{sid}-{pid}", sid, eid, pid))
            facilitator = attendees[0]


@pytest.fixture
async def reach(database_urls, keys):
    async with serving(database_urls["reach"], keys, load, min_cell_size=MIN) as client:
        yield client


def partner(keys, network):
    return keys.headers(kind="partner", org="partner-org", networks=[network],
                        sub=f"apikey:{network}", person_id=None)


async def generations(reach, headers, network, path="cascade") -> list[dict]:
    response = await reach.get(f"/api/reach/v1/{path}", headers=headers,
                               params={**WINDOW, "network_id": network})
    assert response.status_code == 200, response.text
    return response.json()["generations"]


@pytest.mark.parametrize("path", ["cascade", "summary"])
async def test_a_deep_tail_of_small_generations_looks_like_a_shallow_one(reach, keys, path):
    deep = await generations(reach, partner(keys, "deep"), "deep", path)
    shallow = await generations(reach, partner(keys, "shallow"), "shallow", path)
    for rows in (deep, shallow):
        assert [(g["generation"], g["and_later"]) for g in rows] == [(1, False), (2, False)]
        assert 20 in possible(rows[0]["people"]) and 12 in possible(rows[1]["people"])
        assert all(g["people"] is not None for g in rows)


async def test_a_tail_that_is_large_enough_together_is_one_row(reach, keys):
    rows = await generations(reach, partner(keys, "tail"), "tail")
    assert [(g["generation"], g["and_later"]) for g in rows] == [(1, False), (2, False),
                                                                 (3, True)]
    merged = rows[2]
    assert 12 in possible(merged["people"])
    assert merged["multiplier"] is None  # not one generation's people per facilitator
    text = (await reach.get("/api/reach/v1/export.csv", headers=partner(keys, "tail"),
                            params={**WINDOW, "network_id": "tail", "table": "cascade"})).text
    assert text.splitlines()[-1].startswith("3 and later,")


async def test_a_small_generation_merges_everything_after_it(reach, keys):
    rows = await generations(reach, partner(keys, "small"), "small")
    assert [(g["generation"], g["and_later"]) for g in rows] == [(1, False), (2, True)]
    assert 17 in possible(rows[1]["people"])  # 5 + 12: generation 3's 12 is never shown alone


async def test_network_staff_keep_every_generation(reach, keys):
    for name, sizes in CHAINS.items():
        staff = keys.headers(roles={name: ["network_admin"]})
        rows = await generations(reach, staff, name)
        assert [g["people"] for g in rows] == sizes
        assert not any(g["and_later"] for g in rows)
