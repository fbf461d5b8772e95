import uuid

from tests.scheduling.conftest import API, new_person, problem


class TestRegister:
    async def test_a_person_signs_themself_up_with_their_name_on_the_roster(self, api):
        event = await api.event()
        session = await api.session(event["id"])
        me = new_person()
        response = await api.register(session["id"], api.person(me, name="Ada Teacher",
                                                                 email="ada@example.org"))
        assert response.status_code == 201
        assert response.json() | {"id": None, "created_at": None, "updated_at": None} == {
            "id": None, "session_id": session["id"], "event_id": event["id"], "person_id": me,
            "status": "confirmed", "waitlist_position": None, "created_at": None,
            "updated_at": None,
        }
        [entry] = await api.roster(session["id"])
        assert (entry["person_name"], entry["person_email"], entry["attended"]) == (
            "Ada Teacher", "ada@example.org", False)

    async def test_full_session_waitlists_the_next_person(self, api):
        event = await api.event()
        session = await api.session(event["id"], capacity=2)
        answers = [(await api.register(session["id"], api.person())).json() for _ in range(4)]
        assert [(a["status"], a["waitlist_position"]) for a in answers] == [
            ("confirmed", None), ("confirmed", None), ("waitlisted", 1), ("waitlisted", 2)]

    async def test_registering_twice_is_a_409(self, api):
        event = await api.event()
        session = await api.session(event["id"])
        me = api.person()
        await api.register(session["id"], me)
        assert problem(await api.register(session["id"], me), 409)["code"] == "already_registered"

    async def test_a_participant_cannot_register_someone_else(self, api):
        event = await api.event()
        session = await api.session(event["id"])
        response = await api.register(session["id"], api.person(), person_id=new_person())
        assert problem(response, 403)["code"] == "forbidden"

    async def test_staff_register_someone_else_with_identitys_name(self, api, directory, keys):
        event = await api.event()
        session = await api.session(event["id"])
        other = new_person()
        directory.people[other] = {"id": other, "full_name": "Grace Coach",
                                   "email": "g@example.org"}
        coordinator = keys.headers(roles={api.network: ["coordinator"]})
        directory.authorizations.clear()
        response = await api.register(session["id"], coordinator, person_id=other)
        assert response.status_code == 201 and response.json()["person_id"] == other
        # Whether the person exists is asked with scheduling's token, after the coordinator was
        # found to run the session; the name and email are what the coordinator may read.
        assert directory.authorizations == ["Bearer scheduling-service-token",
                                            coordinator["Authorization"]]
        [entry] = await api.roster(session["id"])
        assert (entry["person_name"], entry["person_email"]) == ("Grace Coach", "g@example.org")

    async def test_a_facilitator_registers_someone_with_no_name_on_record_with_blanks(
            self, api, directory):
        event = await api.event()
        facilitator = new_person()
        session = await api.session(event["id"], facilitator_ids=[facilitator])
        directory.person("stranger")
        response = await api.register(session["id"], api.person(facilitator), person_id="stranger")
        assert response.status_code == 201
        [entry] = await api.roster(session["id"])
        assert (entry["person_id"], entry["person_name"], entry["person_email"]) == (
            "stranger", "", "")

    async def test_no_seat_is_taken_for_a_person_identity_does_not_know(self, api, keys):
        # B4 of the fuzzing report: a staff sign-up for "no-such-person" answered 201 and took
        # a real seat; the forced route already said unknown_person for the same id.
        event = await api.event()
        session = await api.session(event["id"], capacity=1)
        for headers in (api.leader, keys.headers(admin=True)):
            refused = await api.register(session["id"], headers, person_id="no-such-person")
            assert problem(refused, 422)["code"] == "unknown_person"
        assert await api.roster(session["id"]) == []
        assert (await api.get_session(session["id"]))["confirmed_count"] == 0

    async def test_a_draft_events_sessions_are_not_found_to_participants(self, api):
        draft = await api.event(status="draft")
        session = await api.session(draft["id"])
        assert problem(await api.register(session["id"], api.person()), 404)["code"] \
            == "session_not_found"

    async def test_one_session_per_conference_slot(self, api, client):
        conference = await api.event(kind="conference")
        slots = f"{API}/events/{conference['id']}/slots"
        slot = (await client.post(slots, headers=api.leader, json={
            "label": "Breakout A", "starts_at": "2026-04-01T16:00:00Z",
            "ends_at": "2026-04-01T17:00:00Z"})).json()
        first = await api.session(conference["id"], title="Close reading", slot_id=slot["id"],
                                  starts_at=None, ends_at=None)
        second = await api.session(conference["id"], title="Number talks", slot_id=slot["id"],
                                   starts_at=None, ends_at=None)
        later = await api.session(conference["id"], title="Closing")
        me = api.person()
        held = (await api.register(first["id"], me)).json()

        refusal = problem(await api.register(second["id"], me), 409)
        assert refusal["code"] == "slot_conflict" and "Close reading" in refusal["detail"]
        assert (await api.register(later["id"], me)).status_code == 201
        await client.delete(f"{API}/registrations/{held['id']}", headers=me)
        assert (await api.register(second["id"], me)).status_code == 201

    async def test_the_same_idempotency_key_replays_the_first_answer(self, api):
        event = await api.event()
        session = await api.session(event["id"])
        me, key = api.person(), str(uuid.uuid4())
        first = await api.register(session["id"], me, key=key)
        again = await api.register(session["id"], me, key=key)
        assert (again.status_code, again.json()) == (first.status_code, first.json())
        assert again.headers["idempotent-replayed"] == "true"
        other = await api.session(event["id"])
        reused = await api.register(other["id"], me, key=key)
        assert problem(reused, 422)["code"] == "idempotency_key_reused"

    async def test_a_cancelled_event_takes_no_sign_ups(self, api, client):
        event = await api.event()
        session = await api.session(event["id"])
        await client.patch(f"{API}/events/{event['id']}", json={"status": "cancelled"},
                           headers=api.leader)
        response = await api.register(session["id"],
                                      api.keys.headers(roles={api.network: ["leader"]}))
        assert problem(response, 409)["code"] == "event_closed"


class TestCancel:
    async def test_cancel_promotes_the_first_waitlisted(self, api, client):
        event = await api.event()
        session = await api.session(event["id"], capacity=1)
        people = [api.person() for _ in range(4)]
        held, *queue = [(await api.register(session["id"], who)).json() for who in people]

        response = await client.delete(f"{API}/registrations/{held['id']}", headers=people[0])

        assert response.status_code == 200 and response.json()["status"] == "cancelled"
        roster = {r["id"]: r for r in await api.roster(session["id"])}
        assert (roster[queue[0]["id"]]["status"], roster[queue[0]["id"]]["waitlist_position"]) \
            == ("confirmed", None)
        assert [roster[r["id"]]["waitlist_position"] for r in queue[1:]] == [1, 2]
        seats = await api.get_session(session["id"])
        assert (seats["confirmed_count"], seats["waitlist_count"]) == (1, 2)

    async def test_leaving_the_waitlist_moves_the_rest_up(self, api, client):
        event = await api.event()
        session = await api.session(event["id"], capacity=1)
        people = [api.person() for _ in range(4)]
        _held, first, second, third = [(await api.register(session["id"], w)).json()
                                       for w in people]
        await client.delete(f"{API}/registrations/{second['id']}", headers=people[2])
        roster = {r["id"]: r for r in await api.roster(session["id"])}
        assert (roster[first["id"]]["waitlist_position"],
                roster[third["id"]]["waitlist_position"]) == (1, 2)
        assert (await api.get_session(session["id"]))["waitlist_count"] == 2

    async def test_signing_up_again_after_cancelling_reuses_the_registration(self, api, client):
        event = await api.event()
        session = await api.session(event["id"], capacity=1)
        me = api.person()
        first = (await api.register(session["id"], me)).json()
        await client.delete(f"{API}/registrations/{first['id']}", headers=me)
        again = await api.register(session["id"], me)
        assert again.status_code == 201
        assert (again.json()["id"], again.json()["status"]) == (first["id"], "confirmed")
        assert (await api.get_session(session["id"]))["confirmed_count"] == 1

    async def test_only_the_person_or_staff_cancel(self, api, client):
        event = await api.event()
        session = await api.session(event["id"])
        mine = (await api.register(session["id"], api.person())).json()
        url = f"{API}/registrations/{mine['id']}"
        problem(await client.delete(url, headers=api.person()), 403)
        assert (await client.delete(url, headers=api.leader)).status_code == 200
        problem(await client.delete(f"{API}/registrations/nope", headers=api.leader), 404)


class TestSchedule:
    async def test_my_registrations_show_session_and_event(self, api, client):
        event = await api.event(title="Argument writing", venue="Hall")
        session = await api.session(event["id"], title="Session I", room="12")
        me = new_person()
        await api.register(session["id"], api.person(me))
        response = await client.get(f"{API}/me/registrations", headers=api.person(me))
        assert response.status_code == 200
        [line] = response.json()["items"]
        assert (line["session_title"], line["event_title"], line["room"], line["venue"]) == (
            "Session I", "Argument writing", "12", "Hall")
        assert line["starts_at"] == "2026-03-05T00:00:00Z"
        assert line["timezone"] == "America/Los_Angeles" and line["status"] == "confirmed"

    async def test_rosters_are_for_staff_and_facilitators_only(self, api, client):
        event = await api.event()
        session = await api.session(event["id"])
        url = f"{API}/sessions/{session['id']}/registrations"
        problem(await client.get(url, headers=api.person()), 403)
        problem(await client.get(url), 401)
        assert (await client.get(url, headers=api.person(api.leader_id))).status_code == 200
