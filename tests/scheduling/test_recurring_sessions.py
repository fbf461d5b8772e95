import pytest

from tests.scheduling.conftest import API, new_person, problem

# "Every other Tuesday, 4 times, 3:30-5:00 pm", across the end of daylight time (Nov 1, 2026).
SERIES = {"title": "Session", "first_date": "2026-10-20", "start_time": "15:30",
          "end_time": "17:00", "every_weeks": 2, "count": 4, "capacity": 12}


async def series(api, client, event_id: str, **change) -> list[dict]:
    response = await client.post(f"{API}/events/{event_id}/sessions/series",
                                 json={**SERIES, "facilitator_ids": [api.leader_id], **change},
                                 headers=api.leader)
    assert response.status_code == 201, response.text
    return response.json()


class TestCreateSeries:
    async def test_every_other_tuesday_keeps_the_local_time_across_daylight_saving(
            self, api, client):
        event = await api.event(timezone="America/Los_Angeles")

        made = await series(api, client, event["id"])

        assert [(s["title"], s["starts_at"], s["ends_at"]) for s in made] == [
            ("Session 1", "2026-10-20T22:30:00Z", "2026-10-21T00:00:00Z"),
            ("Session 2", "2026-11-03T23:30:00Z", "2026-11-04T01:00:00Z"),
            ("Session 3", "2026-11-17T23:30:00Z", "2026-11-18T01:00:00Z"),
            ("Session 4", "2026-12-01T23:30:00Z", "2026-12-02T01:00:00Z"),
        ]
        assert all(s["capacity"] == 12 and s["facilitator_ids"] == [api.leader_id]
                   and s["event_id"] == event["id"] for s in made)
        stored = (await client.get(f"{API}/events/{event['id']}")).json()["sessions"]
        assert [s["id"] for s in stored] == [s["id"] for s in made]
        created = [e for e in await api.feed() if e["topic"] == "session.created"
                   and e["payload"]["event_id"] == event["id"]]
        assert sorted(e["key"] for e in created) == sorted(s["id"] for s in made)

    async def test_a_weekday_after_first_date_and_given_titles(self, api, client):
        event = await api.event(timezone="Europe/Berlin")
        made = await series(api, client, event["id"], title=None, weekday="thursday",
                            every_weeks=1, count=2, titles=["Session I", "Session II"])
        # 2026-10-20 is a Tuesday: the first Thursday on or after it; Berlin leaves summer
        # time on Oct 25.
        assert [(s["title"], s["starts_at"]) for s in made] == [
            ("Session I", "2026-10-22T13:30:00Z"), ("Session II", "2026-10-29T14:30:00Z")]

    async def test_an_ambiguous_autumn_time_takes_its_first_occurrence(self, api, client):
        event = await api.event(timezone="America/Los_Angeles")
        made = await series(api, client, event["id"], first_date="2026-11-01",
                            start_time="01:30", end_time="01:45", count=1)
        assert (made[0]["starts_at"], made[0]["ends_at"]) == ("2026-11-01T08:30:00Z",
                                                              "2026-11-01T08:45:00Z")

    async def test_a_time_skipped_by_spring_forward_is_refused_whole(self, api, client):
        event = await api.event(timezone="America/Los_Angeles")
        body = {**SERIES, "first_date": "2027-02-28", "start_time": "02:30", "end_time": "03:30",
                "every_weeks": 2}
        response = await client.post(f"{API}/events/{event['id']}/sessions/series", json=body,
                                     headers=api.leader)
        refusal = problem(response, 422)
        assert refusal["code"] == "invalid_schedule" and "2027-03-14" in refusal["detail"]
        assert (await client.get(f"{API}/events/{event['id']}")).json()["sessions"] == []

    async def test_only_the_networks_staff_create_a_series(self, api, client):
        event = await api.event()
        url = f"{API}/events/{event['id']}/sessions/series"
        outsider = api.person(roles={"net-b": ["leader"]})
        member = api.person(roles={api.network: ["member"]})
        for headers in (outsider, member):
            refused = await client.post(url, json=SERIES, headers=headers)
            assert problem(refused, 403)["code"] == "forbidden"
        problem(await client.post(url, json=SERIES), 401)
        assert (await client.get(f"{API}/events/{event['id']}")).json()["sessions"] == []

    @pytest.mark.parametrize("change", [
        {"count": 0},
        {"count": 53},
        {"every_weeks": 0},
        {"every_weeks": 9},
        {"end_time": "15:00"},
        {"start_time": "15:30+02:00"},
        {"weekday": "funday"},
        {"titles": ["A", "B"]},  # with a title too
        {"title": None, "titles": ["A", "B"]},  # not one per meeting
        {"first_date": "2026-02-30"},
    ])
    async def test_bad_series_are_422_problems(self, api, client, change):
        event = await api.event()
        response = await client.post(f"{API}/events/{event['id']}/sessions/series",
                                     json={**SERIES, **change}, headers=api.leader)
        assert problem(response, 422)["code"] == "invalid_input"


class TestChangeOneSession:
    async def test_moving_one_session_leaves_the_rest_of_the_series(self, api, client):
        event = await api.event()
        made = await series(api, client, event["id"])
        moved = made[1]

        response = await client.patch(f"{API}/sessions/{moved['id']}", headers=api.leader, json={
            "starts_at": "2026-11-05T15:30:00-08:00", "ends_at": "2026-11-05T17:00:00-08:00",
            "title": "Session 2 (moved)", "room": "Library"})

        assert response.status_code == 200, response.text
        assert {k: response.json()[k] for k in ("title", "room", "starts_at", "ends_at")} == {
            "title": "Session 2 (moved)", "room": "Library",
            "starts_at": "2026-11-05T23:30:00Z", "ends_at": "2026-11-06T01:00:00Z"}
        for unchanged in (made[0], made[2], made[3]):
            assert await api.get_session(unchanged["id"]) == unchanged
        updated = [e for e in await api.feed() if e["topic"] == "session.updated"]
        assert [e["key"] for e in updated] == [moved["id"]]
        assert updated[0]["payload"]["starts_at"].startswith("2026-11-05T23:30:00")

    async def test_capacity_never_drops_below_the_confirmed_seats(self, api, client):
        event = await api.event()
        session = (await series(api, client, event["id"], count=1, capacity=3))[0]
        for _ in range(2):
            assert (await api.register(session["id"], api.person())).status_code == 201
        url = f"{API}/sessions/{session['id']}"

        refusal = problem(await client.patch(url, json={"capacity": 1}, headers=api.leader), 409)

        assert refusal["code"] == "capacity_below_confirmed"
        assert (await api.get_session(session["id"]))["capacity"] == 3
        resized = await client.patch(url, json={"capacity": 2}, headers=api.leader)
        assert resized.status_code == 200 and resized.json()["capacity"] == 2

    async def test_raising_capacity_seats_the_waitlist_in_order(self, api, client):
        event = await api.event()
        session = (await series(api, client, event["id"], count=1, capacity=1))[0]
        people = [new_person() for _ in range(4)]
        answers = [(await api.register(session["id"], api.person(p))).json() for p in people]
        assert [a["status"] for a in answers] == ["confirmed", "waitlisted", "waitlisted",
                                                  "waitlisted"]

        resized = await client.patch(f"{API}/sessions/{session['id']}", json={"capacity": 3},
                                     headers=api.leader)

        assert resized.status_code == 200, resized.text
        assert (resized.json()["confirmed_count"], resized.json()["waitlist_count"]) == (3, 1)
        promoted = [e["payload"] for e in await api.feed()
                    if e["topic"] == "registration.updated"]
        assert [p["person_id"] for p in promoted] == people[1:3]  # first in line first
        assert all(p["status"] == "confirmed" for p in promoted)
        assert (await api.get_session(session["id"]))["waitlist_count"] == 1

    @pytest.mark.parametrize("change", [
        {"ends_at": "2026-10-20T15:00:00-07:00"},  # before the session's start
        {"starts_at": "2026-10-20T15:30:00"},  # no offset
        {"title": None},
        {"capacity": -1},
        {"status": "cancelled"},  # sessions carry no status of their own yet
    ])
    async def test_bad_changes_are_422_problems(self, api, client, change):
        event = await api.event()
        session = (await series(api, client, event["id"], count=1))[0]
        problem(await client.patch(f"{API}/sessions/{session['id']}", json=change,
                                   headers=api.leader), 422)

    async def test_only_the_networks_staff_change_a_session(self, api, client):
        event = await api.event()
        draft = await api.event(status="draft")
        published = (await series(api, client, event["id"], count=1))[0]
        hidden = (await series(api, client, draft["id"], count=1))[0]
        outsider = api.person(roles={"net-b": ["leader"]})
        member = api.person(roles={api.network: ["member"]})
        for headers in (outsider, member):
            problem(await client.patch(f"{API}/sessions/{published['id']}", json={"capacity": 1},
                                       headers=headers), 403)
        # A draft's sessions are not disclosed to outsiders.
        problem(await client.patch(f"{API}/sessions/{hidden['id']}", json={"capacity": 1},
                                   headers=outsider), 404)
        problem(await client.patch(f"{API}/sessions/nope", json={"capacity": 1},
                                   headers=api.leader), 404)
        assert (await api.get_session(published["id"]))["capacity"] == SERIES["capacity"]
