"""PD credit: who approves an event for credit in which district, and what transcripts count."""

import uuid

import pytest

from tests.scheduling.conftest import API, new_person, problem


class Credit:
    """Two districts with a coordinator each, a network admin, and teachers placed in districts
    the way identity records them."""

    def __init__(self, api, directory, keys) -> None:
        self.api, self.client, self.directory, self.keys = api, api.client, directory, keys
        self.district_a, self.district_b = self.district("Oakland"), self.district("Fresno")
        self.coordinator_a = keys.headers(roles={self.district_a: ["coordinator"]})
        self.coordinator_b = keys.headers(roles={self.district_b: ["coordinator"]})
        self.network_admin = keys.headers(roles={api.network: ["network_admin"]})

    def district(self, name: str) -> str:
        district_id = "dist-" + uuid.uuid4().hex[:8]
        self.directory.organizations[district_id] = {"id": district_id, "name": name,
                                                     "kind": "district"}
        return district_id

    def teacher(self, district_id: str | None) -> tuple[str, dict]:
        person_id = new_person()
        self.directory.people[person_id] = {"id": person_id, "full_name": "Teri Teacher",
                                            "email": f"{person_id}@example.org",
                                            "district_id": district_id}
        return person_id, self.api.person(person_id)

    async def series(self, *, credit_hours: float = 6, sessions: int = 2,
                     starts: tuple[str, ...] = ("2026-03-04", "2026-03-18")) -> tuple[dict, list]:
        event = await self.api.event(credit_hours=credit_hours)
        made = [await self.api.session(event["id"], title=f"Session {n + 1}",
                                       starts_at=f"{starts[n]}T16:00:00-08:00",
                                       ends_at=f"{starts[n]}T18:00:00-08:00")
                for n in range(sessions)]
        return event, made

    async def attend(self, session: dict, person_id: str) -> None:
        response = await self.client.post(f"{API}/sessions/{session['id']}/attendance",
                                          json={"person_id": person_id}, headers=self.api.leader)
        assert response.status_code == 201, response.text

    async def approve(self, event_id: str, headers: dict, *, district_id: str | None,
                      hours: float, key: str | None = None, note: str = ""):
        extra = {"Idempotency-Key": key} if key else {}
        return await self.client.post(f"{API}/events/{event_id}/credit/approvals",
                                      json={"district_id": district_id, "hours": hours,
                                            "note": note}, headers={**headers, **extra})

    async def revoke(self, event_id: str, headers: dict, *, district_id: str | None):
        return await self.client.post(f"{API}/events/{event_id}/credit/revocations",
                                      json={"district_id": district_id, "note": "no agenda"},
                                      headers=headers)

    async def request(self, event_id: str, *, district_id: str | None):
        return await self.client.post(f"{API}/events/{event_id}/credit/requests",
                                      json={"district_id": district_id, "note": "please"},
                                      headers=self.api.leader)

    async def transcript(self, headers: dict, person_id: str | None = None) -> dict:
        path = f"/people/{person_id}/transcript" if person_id else "/me/transcript"
        response = await self.client.get(f"{API}{path}", headers=headers)
        assert response.status_code == 200, response.text
        return response.json()


@pytest.fixture
def credit(api, directory, keys) -> Credit:
    return Credit(api, directory, keys)


def rows(transcript: dict) -> list[dict]:
    return [row for year in transcript["years"] for row in year["rows"]]


class TestApprove:
    async def test_a_district_coordinator_approves_for_their_district_with_an_audit_trail(
            self, credit):
        event, _ = await credit.series()
        response = await credit.approve(event["id"], credit.coordinator_a,
                                        district_id=credit.district_a, hours=5.5, note="ok")
        assert response.status_code == 201, response.text
        approval = response.json()
        assert (approval["status"], approval["hours"], approval["district_id"],
                approval["network_wide"]) == ("approved", 5.5, credit.district_a, False)
        assert [(h["action"], h["hours"], h["note"]) for h in approval["history"]] == [
            ("approved", 5.5, "ok")]
        assert approval["decided_by"] == approval["history"][0]["actor"]

    async def test_a_coordinator_of_district_a_cannot_approve_for_district_b(self, credit):
        event, _ = await credit.series()
        response = await credit.approve(event["id"], credit.coordinator_a,
                                        district_id=credit.district_b, hours=6)
        problem(response, 403)
        listed = await credit.client.get(f"{API}/events/{event['id']}/credit",
                                         headers=credit.api.leader)
        assert listed.json()["items"] == []

    async def test_a_leader_cannot_approve_for_a_district_or_network_wide(self, credit):
        event, _ = await credit.series()
        for district_id in (credit.district_a, None):
            response = await credit.approve(event["id"], credit.api.leader,
                                            district_id=district_id, hours=6)
            problem(response, 403)

    async def test_hours_above_the_events_credit_hours_are_refused(self, credit):
        event, _ = await credit.series(credit_hours=6)
        response = await credit.approve(event["id"], credit.coordinator_a,
                                        district_id=credit.district_a, hours=6.5)
        body = problem(response, 422)
        assert body["code"] == "credit_hours_above_event"
        assert [e["loc"] for e in body["errors"]] == [["body", "hours"]]
        zero = await credit.approve(event["id"], credit.coordinator_a,
                                    district_id=credit.district_a, hours=0)
        problem(zero, 422)

    async def test_only_a_district_organization_grants_district_credit(self, credit, keys):
        event, _ = await credit.series()
        # Coordinator of the network itself: a staff role, not a district's.
        network_coordinator = keys.headers(roles={credit.api.network: ["coordinator"]})
        response = await credit.approve(event["id"], network_coordinator,
                                        district_id=credit.api.network, hours=6)
        assert problem(response, 422)["code"] == "not_a_district"

    async def test_network_admins_approve_network_wide_but_not_for_a_district(self, credit):
        event, _ = await credit.series()
        wide = await credit.approve(event["id"], credit.network_admin, district_id=None, hours=6)
        assert wide.status_code == 201 and wide.json()["network_wide"] is True
        problem(await credit.approve(event["id"], credit.network_admin,
                                     district_id=credit.district_a, hours=6), 403)
        other_admin = credit.keys.headers(roles={"net-other": ["network_admin"]})
        problem(await credit.approve(event["id"], other_admin, district_id=None, hours=6), 403)

    async def test_a_retried_approval_gets_the_first_answer(self, credit):
        event, _ = await credit.series()
        first = await credit.approve(event["id"], credit.coordinator_a,
                                     district_id=credit.district_a, hours=4, key="approve-1")
        again = await credit.approve(event["id"], credit.coordinator_a,
                                     district_id=credit.district_a, hours=4, key="approve-1")
        assert again.headers.get("idempotent-replayed") == "true"
        assert again.json() == first.json()
        listed = (await credit.client.get(f"{API}/events/{event['id']}/credit",
                                          headers=credit.coordinator_a)).json()["items"]
        assert [len(a["history"]) for a in listed] == [1]

    async def test_a_cancelled_event_earns_no_credit(self, credit):
        event, _ = await credit.series()
        await credit.client.patch(f"{API}/events/{event['id']}", json={"status": "cancelled"},
                                  headers=credit.api.leader)
        # The network's staff still see it, and are told why; a district no longer sees it.
        problem(await credit.approve(event["id"], credit.network_admin, district_id=None,
                                     hours=6), 409)
        problem(await credit.approve(event["id"], credit.coordinator_a,
                                     district_id=credit.district_a, hours=6), 404)

    async def test_revoking_what_was_never_approved_is_a_conflict(self, credit):
        event, _ = await credit.series()
        problem(await credit.revoke(event["id"], credit.coordinator_a,
                                    district_id=credit.district_a), 409)
        problem(await credit.revoke(event["id"], credit.coordinator_b,
                                    district_id=credit.district_a), 403)


class TestQueue:
    async def test_a_request_waits_in_its_districts_queue_until_approved(self, credit):
        event, _ = await credit.series()
        requested = await credit.request(event["id"], district_id=credit.district_a)
        assert requested.status_code == 201 and requested.json()["status"] == "pending"

        async def queue(headers: dict, **params) -> list[dict]:
            response = await credit.client.get(f"{API}/credit/approvals", params=params,
                                               headers=headers)
            assert response.status_code == 200, response.text
            return response.json()["items"]

        waiting = await queue(credit.coordinator_a)
        assert [(i["event"]["id"], i["event"]["credit_hours"]) for i in waiting] == [
            (event["id"], 6)]
        assert await queue(credit.coordinator_b) == []
        await credit.approve(event["id"], credit.coordinator_a, district_id=credit.district_a,
                             hours=6)
        assert await queue(credit.coordinator_a) == []
        approved = await queue(credit.coordinator_a, status="approved")
        assert [i["approval"]["hours"] for i in approved] == [6]

    async def test_the_queue_is_paginated_and_network_wide_requests_go_to_network_admins(
            self, credit):
        for _ in range(3):
            event, _ = await credit.series()
            await credit.request(event["id"], district_id=None)
        first = await credit.client.get(f"{API}/credit/approvals", params={"limit": 2},
                                        headers=credit.network_admin)
        assert len(first.json()["items"]) == 2 and first.json()["next_cursor"]
        rest = await credit.client.get(
            f"{API}/credit/approvals",
            params={"limit": 2, "cursor": first.json()["next_cursor"]},
            headers=credit.network_admin)
        assert len(rest.json()["items"]) == 1 and rest.json()["next_cursor"] is None
        coordinator = await credit.client.get(f"{API}/credit/approvals",
                                              headers=credit.coordinator_a)
        assert coordinator.json()["items"] == []

    async def test_only_deciders_read_a_queue(self, credit):
        _, teacher = credit.teacher(credit.district_a)
        problem(await credit.client.get(f"{API}/credit/approvals", headers=teacher), 403)
        problem(await credit.client.get(f"{API}/credit/approvals",
                                        params={"district_id": credit.district_b},
                                        headers=credit.coordinator_a), 403)

    async def test_only_the_events_staff_request_credit(self, credit):
        event, _ = await credit.series()
        _, teacher = credit.teacher(credit.district_a)
        response = await credit.client.post(f"{API}/events/{event['id']}/credit/requests",
                                            json={"district_id": credit.district_a},
                                            headers=teacher)
        problem(response, 403)


class TestTranscript:
    async def test_only_approved_hours_count_pro_rated_by_sessions_attended(self, credit):
        event, (one, _two) = await credit.series(credit_hours=6)
        teacher_id, teacher = credit.teacher(credit.district_a)
        await credit.attend(one, teacher_id)
        await credit.request(event["id"], district_id=credit.district_a)

        pending = await credit.transcript(teacher)
        [row] = rows(pending)
        assert (row["approval"], row["hours_earned"], row["sessions_attended"],
                row["sessions_total"]) == ("pending", 0, 1, 2)
        assert (pending["total_hours"], pending["pending_events"]) == (0, 1)

        await credit.approve(event["id"], credit.coordinator_a, district_id=credit.district_a,
                             hours=5)
        approved = await credit.transcript(teacher)
        [row] = rows(approved)
        assert (row["approval"], row["approval_scope"], row["approved_hours"],
                row["hours_earned"]) == ("approved", "district", 5, 2.5)
        assert approved["total_hours"] == 2.5
        assert approved["years"][0]["school_year"] == "2025-26"

    async def test_a_cancelled_session_is_not_a_part_of_the_event(self, credit):
        event, (one, two) = await credit.series(credit_hours=6)
        teacher_id, teacher = credit.teacher(credit.district_a)
        await credit.attend(one, teacher_id)
        cancelled = await credit.client.post(f"{API}/sessions/{two['id']}/cancel",
                                             headers=credit.api.leader)
        assert cancelled.status_code == 200, cancelled.text
        await credit.approve(event["id"], credit.coordinator_a, district_id=credit.district_a,
                             hours=6)
        [row] = rows(await credit.transcript(teacher))
        assert (row["sessions_attended"], row["sessions_total"], row["hours_earned"]) == (1, 1, 6)

    async def test_revoking_removes_the_hours(self, credit):
        event, sessions = await credit.series(credit_hours=6)
        teacher_id, teacher = credit.teacher(credit.district_a)
        for session in sessions:
            await credit.attend(session, teacher_id)
        await credit.approve(event["id"], credit.coordinator_a, district_id=credit.district_a,
                             hours=6)
        assert (await credit.transcript(teacher))["total_hours"] == 6
        assert (await credit.revoke(event["id"], credit.coordinator_a,
                                    district_id=credit.district_a)).status_code == 201
        after = await credit.transcript(teacher)
        assert after["total_hours"] == 0 and rows(after)[0]["approval"] == "none"

    async def test_another_district_gets_credit_only_from_a_network_wide_approval(self, credit):
        event, sessions = await credit.series(credit_hours=6)
        a_id, a_teacher = credit.teacher(credit.district_a)
        b_id, b_teacher = credit.teacher(credit.district_b)
        for person in (a_id, b_id):
            for session in sessions:
                await credit.attend(session, person)
        await credit.approve(event["id"], credit.coordinator_a, district_id=credit.district_a,
                             hours=6)
        assert (await credit.transcript(b_teacher))["total_hours"] == 0

        await credit.approve(event["id"], credit.network_admin, district_id=None, hours=4)
        b_rows = rows(await credit.transcript(b_teacher))
        assert [(r["approval_scope"], r["hours_earned"]) for r in b_rows] == [("network", 4)]
        # District A's own decision stands for its teachers.
        a_rows = rows(await credit.transcript(a_teacher))
        assert [(r["approval_scope"], r["hours_earned"]) for r in a_rows] == [("district", 6)]

    async def test_registrations_without_attendance_earn_nothing_and_years_split_in_july(
            self, credit):
        spring, (spring_session,) = await credit.series(credit_hours=3, sessions=1,
                                                        starts=("2026-06-30",))
        autumn, (autumn_session,) = await credit.series(credit_hours=2, sessions=1,
                                                        starts=("2026-07-01",))
        registered_only, _ = await credit.series(credit_hours=9, sessions=1)
        teacher_id, teacher = credit.teacher(credit.district_a)
        await credit.attend(spring_session, teacher_id)
        await credit.attend(autumn_session, teacher_id)
        for event in (spring, autumn, registered_only):
            await credit.approve(event["id"], credit.coordinator_a,
                                 district_id=credit.district_a, hours=event["credit_hours"])
        transcript = await credit.transcript(teacher)
        assert [(y["school_year"], y["approved_hours"], y["events"])
                for y in transcript["years"]] == [("2026-27", 2, 1), ("2025-26", 3, 1)]
        assert transcript["total_hours"] == 5

    async def test_a_conference_counts_its_slots_not_its_parallel_sessions(self, credit):
        conference = await credit.api.event(kind="conference", credit_hours=4)
        slots = []
        for n, hour in enumerate((9, 13)):
            response = await credit.client.post(
                f"{API}/events/{conference['id']}/slots",
                json={"label": f"Block {n + 1}", "starts_at": f"2026-10-03T{hour:02d}:00:00-07:00",
                      "ends_at": f"2026-10-03T{hour + 2:02d}:00:00-07:00"},
                headers=credit.api.leader)
            assert response.status_code == 201, response.text
            slots.append(response.json())
        parallel = [await credit.api.session(conference["id"], slot_id=slot["id"],
                                             title=f"Breakout {n}", starts_at=slot["starts_at"],
                                             ends_at=slot["ends_at"])
                    for slot in slots for n in range(3)]
        teacher_id, teacher = credit.teacher(credit.district_a)
        await credit.attend(parallel[0], teacher_id)
        await credit.approve(conference["id"], credit.network_admin, district_id=None, hours=4)
        [row] = rows(await credit.transcript(teacher))
        assert (row["sessions_attended"], row["sessions_total"], row["hours_earned"]) == (1, 2, 2)


class TestTranscriptAccess:
    async def test_the_person_and_their_districts_coordinators_read_it(self, credit):
        event, (session, _) = await credit.series()
        teacher_id, teacher = credit.teacher(credit.district_a)
        await credit.attend(session, teacher_id)
        own = await credit.transcript(teacher, teacher_id)
        by_coordinator = await credit.transcript(credit.coordinator_a, teacher_id)
        assert own == by_coordinator == await credit.transcript(teacher)
        assert [r["event_id"] for r in rows(own)] == [event["id"]]
        admin = await credit.transcript(credit.keys.headers(admin=True), teacher_id)
        assert admin == own

    async def test_others_are_refused(self, credit, keys):
        _, (session, _) = await credit.series()
        teacher_id, _ = credit.teacher(credit.district_a)
        await credit.attend(session, teacher_id)
        _, colleague = credit.teacher(credit.district_a)
        url = f"{API}/people/{teacher_id}/transcript"
        for headers in (credit.coordinator_b, credit.api.leader, colleague):
            problem(await credit.client.get(url, headers=headers), 403)
        problem(await credit.client.get(url), 401)
        problem(await credit.client.get(f"{API}/people/{new_person()}/transcript",
                                        headers=credit.coordinator_a), 404)

    async def test_a_network_admin_sees_only_their_networks_events(self, credit, keys):
        ours, (our_session, _) = await credit.series()
        teacher_id, _ = credit.teacher(credit.district_a)
        await credit.attend(our_session, teacher_id)
        theirs = credit.api.__class__(credit.client, keys, credit.directory)  # a second network
        other_event = await theirs.event()
        other_session = await theirs.session(other_event["id"])
        await credit.client.post(f"{API}/sessions/{other_session['id']}/attendance",
                                 json={"person_id": teacher_id}, headers=theirs.leader)

        seen = await credit.transcript(credit.network_admin, teacher_id)
        assert [r["event_id"] for r in rows(seen)] == [ours["id"]]
        assert seen["limited_to_networks"] == [credit.api.network]
        full = await credit.transcript(credit.coordinator_a, teacher_id)
        assert {r["event_id"] for r in rows(full)} == {ours["id"], other_event["id"]}
