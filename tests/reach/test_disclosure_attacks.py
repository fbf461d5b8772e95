"""The attacks a partner with a key and a spreadsheet tried on reach (issue 8), tried again: each
must leave the withheld figure uncertain.

A partner knows the method (docs/partners.md): a shown count is within NOISE of the truth (and
never under the threshold), a withheld one is under it. `possible` is everything a published
figure allows; an attack fails when what it derives still allows several values.

The network: leader L leads a math series in Alameda and Fresno.
  2026-09-15  Session I: 20 teachers of school A1, 25 of A2 (district DA, Alameda), 30 of F1
              (district DF, Fresno)                                           -> direct 75
  2026-10-15  Session II: 2 teachers of the small school A3 (DA) and 10 of A1 -> direct 77
  2026-10-20  T0 (of A1, reached in September) leads a community of practice: Q1-Q3 of F1
                                                                             -> indirect 3
  2026-11-10  a one-off workshop of L: 5 teachers of F1 who came to nothing else
"""


import pytest

from services.reach.figures.disclosure import NOISE, perturbation
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

NETWORK = "net-a"
MIN = 10
SCHOOLS = {"A1": ("DA", 20), "A2": ("DA", 25), "A3": ("DA", 2), "F1": ("DF", 30)}


def load(feeds: FakeFeeds) -> None:
    identity = lambda topic, p: feeds.add("identity", topic, p)  # noqa: E731
    scheduling = lambda topic, p: feeds.add("scheduling", topic, p)  # noqa: E731
    identity("organization.created", organization(NETWORK, "Network A", "network"))
    identity("organization.created", organization("DA", "Alameda Unified", "district",
                                                  county="Alameda"))
    identity("organization.created", organization("DF", "Fresno Unified", "district",
                                                  county="Fresno"))
    people: dict[str, list[str]] = {}
    for school, (district, size) in SCHOOLS.items():
        identity("organization.created", organization(school, f"School {school}", "school",
                                                      parent_id=district))
        people[school] = [f"{school}-{i}" for i in range(size)]
        for pid in people[school]:
            identity("person.created", person(pid, school_id=school))
    extra = {"Q": 3, "W": 5}
    for prefix, n in extra.items():
        people[prefix] = [f"{prefix}{i}" for i in range(n)]
        for pid in people[prefix]:
            identity("person.created", person(pid, school_id="F1"))
    identity("person.created", person("L", school_id="A1"))
    identity("membership.created", membership("m-l", NETWORK, "L", "leader", "2026-07-01"))
    scheduling("event.created", event("E1", NETWORK, "workshop_series"))
    scheduling("event.created", event("E2", NETWORK, "community_of_practice"))
    scheduling("event.created", event("E3", NETWORK, "workshop_series"))
    sessions = {
        "s1": ("E1", "2026-09-15T16:00:00+00:00", ["L"],
               people["A1"] + people["A2"] + people["F1"]),
        "s2": ("E1", "2026-10-15T16:00:00+00:00", ["L"], people["A3"] + people["A1"][:10]),
        "s3": ("E2", "2026-10-20T16:00:00+00:00", [people["A1"][0]], people["Q"]),
        "s4": ("E3", "2026-11-10T16:00:00+00:00", ["L"], people["W"]),
    }
    for sid, (eid, starts_at, facilitators, attendees) in sessions.items():
        scheduling("session.created", session(sid, eid, starts_at, 3, facilitators))
        for pid in attendees:
            scheduling("attendance.recorded", attendance(f"a-{sid}-{pid}", sid, eid, pid))


@pytest.fixture
async def reach(database_urls, keys):
    async with serving(database_urls["reach"], keys, load, min_cell_size=MIN) as client:
        yield client


def partner(keys):
    return keys.headers(kind="partner", org="partner-org", networks=[NETWORK],
                        sub="apikey:k1", person_id=None)


FALL = {"network_id": NETWORK, "from": "2026-09-01", "to": "2026-11-30"}


async def ask(reach, keys, path="summary", **params):
    response = await reach.get(f"/api/reach/v1/{path}", headers=partner(keys),
                               params={**FALL, **params})
    assert response.status_code == 200, response.text
    return response.json()


def possible(published: int | None) -> set[int]:
    """Every true count a partner's published figure allows."""
    if published is None:
        return set(range(MIN))
    if published == MIN:  # shown counts are never under the threshold
        return set(range(MIN, MIN + NOISE + 1))
    return set(range(published - NOISE, published + NOISE + 1))


def minus(total: set[int], *parts: set[int]) -> set[int]:
    out = total
    for part in parts:
        out = {a - b for a in out for b in part}
    return out


def assert_uncertain(derived: set[int], withheld: int | None, truth: int) -> None:
    assert withheld is None  # the figure itself is not shown
    left = derived & possible(None)
    assert truth in left and len(left) >= 3, left


async def test_indirect_is_not_total_minus_generation_one(reach, keys):
    body = await ask(reach, keys)
    generation_1 = body["generations"][0]["people"]
    assert body["total"] is not None and generation_1 is not None
    assert_uncertain(minus(possible(body["total"]), possible(generation_1)), body["indirect"],
                     truth=3)


async def test_a_school_is_not_its_district_minus_its_other_schools(reach, keys):
    districts = {r["key"]: r for r in (await ask(reach, keys, "breakdown",
                                                 dimension="district"))["rows"]}
    schools = {r["key"]: r for r in (await ask(reach, keys, "breakdown",
                                               dimension="school"))["rows"]}
    derived = minus(possible(districts["DA"]["total"]), possible(schools["A1"]["total"]),
                    possible(schools["A2"]["total"]))
    assert_uncertain(derived, schools["A3"]["total"], truth=2)


async def test_two_windows_a_day_apart_are_not_asked(reach, keys):
    for window in ({"from": "2026-09-01", "to": "2026-10-14"},
                   {"from": "2026-10-16", "to": "2026-11-30"}):
        response = await reach.get("/api/reach/v1/summary", headers=partner(keys),
                                   params={**FALL, **window})
        assert response.status_code == 422 and response.json()["code"] == "partner_window"
    # Whole months a month apart differ by that month's new reach: itself a whole-month figure,
    # and perturbed like any other.
    september = await ask(reach, keys, to="2026-09-30")
    to_october = await ask(reach, keys, to="2026-10-31")
    derived = minus(possible(to_october["total"]), possible(september["total"]))
    assert len(derived) >= 2 * (2 * NOISE) + 1


async def test_pd_hours_over_a_sessions_length_is_no_head_count(reach, keys):
    october = await ask(reach, keys, **{"from": "2026-10-01", "to": "2026-10-31"})
    # 12 people at 3 h; the hours are the published count's, not the people's
    assert october["total"] is not None
    assert october["pd_hours"] == 3 * october["total"]
    november = await ask(reach, keys, **{"from": "2026-11-01", "to": "2026-11-30"})
    assert november["total"] is None  # 5 people
    assert november["pd_hours"] is None and november["sessions"] is None
    assert november["depth"]["pd_hours"] is None and november["schools"] is None


async def test_a_breakdown_and_filtered_summaries_do_not_combine_into_a_small_school(reach,
                                                                                     keys):
    districts = {r["key"]: r for r in (await ask(reach, keys, "breakdown",
                                                 dimension="district"))["rows"]}
    a1, a2, a3 = [await ask(reach, keys, school=s) for s in ("A1", "A2", "A3")]
    # The same people give the same figure however they are asked for...
    schools = {r["key"]: r for r in (await ask(reach, keys, "breakdown",
                                               dimension="school"))["rows"]}
    assert a1["total"] == schools["A1"]["total"] and a2["total"] == schools["A2"]["total"]
    # ... so asking another way averages nothing out, and the difference stays uncertain.
    derived = minus(possible(districts["DA"]["total"]), possible(a1["total"]),
                    possible(a2["total"]))
    assert_uncertain(derived, a3["total"], truth=2)
    alameda = await ask(reach, keys, county="Alameda", subject="math")
    assert alameda["total"] == (await ask(reach, keys, county="Alameda"))["total"]


def test_perturbations_are_fixed_small_and_spread():
    draws = [perturbation(key) for key in range(0, 2**32, 2**32 // 5000)]
    assert all(-NOISE <= d <= NOISE for d in draws)
    for value in range(-NOISE, NOISE + 1):
        assert draws.count(value) / len(draws) > 0.15
    assert [perturbation(key) for key in range(0, 2**32, 2**32 // 5000)] == draws
    # the footprint of a set is drawn apart from its count
    assert sum(perturbation(k, 1) != perturbation(k, 0) for k in range(1000)) > 600
