from datetime import UTC, datetime, timedelta

import pytest

from tests.scheduling.conftest import API, new_person, problem


def _hours_from_now(hours: float) -> dict[str, str]:
    starts = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=hours)
    return {"starts_at": starts.isoformat(), "ends_at": (starts + timedelta(hours=2)).isoformat()}


class TestCheckIn:
    async def test_checking_in_twice_records_once(self, api, client):
        event = await api.event()
        session = await api.session(event["id"])
        person = api.new_person()
        url = f"{API}/sessions/{session['id']}/attendance"

        first = await client.post(url, json={"person_id": person, "source": "check_in"},
                                  headers=api.leader)
        second = await client.post(url, json={"person_id": person, "source": "manual"},
                                   headers=api.leader)

        assert (first.status_code, second.status_code) == (201, 200)
        assert second.json() == first.json()
        assert first.json()["source"] == "check_in" and first.json()["event_id"] == event["id"]
        listed = (await client.get(url, headers=api.leader)).json()["items"]
        assert [a["person_id"] for a in listed] == [person]

    async def test_the_roster_shows_who_attended(self, api, client):
        event = await api.event()
        session = await api.session(event["id"])
        present, absent = new_person(), new_person()
        for who in (present, absent):
            await api.register(session["id"], api.person(who))
        await client.post(f"{API}/sessions/{session['id']}/attendance",
                          json={"person_id": present}, headers=api.leader)
        roster = {r["person_id"]: r["attended"] for r in await api.roster(session["id"])}
        assert roster == {present: True, absent: False}

    async def test_only_facilitators_and_staff_check_people_in(self, api, client, keys):
        event = await api.event()
        facilitator = new_person()
        session = await api.session(event["id"], facilitator_ids=[facilitator])
        url = f"{API}/sessions/{session['id']}/attendance"
        body = {"person_id": api.new_person()}
        assert (await client.post(url, json=body, headers=api.person())).status_code == 403
        other_network = keys.headers(roles={"net-b": ["coordinator"]})
        assert (await client.post(url, json=body, headers=other_network)).status_code == 403
        by_facilitator = await client.post(url, json=body, headers=api.person(facilitator))
        assert by_facilitator.status_code == 201
        bad = await client.post(url, json={"person_id": "x", "source": "telepathy"},
                                headers=api.leader)
        assert bad.status_code == 422


class TestFeed:
    async def test_the_feed_carries_every_change_without_names(self, api, client):
        event = await api.event()
        session = await api.session(event["id"], capacity=1)
        people = [new_person(), new_person()]
        held, waiting = [(await api.register(session["id"], api.person(p, name="Private Name")))
                         .json() for p in people]
        await client.delete(f"{API}/registrations/{held['id']}", headers=api.person(people[0]))
        await client.post(f"{API}/sessions/{session['id']}/attendance",
                          json={"person_id": people[1]}, headers=api.leader)
        await client.patch(f"{API}/events/{event['id']}", json={"title": "Renamed"},
                           headers=api.leader)

        events = await api.feed()

        assert [(e["topic"], e["key"]) for e in events] == [
            ("event.created", event["id"]),
            ("session.created", session["id"]),
            ("registration.created", held["id"]),
            ("registration.created", waiting["id"]),
            ("registration.updated", held["id"]),
            ("registration.updated", waiting["id"]),
            ("attendance.recorded", events[6]["key"]),
            ("event.updated", event["id"]),
        ]
        assert events[3]["payload"] == {
            "id": waiting["id"], "session_id": session["id"], "event_id": event["id"],
            "person_id": people[1], "status": "waitlisted", "waitlist_position": 1}
        assert events[5]["payload"]["status"] == "confirmed"
        attendance = events[6]["payload"]
        assert set(attendance) == {"id", "session_id", "event_id", "person_id", "source",
                                   "recorded_at"}
        assert attendance["person_id"] == people[1]
        assert set(events[0]["payload"]) == {"id", "network_id", "kind", "title", "subjects",
                                             "grade_min", "grade_max", "timezone",
                                             "credit_hours", "status", "format", "county",
                                             "program_id"}
        assert set(events[1]["payload"]) == {"id", "event_id", "slot_id", "title", "starts_at",
                                             "ends_at", "capacity", "facilitator_ids",
                                             "status"}
        assert "Private Name" not in str(events)


class TestCheckInOpensShortlyBeforeTheSession:
    """Reach counts attendance of sessions that began: a check-in weeks early would count people
    reached in a window the session has not reached yet."""

    async def _refused(self, api, client, session_id: str, status: int, code: str) -> dict:
        url = f"{API}/sessions/{session_id}/attendance"
        before = len(await api.feed())
        body = problem(await client.post(url, json={"person_id": api.new_person()},
                                         headers={**api.leader, "Idempotency-Key": "k-1"}),
                       status)
        assert body["code"] == code
        assert (await client.get(url, headers=api.leader)).json()["items"] == []
        assert len(await api.feed()) == before  # no attendance.recorded event either
        return body

    async def test_six_weeks_early_is_refused_and_says_when_check_in_opens(self, api, client):
        event = await api.event()
        session = await api.session(event["id"], **_hours_from_now(6 * 7 * 24))
        body = await self._refused(api, client, session["id"], 409, "session_not_started")
        opens = datetime.fromisoformat(session["starts_at"]) - timedelta(hours=3)
        assert "3 hours before" in body["detail"]
        assert opens.strftime("%Y-%m-%dT%H:%MZ") in body["detail"].replace("+00:00", "Z")

    @pytest.mark.parametrize("hours", [2.5, -1])
    async def test_within_the_lead_time_or_once_started_is_recorded(self, api, client, hours):
        event = await api.event()
        session = await api.session(event["id"], **_hours_from_now(hours))
        response = await client.post(f"{API}/sessions/{session['id']}/attendance",
                                     json={"person_id": api.new_person()}, headers=api.leader)
        assert response.status_code == 201, response.text

    async def test_a_cancelled_session_is_refused(self, api, client):
        event = await api.event()
        session = await api.session(event["id"])
        cancelled = await client.post(f"{API}/sessions/{session['id']}/cancel",
                                      headers=api.leader)
        assert cancelled.status_code == 200, cancelled.text
        await self._refused(api, client, session["id"], 409, "session_cancelled")

    async def test_a_session_of_a_cancelled_event_is_refused(self, api, client):
        event = await api.event()
        session = await api.session(event["id"])
        changed = await client.patch(f"{API}/events/{event['id']}", json={"status": "cancelled"},
                                     headers=api.leader)
        assert changed.status_code == 200, changed.text
        await self._refused(api, client, session["id"], 409, "event_cancelled")

    async def test_a_sign_in_sheet_for_a_session_weeks_away_is_refused(self, api, client):
        event = await api.event()
        session = await api.session(event["id"], **_hours_from_now(6 * 7 * 24))
        response = await client.post(
            f"{API}/sessions/{session['id']}/sign-in-sheet",
            content=b"email,full_name,role,school,district,county\nt@x.test,T,teacher,,,\n",
            headers={**api.leader, "Content-Type": "text/csv"})
        assert problem(response, 409)["code"] == "session_not_started"


class TestBatch:
    """POST /sessions/{id}/attendance:batch: many people checked in at once, answered per id."""

    def _url(self, session_id: str) -> str:
        return f"{API}/sessions/{session_id}/attendance:batch"

    async def _send(self, api, session_id, person_ids, *, headers=None, key="batch-1"):
        return await api.client.post(self._url(session_id), json={"person_ids": person_ids},
                                     headers={**(headers or api.leader), "Idempotency-Key": key})

    async def _attended(self, api, session_id) -> set[str]:
        response = await api.client.get(f"{API}/sessions/{session_id}/attendance",
                                        params={"limit": 200}, headers=api.leader)
        return {a["person_id"] for a in response.json()["items"]}

    async def test_records_each_new_person_once_and_reports_every_id(self, api, client):
        event = await api.event()
        session = await api.session(event["id"])
        before, *fresh = [api.new_person() for _ in range(4)]
        await client.post(f"{API}/sessions/{session['id']}/attendance",
                          json={"person_id": before}, headers=api.leader)
        events_before = len(await api.feed())
        ids = [fresh[0], before, "nobody-knows-me", fresh[1], fresh[0], fresh[2]]

        response = await self._send(api, session["id"], ids)

        assert response.status_code == 200, response.text
        body = response.json()
        assert (body["recorded"], body["already"], body["errors"]) == (3, 2, 1)
        assert [i["status"] for i in body["items"]] == [
            "recorded", "already", "error", "recorded", "already", "recorded"]
        assert [i["person_id"] for i in body["items"]] == ids
        assert "No one" in body["items"][2]["message"]
        assert await self._attended(api, session["id"]) == {before, *fresh}
        recorded = [e for e in (await api.feed())[events_before:]]
        assert [e["topic"] for e in recorded] == ["attendance.recorded"] * 3
        assert [e["payload"]["person_id"] for e in recorded] == fresh
        assert {e["payload"]["source"] for e in recorded} == {"manual"}

    async def test_a_retry_with_the_same_key_gets_the_first_answer(self, api, client):
        event = await api.event()
        session = await api.session(event["id"])
        ids = [api.new_person(), api.new_person()]
        first = await self._send(api, session["id"], ids)
        again = await self._send(api, session["id"], ids)
        assert again.status_code == 200 and again.headers["Idempotent-Replayed"] == "true"
        assert again.json() == first.json() and first.json()["recorded"] == 2
        other = await self._send(api, session["id"], ids[:1])
        assert problem(other, 422)["code"] == "idempotency_key_reused"
        fresh = await self._send(api, session["id"], ids, key="batch-2")
        assert (fresh.json()["recorded"], fresh.json()["already"]) == (0, 2)
        assert len([e for e in await api.feed() if e["topic"] == "attendance.recorded"]) == 2

    async def test_the_key_is_required_and_the_list_bounded(self, api, client):
        event = await api.event()
        session = await api.session(event["id"])
        person = api.new_person()
        missing = await client.post(self._url(session["id"]), json={"person_ids": [person]},
                                    headers=api.leader)
        assert "idempotency-key" in problem(missing, 422)["detail"].lower() + str(
            missing.json().get("errors")).lower()
        assert (await self._send(api, session["id"], [person] * 1001)).status_code == 422
        assert (await self._send(api, session["id"], [], key="k-2")).status_code == 422
        assert await self._attended(api, session["id"]) == set()

    async def test_only_facilitators_and_staff_and_only_once_check_in_opens(self, api, client,
                                                                              keys):
        event = await api.event()
        facilitator = new_person()
        session = await api.session(event["id"], facilitator_ids=[facilitator])
        ids = [api.new_person()]
        assert (await self._send(api, session["id"], ids, headers=api.person())).status_code \
            == 403
        other_network = keys.headers(roles={"net-b": ["coordinator"]})
        assert (await self._send(api, session["id"], ids, headers=other_network)).status_code \
            == 403
        assert await self._attended(api, session["id"]) == set()
        by_facilitator = await self._send(api, session["id"], ids,
                                          headers=api.person(facilitator))
        assert by_facilitator.json()["recorded"] == 1
        later = await api.session(event["id"], **_hours_from_now(6 * 7 * 24))
        refused = await self._send(api, later["id"], ids, key="k-3")
        assert problem(refused, 409)["code"] == "session_not_started"
        assert await self._attended(api, later["id"]) == set()
