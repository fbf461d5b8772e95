"""Reach counts only people who exist (issue 7, hole 13): a check-in, a sign-up or a cohort
entry for a person_id identity does not know, and an event in a network that is not one, are
refused by scheduling, so they never reach the feed and never inflate reach's figures (the
fuzzer had checked in "h" and "0" and added a phantom coach "0")."""

from datetime import UTC, datetime, timedelta

from tests.reach.test_whole_chain import Api
from tests.support.stack import ROOT_LOGIN, bearer

SCHEDULING = "/api/scheduling/v1"
PHANTOMS = ["no-such-attendee", "0", "h"]


async def test_reach_never_counts_a_person_or_network_that_does_not_exist(stack):
    api = Api(stack, await stack.token(*ROOT_LOGIN))
    network = await api.org(name="Bay Teacher Network", kind="network")
    district = await api.org(name="Oakland Unified", kind="district", county="Alameda")
    await api.org(name="Lincoln Elementary", kind="school", parent_id=district)
    leader = await api.person("leader")
    await api.post(f"/api/identity/v1/organizations/{network}/members",
                   json={"person_id": leader, "role": "leader"})
    teacher = await api.person("t1")
    now = datetime.now(UTC).replace(microsecond=0)
    first, second = await api.event(network, "workshop_series", leader,
                                    [now - timedelta(days=10), now - timedelta(days=5)])
    program = await api.post(f"{SCHEDULING}/programs", json={
        "network_id": network, "name": "Phase 2",
        "starts_on": (now - timedelta(days=400)).date().isoformat(),
        "ends_on": (now + timedelta(days=400)).date().isoformat()})

    refused = []
    for person_id in PHANTOMS:
        for path, body in (
                (f"{SCHEDULING}/sessions/{first}/registrations", {"person_id": person_id}),
                (f"{SCHEDULING}/sessions/{first}/attendance", {"person_id": person_id}),
                (f"{SCHEDULING}/programs/{program['id']}/cohort",
                 {"person_id": person_id, "program_year": "2026-27", "role": "coach"})):
            response = await stack.client.post(path, json=body, headers=bearer(api.token))
            refused.append((response.status_code, response.json()["code"]))
    for network_id in ("0", district):
        response = await stack.client.post(f"{SCHEDULING}/events", headers=bearer(api.token),
                                           json={"network_id": network_id, "kind": "webinar",
                                                 "title": "Nowhere", "grade_min": "K",
                                                 "grade_max": "2", "timezone": "UTC"})
        refused.append((response.status_code, response.json()["code"]))
    assert set(refused) == {(422, "unknown_person"), (422, "unknown_network")}

    # The real teacher attends both sessions; the second comes last on the feed, so once reach
    # counts it, everything before it has been read.
    await api.attend(first, teacher)
    await api.attend(second, teacher)
    body = await api.summary_once(network, now, lambda figures: figures["sessions"] == 2)
    assert (body["leaders"], body["direct"], body["total"]) == (1, 1, 1)
    assert body["direct_multi_session"] == 1

    feed = await stack.client.get(f"{SCHEDULING}/feed", params={"limit": 1000},
                                  headers=bearer(api.token))
    events = feed.json()["events"]
    attended = {e["payload"]["person_id"] for e in events if e["topic"] == "attendance.recorded"}
    assert attended == {teacher}
    assert not [e for e in events if e["topic"] == "cohort.added"]
    assert {e["payload"]["network_id"] for e in events if e["topic"] == "event.created"} == {
        network}
