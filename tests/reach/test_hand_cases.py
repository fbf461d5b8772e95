"""Small cases worked out by hand, each for one rule of SPEC "Reach" the main hand-made network
(tests/reach/network.py) does not already pin down. Dates are relative to now, so "has not
started yet" stays true.

  L1 and L3 lead N1, L2 leads N2; everyone is at school S1 of district D (Alameda).
  s1  N1 workshop led by L1, 20 days ago: A, B, M, L3 (N1's own leader: not reached) and L2 (a
      leader of N2 only: N1's direct reach)                                        -> direct 4
  s2  N2 workshop led by L2, 15 days ago: A (reached by both networks), L1 (a leader)
  s3  N1 community of practice led by A and M at the same moment as s1: nobody is reached
      through it (A and M were reached at s1, not before it); K attended
  s4  N1 community of practice led by B, an hour after s1 started: C              -> indirect
  s5  N1 workshop led by L1 in two days: F has been checked in early              -> not counted
M moved from school S1 to S2 after s1: she is counted where she is now.
"""

from datetime import UTC, datetime, timedelta

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

NOW = datetime.now(UTC).replace(microsecond=0)
S1_START = NOW - timedelta(days=20)


def at(moment: datetime) -> str:
    return moment.isoformat()


def load(feeds: FakeFeeds) -> None:
    identity = lambda topic, p: feeds.add("identity", topic, p)  # noqa: E731
    scheduling = lambda topic, p: feeds.add("scheduling", topic, p)  # noqa: E731
    for network in ("N1", "N2"):
        identity("organization.created", organization(network, network, "network"))
    identity("organization.created", organization("D", "Unified", "district", county="Alameda"))
    for school in ("S1", "S2"):
        identity("organization.created", organization(school, school, "school", parent_id="D"))
    for pid in ("L1", "L2", "L3", "A", "B", "M", "K", "C", "F"):
        identity("person.created", person(pid, school_id="S1"))
    identity("person.updated", person("M", school_id="S2"))
    identity("membership.created", membership("m1", "N1", "L1", "leader"))
    identity("membership.created", membership("m2", "N2", "L2", "leader"))
    identity("membership.created", membership("m3", "N1", "L3", "leader"))
    for eid, network, kind in (("E1", "N1", "workshop_series"), ("E2", "N2", "workshop_series"),
                               ("E3", "N1", "community_of_practice"),
                               ("E4", "N1", "community_of_practice"),
                               ("E5", "N1", "workshop_series")):
        scheduling("event.created", event(eid, network, kind))
    sessions = {
        "s1": ("E1", S1_START, ["L1"], ["A", "B", "M", "L2", "L3"]),
        "s2": ("E2", NOW - timedelta(days=15), ["L2"], ["A", "L1"]),
        "s3": ("E3", S1_START, ["A", "M"], ["K"]),
        "s4": ("E4", S1_START + timedelta(hours=1), ["B"], ["C"]),
        "s5": ("E5", NOW + timedelta(days=2), ["L1"], ["F"]),
    }
    for sid, (eid, starts, facilitators, attendees) in sessions.items():
        scheduling("session.created", session(sid, eid, at(starts), 2, facilitators))
        for pid in attendees:
            scheduling("attendance.recorded", attendance(f"a-{sid}-{pid}", sid, eid, pid))


@pytest.fixture
async def reach(database_urls, keys):
    async with serving(database_urls["reach"], keys, load) as client:
        yield client


def window(network: str) -> dict:
    return {"network_id": network, "from": (NOW - timedelta(days=60)).date().isoformat(),
            "to": (NOW + timedelta(days=30)).date().isoformat()}


async def figures(reach, keys, network: str, path="summary", **params) -> dict:
    response = await reach.get(f"/api/reach/v1/{path}", params={**window(network), **params},
                               headers=keys.headers(roles={network: ["network_admin"]}))
    assert response.status_code == 200, response.text
    return response.json()


async def test_each_rule_by_hand(reach, keys):
    n1 = await figures(reach, keys, "N1")
    # A, B, M and L2 direct, L3 not (N1's leader); C indirect through B; K not reached (s3
    # started when A and M were reached, not after); F's session has not started.
    assert (n1["leaders"], n1["direct"], n1["indirect"], n1["total"]) == (2, 4, 1, 5)
    # s1, s4, and N2's s2: for N1, L2 is reached (at s1) and then led s2, so s2 is part of N1's
    # cascade, though it reached no one new (A was reached; L1 is N1's leader).
    assert n1["active_leaders"] == 1 and n1["sessions"] == 3

    # A is in both networks' reach; N2's leader L1 attending counts for N2 as a participant.
    n2 = await figures(reach, keys, "N2")
    assert (n2["leaders"], n2["direct"], n2["total"]) == (1, 2, 2)  # A and L1

    # M is counted at the school she is at now.
    schools = {r["key"]: r["total"]
               for r in (await figures(reach, keys, "N1", "breakdown", dimension="school"))["rows"]}
    assert schools == {"S1": 4, "S2": 1}  # A, B, L2, C / M


async def test_attendance_of_a_session_that_has_not_started_counts_nowhere(reach, keys):
    ahead = await figures(reach, keys, "N1", **{"from": NOW.date().isoformat()})
    assert ahead["total"] == 0 and ahead["sessions"] == 0 and ahead["leaders"] == 2
