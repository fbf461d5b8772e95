import pytest

from tests.scheduling.conftest import API, new_person, problem


class TestCreateEvent:
    async def test_leader_creates_an_event_in_their_network(self, api):
        event = await api.event(grade_min="TK", grade_max="K", subjects=["math", "ELD"])
        assert event["network_id"] == api.network
        assert (event["grade_min"], event["grade_max"]) == ("TK", "K")
        assert event["subjects"] == ["math", "ELD"] and event["sessions"] == []

    async def test_leader_of_network_a_cannot_create_an_event_in_network_b(self, api, client):
        body = {"network_id": "net-b", "kind": "webinar", "title": "x", "grade_min": "K",
                "grade_max": "2", "timezone": "UTC"}
        response = await client.post(f"{API}/events", json=body, headers=api.leader)
        assert problem(response, 403)["code"] == "forbidden"

    async def test_a_participant_cannot_create_events_and_anonymous_must_sign_in(self, api, client):
        body = {"network_id": api.network, "kind": "webinar", "title": "x", "grade_min": "K",
                "grade_max": "2", "timezone": "UTC"}
        member = api.person(roles={api.network: ["member"]})
        problem(await client.post(f"{API}/events", json=body, headers=member), 403)
        problem(await client.post(f"{API}/events", json=body), 401)

    async def test_platform_admin_creates_events_anywhere(self, api, client, keys):
        body = {"network_id": api.network_of("elsewhere"), "kind": "conference", "title": "x",
                "grade_min": "K", "grade_max": "12", "timezone": "UTC"}
        response = await client.post(f"{API}/events", json=body, headers=keys.headers(admin=True))
        assert response.status_code == 201

    @pytest.mark.parametrize("change", [
        {"grade_min": "9", "grade_max": "K"},
        {"timezone": "Mars/Olympus_Mons"},
        {"timezone": "../etc/passwd"},
        {"kind": "party"},
        {"subjects": ["art"]},
        {"credit_hours": -1},
        {"grade_min": "13"},
        {"title": ""},
    ])
    async def test_bad_input_is_a_422problem(self, api, client, change):
        body = {"network_id": api.network, "kind": "webinar", "title": "x", "grade_min": "K",
                "grade_max": "2", "timezone": "UTC", **change}
        refusal = problem(await client.post(f"{API}/events", json=body, headers=api.leader), 422)
        assert refusal["code"] == "invalid_input" and refusal["errors"]


class TestSeeEvents:
    async def test_drafts_are_hidden_from_outsiders_and_shown_to_the_network_staff(
            self, api, client, keys):
        draft = await api.event(status="draft", title="Secret plan")
        outsider = keys.headers(roles={"net-b": ["leader"]})
        for headers in (outsider, api.person(), {}):
            problem(await client.get(f"{API}/events/{draft['id']}", headers=headers), 404)
            listed = (await client.get(f"{API}/events", headers=headers)).json()["items"]
            assert draft["id"] not in [e["id"] for e in listed]
        shown = await client.get(f"{API}/events/{draft['id']}", headers=api.leader)
        assert shown.status_code == 200
        listed = (await client.get(f"{API}/events", headers=api.leader)).json()["items"]
        assert draft["id"] in [e["id"] for e in listed]

    async def test_filters_by_subject_grade_dates_text_and_network(self, api, client):
        math = await api.event(title="Number talks", subjects=["math"], grade_min="K",
                               grade_max="2")
        ela = await api.event(title="Argument writing", subjects=["ELA"], grade_min="6",
                              grade_max="8")
        await api.session(math["id"], starts_at="2026-01-10T17:00:00Z",
                          ends_at="2026-01-10T19:00:00Z")
        await api.session(ela["id"], starts_at="2026-02-10T17:00:00Z",
                          ends_at="2026-02-10T19:00:00Z")

        async def ids(**params) -> list[str]:
            response = await client.get(f"{API}/events",
                                        params={"network_id": api.network, **params})
            assert response.status_code == 200, response.text
            return [e["id"] for e in response.json()["items"]]

        assert await ids(subject="math") == [math["id"]]
        assert await ids(grade="K") == [math["id"]]
        assert await ids(grade="7") == [ela["id"]]
        assert await ids(grade="TK") == []
        assert await ids(q="ARGUMENT") == [ela["id"]]
        assert await ids(q="%") == []
        assert await ids(**{"from": "2026-02-01"}) == [ela["id"]]
        assert await ids(to="2026-01-10") == [math["id"]]
        assert await ids(**{"from": "2026-01-10", "to": "2026-02-10"}) == [math["id"], ela["id"]]
        assert await ids(network_id="another") == []

    async def test_lists_are_cursor_paginated(self, api, client):
        made = [(await api.event(title=f"E{n}"))["id"] for n in range(5)]
        seen, cursor = [], None
        while True:
            params = {"network_id": api.network, "limit": 2,
                      **({"cursor": cursor} if cursor else {})}
            page = (await client.get(f"{API}/events", params=params)).json()
            seen += [e["id"] for e in page["items"]]
            cursor = page["next_cursor"]
            if not cursor:
                break
        assert seen == made


class TestUpdateEvent:
    async def test_staff_publish_a_draft_and_the_change_is_checked_whole(self, api, client):
        draft = await api.event(status="draft", grade_min="3", grade_max="5")
        url = f"{API}/events/{draft['id']}"
        published = await client.patch(url, json={"status": "published", "title": "New"},
                                       headers=api.leader)
        assert published.status_code == 200 and published.json()["status"] == "published"
        problem(await client.patch(url, json={"grade_min": "6"}, headers=api.leader), 422)
        problem(await client.patch(url, json={"timezone": "Nowhere/Land"}, headers=api.leader), 422)
        outsider = api.person(roles={"net-b": ["network_admin"]})
        problem(await client.patch(url, json={"title": "Mine"}, headers=outsider), 403)


class TestSlotsAndSessions:
    async def test_a_session_in_a_slot_takes_the_slots_times(self, api, client):
        conference = await api.event(kind="conference")
        slots = f"{API}/events/{conference['id']}/slots"
        slot = (await client.post(slots, headers=api.leader, json={
            "label": "Breakout A", "starts_at": "2026-04-01T09:00:00-07:00",
            "ends_at": "2026-04-01T10:00:00-07:00"})).json()
        response = await client.post(f"{API}/events/{conference['id']}/sessions",
                                     headers=api.leader,
                                     json={"title": "Close reading", "capacity": 30,
                                           "slot_id": slot["id"],
                                           "facilitator_ids": [new_person()]})
        assert response.status_code == 201, response.text
        session = response.json()
        assert (session["starts_at"], session["ends_at"]) == ("2026-04-01T16:00:00Z",
                                                              "2026-04-01T17:00:00Z")
        assert session["slot_id"] == slot["id"]
        assert (session["confirmed_count"], session["waitlist_count"]) == (0, 0)
        event = (await client.get(f"{API}/events/{conference['id']}")).json()
        assert [s["id"] for s in event["sessions"]] == [session["id"]]

    @pytest.mark.parametrize("change", [
        {"capacity": -1},
        {"ends_at": "2026-03-04T15:00:00-08:00"},
        {"starts_at": "2026-03-04T16:00:00"},  # no offset: which time zone?
        {"starts_at": None, "ends_at": None},  # outside a slot, times are required
    ])
    async def test_bad_sessions_are_422_problems(self, api, client, change):
        event = await api.event()
        body = {"title": "S", "starts_at": "2026-03-04T16:00:00-08:00",
                "ends_at": "2026-03-04T18:00:00-08:00", "capacity": 10, **change}
        response = await client.post(f"{API}/events/{event['id']}/sessions", json=body,
                                     headers=api.leader)
        problem(response, 422)

    async def test_a_slot_of_another_event_is_not_found(self, api, client):
        first, second = await api.event(kind="conference"), await api.event(kind="conference")
        slot = (await client.post(f"{API}/events/{first['id']}/slots", headers=api.leader, json={
            "label": "A", "starts_at": "2026-04-01T09:00:00Z",
            "ends_at": "2026-04-01T10:00:00Z"})).json()
        response = await client.post(f"{API}/events/{second['id']}/sessions", headers=api.leader,
                                     json={"title": "S", "capacity": 5, "slot_id": slot["id"]})
        assert problem(response, 404)["code"] == "slot_not_found"


class TestCalendar:
    async def test_the_feed_is_valid_icalendar_with_one_event_per_session(self, api, client):
        event = await api.event(title="Science, inquiry; and a very long title " + "é" * 40,
                                venue="County Office")
        first = await api.session(event["id"], room="Room 4")
        second = await api.session(event["id"], title="Session II",
                                   starts_at="2026-04-01T16:00:00-07:00",
                                   ends_at="2026-04-01T18:00:00-07:00")

        response = await client.get(f"{API}/events/{event['id']}/calendar.ics")

        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/calendar")
        raw = response.content
        assert raw.endswith(b"\r\n") and b"\n" not in raw.replace(b"\r\n", b"")
        physical = raw.split(b"\r\n")[:-1]
        assert all(len(line) <= 75 for line in physical)
        unfolded = raw.decode().replace("\r\n ", "").split("\r\n")[:-1]
        assert unfolded[0] == "BEGIN:VCALENDAR" and unfolded[-1] == "END:VCALENDAR"
        assert "VERSION:2.0" in unfolded and any(line.startswith("PRODID:") for line in unfolded)
        assert unfolded.count("BEGIN:VEVENT") == unfolded.count("END:VEVENT") == 2
        assert f"UID:{first['id']}@cascade-scheduling" in unfolded
        assert f"UID:{second['id']}@cascade-scheduling" in unfolded
        assert "DTSTART;TZID=America/Los_Angeles:20260304T160000" in unfolded
        assert "DTEND;TZID=America/Los_Angeles:20260304T180000" in unfolded
        assert "DTSTART;TZID=America/Los_Angeles:20260401T160000" in unfolded
        assert sum(line.startswith("DTSTAMP:") and line.endswith("Z") for line in unfolded) == 2
        assert "LOCATION:County Office\\, Room 4" in unfolded
        summary = next(line for line in unfolded if line.startswith("SUMMARY:"))
        assert summary.startswith("SUMMARY:Science\\, inquiry\\; and a very long title é")

    async def test_a_drafts_calendar_is_not_found_to_outsiders(self, api, client):
        draft = await api.event(status="draft")
        problem(await client.get(f"{API}/events/{draft['id']}/calendar.ics"), 404)


class TestCreateEventIdempotently:
    async def test_a_double_submitted_form_makes_one_event(self, api, client):
        body = {"network_id": api.network, "kind": "webinar", "title": "Once", "grade_min": "K",
                "grade_max": "2", "timezone": "UTC"}
        headers = {**api.leader, "Idempotency-Key": "form-123"}
        first = await client.post(f"{API}/events", json=body, headers=headers)
        second = await client.post(f"{API}/events", json=body, headers=headers)
        assert (first.status_code, second.status_code) == (201, 201)
        assert first.json() == second.json()
        listed = (await client.get(f"{API}/events", params={"network_id": api.network},
                                   headers=api.leader)).json()
        assert [e["title"] for e in listed["items"]] == ["Once"]
