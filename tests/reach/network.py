"""A small hand-made network whose reach is worked out by hand in the comments, fed to reach
through the feed double.

Window 2026-07-01 .. 2027-06-30. Leaders L1, L2 (L0's leadership ended before the window).
  s1, s2  workshop series E1 (2 sessions) led by L1: P1, P2, P3 (+ leader L2) / P1, P2 came back
  s3      conference E2 led by L2: P1 (already direct), C1, C2             -> conference C1, C2
  s0      community of practice E3 led by P1 on 09-01, before P1 was reached: Z is not reached
  s4      community of practice E3 led by P1 on 11-01: Q1, Q2, P2          -> generation 2 Q1, Q2
  s5      workshop of ANOTHER network led by Q1 on 11-15: R1                -> generation 3 R1
  s6      workshop E4 led by L0 (not a leader in the window): X is not reached
  s8      institute E5 led by L1 after the window: Y is not reached
Places: schools S1, S2 in district D1 (Alameda), S3 in D2 (Fresno); counties come from the
district when the person's own is not recorded. S1 is high poverty (82% FRPL) with 40 educators.
Events are math, grades 6-8, except the conference E2: ELA, grades K-5.
"""

from tests.reach.feeds import (
    FakeFeeds,
    attendance,
    event,
    membership,
    organization,
    person,
    session,
)

NETWORK = "net-1"
OTHER_NETWORK = "net-2"
START, END = "2026-07-01", "2027-06-30"

EXPECTED = {
    "leaders": 2, "direct": 3, "conference": 2, "indirect": 3, "total": 8,
    "direct_multi_session": 3, "direct_returned": 2,
    "schools": 3, "districts": 2, "counties": 2,
    # s1, s2, s3, s4, s5 (s0 precedes P1's reach, s6 has no leader, s8 is outside)
    "sessions": 5,
    # s1 3h x 3 + s2 3h x 2 + s3 2h x 3 + s4 1h x 3 + s5 2h x 1
    "pd_hours": 26.0,
}
PEOPLE = ["L0", "L1", "L2", "P1", "P2", "P3", "C1", "C2", "Q1", "Q2", "R1", "Z", "X", "Y"]


def load(feeds: FakeFeeds) -> None:
    add_identity = lambda topic, payload: feeds.add("identity", topic, payload)  # noqa: E731
    add_identity("organization.created", organization(NETWORK, "Golden State Network", "network"))
    add_identity("organization.created", organization(OTHER_NETWORK, "Valley Network", "network"))
    add_identity("organization.created", organization("D1", "Oakland Unified", "district",
                                                      county="Alameda"))
    add_identity("organization.created", organization("D2", "Fresno Unified", "district",
                                                      county="Fresno"))
    for school, district in (("S1", "D1"), ("S2", "D1"), ("S3", "D2")):
        attributes = {"frpl_pct": 82, "headcount": 40} if school == "S1" else None
        add_identity("organization.created", organization(
            school, f"School {school}", "school", parent_id=district, attributes=attributes))
    places = {"P1": "S1", "P2": "S2", "P3": "S3", "C1": "S1", "Q1": "S3", "Q2": "S1",
              "L1": "S2", "L2": "S3", "Z": "S1", "X": "S2", "Y": "S3", "L0": "S1"}
    for pid, school in places.items():
        add_identity("person.created", person(pid, school_id=school))
    add_identity("person.created", person("C2", role="coach_tosa", district_id="D2"))
    add_identity("person.created", person("R1"))
    add_identity("membership.created",
                 membership("m1", NETWORK, "L1", "leader", "2026-07-01", "2027-06-30"))
    add_identity("membership.created", membership("m2", NETWORK, "L2", "leader", "2026-07-01"))
    add_identity("membership.created",
                 membership("m0", NETWORK, "L0", "leader", "2025-07-01", "2026-06-30"))
    add_identity("membership.created", membership("m3", NETWORK, "P1", "member"))

    add = lambda topic, payload: feeds.add("scheduling", topic, payload)  # noqa: E731
    add("event.created", event("E1", NETWORK, "workshop_series"))
    add("event.created", event("E2", NETWORK, "conference", subjects=["ELA"], grades=("K", "5")))
    add("event.created", event("E3", NETWORK, "community_of_practice"))
    add("event.created", event("E4", NETWORK, "workshop_series"))
    add("event.created", event("E5", NETWORK, "institute"))
    add("event.created", event("EX", OTHER_NETWORK, "workshop_series"))
    add("session.created", session("s1", "E1", "2026-09-10T16:00:00+00:00", 3, ["L1"]))
    add("session.created", session("s2", "E1", "2026-10-10T16:00:00+00:00", 3, ["L1"]))
    add("session.created", session("s3", "E2", "2026-09-20T16:00:00+00:00", 2, ["L2"]))
    add("session.created", session("s0", "E3", "2026-09-01T16:00:00+00:00", 1, ["P1"]))
    add("session.created", session("s4", "E3", "2026-11-01T16:00:00+00:00", 1, ["P1"]))
    add("session.created", session("s5", "EX", "2026-11-15T16:00:00+00:00", 2, ["Q1"]))
    add("session.created", session("s6", "E4", "2026-09-15T16:00:00+00:00", 2, ["L0"]))
    add("session.created", session("s8", "E5", "2027-08-01T16:00:00+00:00", 6, ["L1"]))
    attended = {"s1": ["P1", "P2", "P3", "L2"], "s2": ["P1", "P2"], "s3": ["P1", "C1", "C2"],
                "s0": ["Z"], "s4": ["Q1", "Q2", "P2"], "s5": ["R1"], "s6": ["X"], "s8": ["Y"]}
    event_of = {"s1": "E1", "s2": "E1", "s3": "E2", "s0": "E3", "s4": "E3", "s5": "EX",
                "s6": "E4", "s8": "E5"}
    for sid, people in attended.items():
        for pid in people:
            add("attendance.recorded", attendance(f"a-{sid}-{pid}", sid, event_of[sid], pid))
