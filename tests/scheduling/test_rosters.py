"""What leaders do to rosters: cancel one session, read the roster, seat someone over capacity,
move someone between sessions of an event, and read the audit log of it all."""

import uuid

import pytest

from tests.scheduling.conftest import API, Scheduling, new_person, problem

SLOT = {"starts_at": "2026-05-02T09:00:00-07:00", "ends_at": "2026-05-02T10:00:00-07:00"}


@pytest.fixture
def api(client, keys, directory) -> Scheduling:
    """The usual helper, plus identity's people as scheduling reads them (see force)."""
    return Scheduling(client, keys, directory)


async def fill(api, session_id: str, count: int) -> list[tuple[str, dict]]:
    """`count` people signed up in order: (person id, registration)."""
    people = []
    for _ in range(count):
        person_id = new_person()
        response = await api.register(session_id, api.person(person_id))
        assert response.status_code == 201, response.text
        people.append((person_id, response.json()))
    return people


async def in_one_slot(api, event_id: str, *titles: str) -> list[dict]:
    """Parallel sessions of one conference slot (they take the slot's times)."""
    slot = (await api.client.post(f"{API}/events/{event_id}/slots",
                                  json={"label": "Breakout A", **SLOT}, headers=api.leader)).json()
    return [await api.session(event_id, title=title, slot_id=slot["id"], starts_at=None,
                              ends_at=None) for title in titles]


async def force(api, session_id: str, *, headers=None, key=None, known=True, **body):
    """A forced seat for body's person_id, who exists in identity unless known=False."""
    person_id = body.get("person_id")
    if known and person_id:
        api.directory.people.setdefault(person_id, {
            "id": person_id, "full_name": f"Person {person_id[:6]}",
            "email": f"{person_id[:8]}@example.test"})
    extra = {"Idempotency-Key": key} if key else {}
    return await api.client.post(f"{API}/sessions/{session_id}/registrations/forced",
                                 json={"reason": "Principal asked", **body},
                                 headers={**(headers or api.leader), **extra})


async def move(api, registration_id: str, to_session: str, *, headers=None, **body):
    return await api.client.post(f"{API}/registrations/{registration_id}/move",
                                 json={"session_id": to_session, **body},
                                 headers=headers or api.leader)


async def cancel(api, session_id: str, *, headers=None, key=None):
    extra = {"Idempotency-Key": key} if key else {}
    return await api.client.post(f"{API}/sessions/{session_id}/cancel",
                                 headers={**(headers or api.leader), **extra})


async def audit(api, event_id: str, **params) -> dict:
    response = await api.client.get(f"{API}/events/{event_id}/audit", params=params,
                                    headers=api.leader)
    assert response.status_code == 200, response.text
    return response.json()


def outsider_leader(api, keys) -> dict:
    return keys.headers(person_id=new_person(), roles={"net-elsewhere": ["leader"]})


class TestCancelSession:
    async def test_cancelling_cancels_every_registration_and_zeroes_the_seats(self, api):
        event = await api.event()
        session = await api.session(event["id"], capacity=2)
        other = await api.session(event["id"], title="Session II", capacity=2)
        people = await fill(api, session["id"], 4)
        await fill(api, other["id"], 1)

        response = await cancel(api, session["id"])

        assert response.status_code == 200, response.text
        body = response.json()
        assert body["session"]["status"] == "cancelled"
        assert body["session"]["cancelled_at"] is not None
        assert (body["session"]["confirmed_count"], body["session"]["waitlist_count"]) == (0, 0)
        assert sorted(r["person_id"] for r in body["cancelled"]) == sorted(p for p, _ in people)
        assert {r["status"] for r in body["cancelled"]} == {"cancelled"}
        assert {r["status"] for r in await api.roster(session["id"])} == {"cancelled"}
        # The rest of the series goes on.
        assert (await api.get_session(other["id"]))["status"] == "scheduled"
        assert [r["status"] for r in await api.roster(other["id"])] == ["confirmed"]

    async def test_no_one_can_sign_up_afterwards(self, api):
        event = await api.event()
        session = await api.session(event["id"])
        await cancel(api, session["id"])

        body = problem(await api.register(session["id"], api.person()), 409)

        assert body["code"] == "session_cancelled"
        assert "was cancelled" in body["detail"]
        assert problem(await force(api, session["id"], person_id=new_person()), 409)["code"] \
            == "session_cancelled"

    async def test_cancelling_twice_changes_nothing_more(self, api):
        event = await api.event()
        session = await api.session(event["id"])
        await fill(api, session["id"], 2)
        first = await cancel(api, session["id"])

        again = await cancel(api, session["id"])

        assert again.status_code == 200
        assert again.json()["cancelled"] == []
        assert again.json()["session"]["cancelled_at"] == first.json()["session"]["cancelled_at"]
        feed = [e for e in await api.feed() if e["key"] == session["id"]]
        assert [e["payload"]["status"] for e in feed] == ["scheduled", "cancelled"]
        entries = (await audit(api, event["id"], session_id=session["id"]))["items"]
        assert [e["action"] for e in entries] == ["session.cancelled"]

    async def test_a_retry_with_the_same_key_replays_the_first_answer(self, api):
        event = await api.event()
        session = await api.session(event["id"])
        await fill(api, session["id"], 1)
        key = str(uuid.uuid4())

        first = await cancel(api, session["id"], key=key)
        second = await cancel(api, session["id"], key=key)

        assert second.json() == first.json() and len(first.json()["cancelled"]) == 1
        assert second.headers.get("idempotent-replayed") == "true"

    async def test_every_cancelled_registration_and_the_session_are_published(self, api):
        event = await api.event()
        session = await api.session(event["id"], capacity=1)
        people = await fill(api, session["id"], 2)
        before = len(await api.feed())

        await cancel(api, session["id"])

        published = (await api.feed())[before:]
        changed = {e["key"]: e["payload"] for e in published
                   if e["topic"] == "registration.updated"}
        assert set(changed) == {r["id"] for _, r in people}
        assert {p["status"] for p in changed.values()} == {"cancelled"}
        [session_event] = [e for e in published if e["topic"] == "session.updated"]
        assert session_event["payload"]["status"] == "cancelled"

    async def test_participants_and_other_networks_cannot_cancel(self, api, keys):
        event = await api.event()
        session = await api.session(event["id"])
        assert problem(await cancel(api, session["id"], headers=api.person()), 403)
        assert problem(await cancel(api, session["id"], headers=outsider_leader(api, keys)), 403)
        # A facilitator who is not staff of the network checks people in but cannot cancel.
        helper = new_person()
        led = await api.session(event["id"], facilitator_ids=[helper])
        assert problem(await cancel(api, led["id"], headers=api.person(helper)), 403)
        draft = await api.event(status="draft")
        hidden = await api.session(draft["id"])
        assert problem(await cancel(api, hidden["id"], headers=outsider_leader(api, keys)),
                       404)["code"] == "session_not_found"
        assert (await api.get_session(session["id"]))["status"] == "scheduled"


class TestRoster:
    async def test_the_roster_shows_waitlist_positions_and_filters_by_attendance(self, api):
        event = await api.event()
        session = await api.session(event["id"], capacity=2)
        people = await fill(api, session["id"], 4)
        checked_in = people[0][0]
        response = await api.client.post(f"{API}/sessions/{session['id']}/attendance",
                                         json={"person_id": checked_in}, headers=api.leader)
        assert response.status_code in (200, 201), response.text

        roster = await api.roster(session["id"])
        present = await api.client.get(f"{API}/sessions/{session['id']}/registrations",
                                       params={"attended": "true"}, headers=api.leader)
        absent = await api.client.get(f"{API}/sessions/{session['id']}/registrations",
                                      params={"attended": "false", "status": "waitlisted"},
                                      headers=api.leader)

        waitlisted = sorted((r for r in roster if r["status"] == "waitlisted"),
                            key=lambda r: r["waitlist_position"])
        assert [r["person_id"] for r in waitlisted] == [people[2][0], people[3][0]]
        assert [r["person_id"] for r in present.json()["items"]] == [checked_in]
        assert {r["person_id"] for r in absent.json()["items"]} == {people[2][0], people[3][0]}

    async def test_participants_and_other_networks_leaders_do_not_see_rosters(self, api, keys):
        event = await api.event()
        session = await api.session(event["id"])
        url = f"{API}/sessions/{session['id']}/registrations"
        assert problem(await api.client.get(url, headers=api.person()), 403)
        assert problem(await api.client.get(url, headers=outsider_leader(api, keys)), 403)
        draft = await api.event(status="draft")
        hidden = await api.session(draft["id"])
        assert problem(await api.client.get(f"{API}/sessions/{hidden['id']}/registrations",
                                            headers=outsider_leader(api, keys)), 404)


class TestForceAdd:
    async def test_a_full_session_gets_one_more_chair_and_the_seat_invariant_holds(self, api):
        event = await api.event()
        session = await api.session(event["id"], capacity=2)
        await fill(api, session["id"], 3)  # two seated, one waiting
        person_id = new_person()

        response = await force(api, session["id"], person_id=person_id, reason="Needs it for PD")

        assert response.status_code == 201, response.text
        assert response.json()["status"] == "confirmed"
        seats = await api.get_session(session["id"])
        assert (seats["capacity"], seats["confirmed_count"], seats["waitlist_count"]) == (3, 3, 1)
        # The waiting person is still first in line, and a new sign-up still waits.
        assert (await api.register(session["id"], api.person())).json()["waitlist_position"] == 2

    async def test_while_seats_are_left_the_capacity_stays(self, api):
        event = await api.event()
        session = await api.session(event["id"], capacity=5)
        assert (await force(api, session["id"], person_id=new_person())).status_code == 201
        seats = await api.get_session(session["id"])
        assert (seats["capacity"], seats["confirmed_count"]) == (5, 1)

    async def test_a_waitlisted_person_is_seated_ahead_of_the_line(self, api):
        event = await api.event()
        session = await api.session(event["id"], capacity=1)
        people = await fill(api, session["id"], 4)  # 1 seated, 3 waiting

        response = await force(api, session["id"], person_id=people[2][0])

        assert response.json()["id"] == people[2][1]["id"]
        assert response.json()["status"] == "confirmed"
        roster = {r["person_id"]: r for r in await api.roster(session["id"])}
        assert roster[people[1][0]]["waitlist_position"] == 1
        assert roster[people[3][0]]["waitlist_position"] == 2
        seats = await api.get_session(session["id"])
        assert (seats["capacity"], seats["confirmed_count"], seats["waitlist_count"]) == (2, 2, 2)

    async def test_every_force_add_is_audited_with_who_what_when_and_why(self, api):
        event = await api.event()
        session = await api.session(event["id"], capacity=1)
        await fill(api, session["id"], 1)
        person_id = new_person()

        await force(api, session["id"], person_id=person_id, reason="District coach")

        [entry] = (await audit(api, event["id"]))["items"]
        assert entry["action"] == "registration.forced"
        assert (entry["session_id"], entry["person_id"]) == (session["id"], person_id)
        assert entry["actor_person_id"] == api.leader_id and entry["actor"]
        assert entry["reason"] == "District coach" and entry["created_at"]
        assert (entry["details"]["capacity_before"], entry["details"]["capacity_after"]) == (1, 2)

    async def test_the_person_is_read_from_identity_and_an_unknown_id_is_refused(self, api):
        event = await api.event()
        session = await api.session(event["id"])
        person_id = new_person()

        seated = await force(api, session["id"], person_id=person_id)
        unknown = await force(api, session["id"], person_id=new_person(), known=False)

        [entry] = await api.roster(session["id"])
        assert (entry["id"], entry["person_name"]) == (seated.json()["id"],
                                                        f"Person {person_id[:6]}")
        body = problem(unknown, 422)
        assert body["code"] == "unknown_person"
        assert body["errors"][0]["loc"] == ["body", "person_id"]

    async def test_refusals_leave_nothing_behind(self, api, keys):
        event = await api.event()
        session = await api.session(event["id"], capacity=1)
        [(seated, _)] = await fill(api, session["id"], 1)
        assert problem(await force(api, session["id"], person_id=new_person(), reason="  "),
                       422)["code"] == "invalid_input"
        assert problem(await force(api, session["id"], reason="x"), 422)
        assert problem(await force(api, session["id"], person_id=seated), 409)["code"] \
            == "already_registered"
        assert problem(await force(api, session["id"], person_id=new_person(),
                                   headers=api.person()), 403)
        assert problem(await force(api, session["id"], person_id=new_person(),
                                   headers=outsider_leader(api, keys)), 403)
        seats = await api.get_session(session["id"])
        assert (seats["capacity"], seats["confirmed_count"]) == (1, 1)
        assert (await audit(api, event["id"]))["items"] == []

    async def test_the_one_session_per_slot_rule_holds(self, api):
        conference = await api.event(kind="conference")
        first, second = await in_one_slot(api, conference["id"], "A", "B")
        [(person_id, _)] = await fill(api, first["id"], 1)

        assert problem(await force(api, second["id"], person_id=person_id), 409)["code"] \
            == "slot_conflict"

    async def test_a_retry_with_the_same_key_seats_once(self, api):
        event = await api.event()
        session = await api.session(event["id"], capacity=1)
        await fill(api, session["id"], 1)
        person_id, key = new_person(), str(uuid.uuid4())
        first = await force(api, session["id"], person_id=person_id, key=key)
        second = await force(api, session["id"], person_id=person_id, key=key)
        assert second.json() == first.json()
        assert second.headers.get("idempotent-replayed") == "true"
        assert (await api.get_session(session["id"]))["capacity"] == 2
        assert len((await audit(api, event["id"]))["items"]) == 1

    async def test_the_audit_log_pages_and_is_for_the_networks_staff_only(self, api, keys):
        event = await api.event()
        session = await api.session(event["id"], capacity=0)
        for _ in range(3):
            await force(api, session["id"], person_id=new_person())
        first = await audit(api, event["id"], limit=2)
        rest = await audit(api, event["id"], limit=2, cursor=first["next_cursor"])
        assert len(first["items"]) == 2 and len(rest["items"]) == 1
        assert rest["next_cursor"] is None
        url = f"{API}/events/{event['id']}/audit"
        assert problem(await api.client.get(url, headers=api.person()), 403)
        assert problem(await api.client.get(url, headers=outsider_leader(api, keys)), 403)


class TestMove:
    async def test_moving_frees_the_old_seat_for_its_waitlist_and_seats_the_person(self, api):
        event = await api.event()
        old = await api.session(event["id"], capacity=1)
        new = await api.session(event["id"], title="Session I (again)", capacity=3)
        (mover, held), (waiting, _) = await fill(api, old["id"], 2)

        response = await move(api, held["id"], new["id"], reason="Schedule clash")

        assert response.status_code == 200, response.text
        body = response.json()
        assert body["previous"]["status"] == "cancelled"
        assert (body["registration"]["person_id"], body["registration"]["status"]) \
            == (mover, "confirmed")
        assert [p["person_id"] for p in body["promoted"]] == [waiting]
        assert (await api.get_session(old["id"]))["confirmed_count"] == 1
        assert (await api.get_session(new["id"]))["confirmed_count"] == 1
        [entry] = (await audit(api, event["id"], session_id=new["id"]))["items"]
        assert (entry["action"], entry["session_id"], entry["to_session_id"]) \
            == ("registration.moved", old["id"], new["id"])
        assert entry["reason"] == "Schedule clash" and entry["person_id"] == mover

    async def test_into_a_full_session_the_person_waits_unless_the_leader_forces(self, api):
        event = await api.event()
        old = await api.session(event["id"], capacity=5)
        full = await api.session(event["id"], title="Full", capacity=1)
        await fill(api, full["id"], 1)
        (_, first), (_, second) = await fill(api, old["id"], 2)

        waits = (await move(api, first["id"], full["id"])).json()["registration"]
        forced = (await move(api, second["id"], full["id"], force=True)).json()["registration"]

        assert (waits["status"], waits["waitlist_position"]) == ("waitlisted", 1)
        assert forced["status"] == "confirmed"
        seats = await api.get_session(full["id"])
        assert (seats["capacity"], seats["confirmed_count"], seats["waitlist_count"]) == (2, 2, 1)

    async def test_between_parallel_sessions_of_one_slot(self, api):
        conference = await api.event(kind="conference")
        room_a, room_b = await in_one_slot(api, conference["id"], "A", "B")
        [(_, held)] = await fill(api, room_a["id"], 1)

        response = await move(api, held["id"], room_b["id"])

        assert response.status_code == 200, response.text
        assert response.json()["registration"]["status"] == "confirmed"

    async def test_a_refused_move_changes_nothing(self, api):
        conference = await api.event(kind="conference")
        in_slot, other_in_slot = await in_one_slot(api, conference["id"], "A", "B")
        keynote = await api.session(conference["id"], title="Keynote", capacity=1)
        person_id = new_person()
        me = api.person(person_id)
        held = (await api.register(keynote["id"], me)).json()
        waiting = (await api.register(keynote["id"], api.person())).json()
        assert (await api.register(in_slot["id"], me)).status_code == 201

        # Already holds a session in that slot.
        assert problem(await move(api, held["id"], other_in_slot["id"]), 409)["code"] \
            == "slot_conflict"
        # Already in the target session.
        assert problem(await move(api, held["id"], in_slot["id"]), 409)["code"] \
            == "already_registered"
        # Not a session of this event, or the same session.
        elsewhere = await api.session((await api.event())["id"])
        assert problem(await move(api, held["id"], elsewhere["id"]), 422)["code"] \
            == "no_such_target_session"
        assert problem(await move(api, held["id"], keynote["id"]), 422)
        cancelled = await api.session(conference["id"], title="Cancelled")
        await cancel(api, cancelled["id"])
        assert problem(await move(api, held["id"], cancelled["id"]), 409)["code"] \
            == "session_cancelled"

        roster = {r["id"]: r for r in await api.roster(keynote["id"])}
        assert roster[held["id"]]["status"] == "confirmed"
        assert roster[waiting["id"]]["status"] == "waitlisted"
        assert (await api.get_session(keynote["id"]))["confirmed_count"] == 1
        assert [e["action"] for e in (await audit(api, conference["id"]))["items"]] \
            == ["session.cancelled"]

    async def test_only_the_networks_staff_move_people(self, api, keys):
        event = await api.event()
        old = await api.session(event["id"])
        new = await api.session(event["id"], title="Other")
        person_id = new_person()
        [(_, held)] = [(person_id, (await api.register(old["id"], api.person(person_id))).json())]
        assert problem(await move(api, held["id"], new["id"], headers=api.person(person_id)), 403)
        assert problem(await move(api, held["id"], new["id"],
                                  headers=outsider_leader(api, keys)), 403)
        assert problem(await move(api, "nope", new["id"]), 404)
