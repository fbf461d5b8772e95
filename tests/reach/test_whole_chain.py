"""The whole chain: people, memberships, events, sessions and attendance entered through the
real identity and scheduling APIs (behind the real gateway) reach reach's figures through the
feeds; a partner's API key gets suppressed aggregates."""

import calendar
from datetime import UTC, date, datetime, timedelta

from tests.support.stack import ROOT_LOGIN, bearer, eventually


class Api:
    def __init__(self, stack, token: str) -> None:
        self.stack, self.token = stack, token

    async def post(self, path: str, **kwargs) -> dict:
        response = await self.stack.client.post(path, headers=bearer(self.token), **kwargs)
        assert response.status_code in (200, 201), response.text
        return response.json()

    async def org(self, **fields) -> str:
        return (await self.post("/api/identity/v1/organizations", json=fields))["id"]

    async def person(self, handle: str) -> str:
        return (await self.post("/api/identity/v1/people", json={
            "email": f"{handle}@reach.test", "full_name": f"Person {handle}", "role": "teacher",
            "school": "Lincoln Elementary", "district": "Oakland Unified",
            "county": "Alameda"}))["id"]

    async def event(self, network_id: str, kind: str, facilitator: str,
                    starts: list[datetime]) -> list[str]:
        event = await self.post("/api/scheduling/v1/events", json={
            "network_id": network_id, "kind": kind, "title": f"A {kind}", "subjects": ["ELA"],
            "grade_min": "6", "grade_max": "8", "timezone": "America/Los_Angeles",
            "credit_hours": 2, "status": "published"})
        return [(await self.post(f"/api/scheduling/v1/events/{event['id']}/sessions", json={
            "title": f"Session {n}", "starts_at": at.isoformat(),
            "ends_at": (at + timedelta(hours=2)).isoformat(), "capacity": 30,
            "facilitator_ids": [facilitator]}))["id"] for n, at in enumerate(starts, 1)]

    async def attend(self, session_id: str, *people: str) -> None:
        for person_id in people:
            await self.post(f"/api/scheduling/v1/sessions/{session_id}/registrations",
                            json={"person_id": person_id})
            await self.post(f"/api/scheduling/v1/sessions/{session_id}/attendance",
                            json={"person_id": person_id, "source": "check_in"})

    async def summary_once(self, network_id: str, since: datetime, until) -> dict:
        """Reach's summary of the 30 days before `since` and the day after, once `until` holds
        of it (reach reads the feeds in the background)."""
        window = {"network_id": network_id,
                  "from": (since - timedelta(days=30)).date().isoformat(),
                  "to": (since + timedelta(days=1)).date().isoformat()}

        async def settled():
            response = await self.stack.client.get("/api/reach/v1/summary", params=window,
                                                   headers=bearer(self.token))
            assert response.status_code == 200, response.text
            body = response.json()
            return body if until(body) else None

        return await eventually(settled, timeout=20)


async def test_reach_counts_what_identity_and_scheduling_recorded(stack):
    api = Api(stack, await stack.token(*ROOT_LOGIN))
    network = await api.org(name="Bay Teacher Network", kind="network")
    other_network = await api.org(name="Valley Network", kind="network")
    district = await api.org(name="Oakland Unified", kind="district", county="Alameda")
    await api.org(name="Lincoln Elementary", kind="school", parent_id=district)
    partner = await api.org(name="State University", kind="partner", parent_id=network)

    leader = await api.person("leader")
    await api.post(f"/api/identity/v1/organizations/{network}/members",
                   json={"person_id": leader, "role": "leader"})
    t1, t2, c1, q1 = [await api.person(h) for h in ("t1", "t2", "c1", "q1")]

    now = datetime.now(UTC).replace(microsecond=0)
    s1, s2 = await api.event(network, "workshop_series", leader,
                             [now - timedelta(days=10), now - timedelta(days=5)])
    [conference] = await api.event(network, "conference", leader, [now - timedelta(days=8)])
    # T2, reached by the series, leads colleagues herself: Q1 is reached indirectly.
    [cascade] = await api.event(network, "community_of_practice", t2, [now - timedelta(days=2)])
    await api.attend(s1, t1, t2)
    await api.attend(s2, t1)
    await api.attend(conference, t1, c1)
    await api.attend(cascade, q1)

    window = {"network_id": network, "from": (now - timedelta(days=30)).date().isoformat(),
              "to": (now + timedelta(days=1)).date().isoformat()}
    body = await api.summary_once(network, now, lambda figures: figures["total"] == 4)
    assert (body["leaders"], body["direct"], body["conference"], body["indirect"]) == (1, 2, 1, 1)
    assert (body["direct_multi_session"], body["direct_returned"]) == (2, 1)
    assert (body["schools"], body["districts"], body["counties"]) == (1, 1, 1)
    assert body["sessions"] == 4 and body["pd_hours"] == 2.0 * 6
    assert [(g["generation"], g["people"], g["facilitators"]) for g in body["generations"]] == [
        (1, 3, 1), (2, 1, 0)]

    key = (await api.post(f"/api/identity/v1/organizations/{partner}/api-keys"))["key"]
    # Partners ask for whole months: the months around the window.
    first, last = now - timedelta(days=30), now + timedelta(days=1)
    window |= {"from": first.date().replace(day=1).isoformat(),
               "to": date(last.year, last.month,
                          calendar.monthrange(last.year, last.month)[1]).isoformat()}
    as_partner = await stack.client.get("/api/reach/v1/summary", params=window,
                                        headers=bearer(key))
    assert as_partner.status_code == 200, as_partner.text
    aggregates = as_partner.json()
    assert aggregates["min_cell_size"] == 10
    assert all(aggregates[name] is None for name in ("leaders", "direct", "conference",
                                                     "indirect", "total"))
    refused = await stack.client.get("/api/reach/v1/summary", headers=bearer(key),
                                     params={**window, "network_id": other_network})
    assert refused.status_code == 403
