from tests.scheduling.conftest import API, new_person


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
