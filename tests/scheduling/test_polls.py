"""Availability polls through the API: a leader asks, invitees answer by private link without an
account, and the winning time becomes a session of the event."""

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

from tests.scheduling.conftest import API, problem

# 3:30-5:00 pm in Los Angeles on a Tuesday either side of the end of daylight time (Nov 1, 2026).
TIMES = [{"date": "2026-10-27", "start_time": "15:30", "end_time": "17:00"},
         {"date": "2026-11-03", "start_time": "15:30", "end_time": "17:00"}]
INVITEES = [{"name": "Ana Ruiz", "email": "Ana@School.org"},
            {"name": "Ben Cho", "email": "ben@school.org"},
            {"name": "Cy Diaz", "email": "cy@school.org"}]


async def new_poll(api, event_id: str, *, headers=None, key: str | None = None, **change) -> dict:
    body = {"title": "Session II", "times": TIMES, "invitees": INVITEES, **change}
    extra = {"Idempotency-Key": key} if key else {}
    response = await api.client.post(f"{API}/events/{event_id}/polls", json=body,
                                     headers={**(headers or api.leader), **extra})
    assert response.status_code == 201, response.text
    return response.json()


def tokens(poll: dict) -> dict[str, str]:
    return {i["email"]: i["token"] for i in poll["invitees"]}


async def answer(client, token: str, choices: list[str], times: list[dict], *,
                 key: str | None = None):
    # Fewer choices than times answers the first times only (a refused answer needs no more).
    body = {"answers": [{"option_id": t["id"], "choice": c}
                        for t, c in zip(times, choices, strict=False)]}
    extra = {"Idempotency-Key": key} if key else {}
    return await client.put(f"{API}/poll-invitation/answers", json=body,
                            headers={"Poll-Token": token, **extra})


async def invitation(client, token: str):
    return await client.get(f"{API}/poll-invitation", headers={"Poll-Token": token})


async def pick(api, poll: dict, option: dict, *, headers=None, capacity: int = 20):
    return await api.client.post(f"{API}/polls/{poll['id']}/decision",
                                 json={"option_id": option["id"], "capacity": capacity},
                                 headers=headers or api.leader)


class TestTheWholeStory:
    async def test_ask_answer_tally_pick_and_the_winner_is_a_session(self, api, client):
        event = await api.event()
        poll = await new_poll(api, event["id"])
        assert poll["status"] == "open" and poll["timezone"] == "America/Los_Angeles"
        assert [i["email"] for i in poll["invitees"]] == ["ana@school.org", "ben@school.org",
                                                          "cy@school.org"]
        links = tokens(poll)
        assert all(t.startswith("pl_") and len(t) > 40 for t in links.values())
        assert len(set(links.values())) == 3
        first, second = poll["options"]

        ana = await answer(client, links["ana@school.org"], ["yes", "if_need_be"],
                           poll["options"])
        assert ana.status_code == 200, ana.text
        assert ana.json()["answers"] == {first["id"]: "yes", second["id"]: "if_need_be"}
        ben = await answer(client, links["ben@school.org"], ["no", "yes"], poll["options"])
        assert ben.status_code == 200, ben.text
        # Ben changes his mind while the poll is open: the last answer counts.
        ben = await answer(client, links["ben@school.org"], ["no", "yes"][::-1], poll["options"])
        assert ben.json()["answers"] == {first["id"]: "yes", second["id"]: "no"}

        tally = (await client.get(f"{API}/polls/{poll['id']}", headers=api.leader)).json()
        assert [(o["yes"], o["if_need_be"], o["no"], o["no_answer"]) for o in tally["options"]] \
            == [(2, 0, 0, 1), (0, 1, 1, 1)]
        who = (await client.get(f"{API}/polls/{poll['id']}/invitees", headers=api.leader)).json()
        by_email = {i["email"]: i for i in who["items"]}
        assert by_email["ana@school.org"]["answers"][second["id"]] == "if_need_be"
        assert by_email["cy@school.org"]["answers"] == {}
        assert by_email["cy@school.org"]["answered_at"] is None
        assert "token_hash" not in who["items"][0] and "token" not in who["items"][0]

        decided = await pick(api, poll, first, capacity=25)
        assert decided.status_code == 201, decided.text
        session = decided.json()["session"]
        assert (session["starts_at"], session["ends_at"]) == ("2026-10-27T22:30:00Z",
                                                              "2026-10-28T00:00:00Z")
        assert (session["title"], session["capacity"], session["facilitator_ids"]) == \
            ("Session II", 25, [api.leader_id])
        assert decided.json()["poll"]["status"] == "decided"
        assert decided.json()["poll"]["session_id"] == session["id"]
        stored = (await client.get(f"{API}/events/{event['id']}")).json()["sessions"]
        assert [s["id"] for s in stored] == [session["id"]]
        assert any(e["topic"] == "session.created" and e["key"] == session["id"]
                   for e in await api.feed())

        closed = await answer(client, links["cy@school.org"], ["yes", "yes"], poll["options"])
        assert problem(closed, 409)["code"] == "poll_closed"
        assert (await invitation(client, links["cy@school.org"])).json()["status"] == "decided"
        again = await pick(api, poll, second)
        assert problem(again, 409)["code"] == "poll_already_decided"
        assert len((await client.get(f"{API}/events/{event['id']}")).json()["sessions"]) == 1

    async def test_the_private_link_shows_only_the_poll_and_ones_own_answers(self, api, client):
        event = await api.event()
        poll = await new_poll(api, event["id"])
        links = tokens(poll)
        await answer(client, links["ben@school.org"], ["yes", "no"], poll["options"])

        seen = await invitation(client, links["ana@school.org"])

        assert seen.status_code == 200
        assert seen.json() == {
            "title": "Session II", "timezone": "America/Los_Angeles", "status": "open",
            "deadline_at": None, "name": "Ana Ruiz", "answers": {},
            "times": [{"id": o["id"], "starts_at": o["starts_at"], "ends_at": o["ends_at"]}
                      for o in poll["options"]],
        }
        assert "ben@school.org" not in seen.text and "Ben" not in seen.text

    async def test_a_list_of_an_events_polls_is_paginated(self, api, client):
        event = await api.event()
        made = [await new_poll(api, event["id"], title=f"Poll {n}") for n in range(3)]
        first = (await client.get(f"{API}/events/{event['id']}/polls", params={"limit": 2},
                                  headers=api.leader)).json()
        rest = (await client.get(f"{API}/events/{event['id']}/polls",
                                 params={"cursor": first["next_cursor"]},
                                 headers=api.leader)).json()
        assert [p["id"] for p in first["items"] + rest["items"]] == [p["id"] for p in made]
        assert rest["next_cursor"] is None


class TestTimeZones:
    async def test_candidate_times_keep_their_local_clock_across_the_dst_change(self, api, client):
        event = await api.event(timezone="America/Los_Angeles")
        poll = await new_poll(api, event["id"])
        assert [(o["starts_at"], o["ends_at"]) for o in poll["options"]] == [
            ("2026-10-27T22:30:00Z", "2026-10-28T00:00:00Z"),
            ("2026-11-03T23:30:00Z", "2026-11-04T01:00:00Z"),
        ]
        decided = await pick(api, poll, poll["options"][1])
        assert decided.json()["session"]["starts_at"] == "2026-11-03T23:30:00Z"

    async def test_a_time_the_clocks_skip_is_refused_beside_its_row(self, api, client):
        event = await api.event(timezone="America/Los_Angeles")
        body = {"title": "Poll", "invitees": INVITEES,
                "times": [TIMES[0], {"date": "2027-03-14", "start_time": "02:30",
                                     "end_time": "03:30"}]}
        response = await client.post(f"{API}/events/{event['id']}/polls", json=body,
                                     headers=api.leader)
        refusal = problem(response, 422)
        assert refusal["errors"][0]["loc"] == ["body", "times", 1]
        assert "02:30" in refusal["detail"]
        listed = await client.get(f"{API}/events/{event['id']}/polls", headers=api.leader)
        assert listed.json()["items"] == []

    async def test_bad_input_is_422_and_writes_nothing(self, api, client):
        event = await api.event()
        for change in ({"invitees": [*INVITEES, {"name": "Ana again", "email": "ana@school.org"}]},
                       {"invitees": [{"name": "X", "email": "not-an-email"}]},
                       {"times": [{"date": "2026-10-27", "start_time": "17:00",
                                   "end_time": "15:30"}]},
                       {"deadline_at": "2020-01-01T00:00:00Z"}, {"times": []}):
            body = {"title": "Poll", "times": TIMES, "invitees": INVITEES, **change}
            response = await client.post(f"{API}/events/{event['id']}/polls", json=body,
                                         headers=api.leader)
            problem(response, 422)
        listed = await client.get(f"{API}/events/{event['id']}/polls", headers=api.leader)
        assert listed.json()["items"] == []


class TestPrivateLinks:
    async def test_a_wrong_or_missing_token_is_404(self, api, client):
        event = await api.event()
        poll = await new_poll(api, event["id"])
        real = tokens(poll)["ana@school.org"]
        for token in ("pl_" + "x" * 43, real[:-1] + ("A" if real[-1] != "A" else "B"), ""):
            assert problem(await invitation(client, token), 404)["code"] == \
                "poll_invitation_not_found"
            assert problem(await answer(client, token, ["yes"], poll["options"]), 404)
        assert problem(await client.get(f"{API}/poll-invitation"), 404)

    async def test_a_new_link_replaces_the_old_one(self, api, client):
        event = await api.event()
        poll = await new_poll(api, event["id"])
        ana = poll["invitees"][0]
        await answer(client, ana["token"], ["yes", "no"], poll["options"])

        renewed = await client.post(f"{API}/polls/{poll['id']}/invitees/{ana['id']}/link",
                                    headers=api.leader)

        assert renewed.status_code == 201, renewed.text
        new_token = renewed.json()["token"]
        assert new_token != ana["token"]
        assert problem(await invitation(client, ana["token"]), 404)
        seen = await invitation(client, new_token)
        assert seen.json()["name"] == "Ana Ruiz"
        assert seen.json()["answers"] == {poll["options"][0]["id"]: "yes",
                                          poll["options"][1]["id"]: "no"}

    async def test_a_replayed_create_makes_one_poll_and_never_repeats_the_tokens(self, api, client):
        event = await api.event()
        key = str(uuid.uuid4())
        first = await new_poll(api, event["id"], key=key)
        again = await new_poll(api, event["id"], key=key)
        assert again["id"] == first["id"]
        assert all(i["token"] for i in first["invitees"])
        assert [i["token"] for i in again["invitees"]] == [None, None, None]
        listed = await client.get(f"{API}/events/{event['id']}/polls", headers=api.leader)
        assert [p["id"] for p in listed.json()["items"]] == [first["id"]]

    async def test_an_answer_key_is_scoped_to_its_link(self, api, client):
        event = await api.event()
        poll = await new_poll(api, event["id"])
        links, key = tokens(poll), str(uuid.uuid4())
        once = await answer(client, links["ana@school.org"], ["yes", "yes"], poll["options"],
                            key=key)
        twice = await answer(client, links["ana@school.org"], ["yes", "yes"], poll["options"],
                             key=key)
        assert twice.headers.get("idempotent-replayed") == "true"
        assert twice.json() == once.json()
        # The same key from another link is that link's own request.
        ben = await answer(client, links["ben@school.org"], ["no", "no"], poll["options"], key=key)
        assert ben.status_code == 200 and "idempotent-replayed" not in ben.headers
        assert ben.json()["name"] == "Ben Cho"

    async def test_answers_stop_at_the_deadline(self, api, client):
        event = await api.event()
        # Far enough ahead that creating the poll and answering it fit before it on a busy CI
        # machine (one second did not); the test then waits for it.
        deadline = datetime.now(UTC) + timedelta(seconds=4)
        poll = await new_poll(api, event["id"], deadline_at=deadline.isoformat())
        link = tokens(poll)["ana@school.org"]
        assert (await answer(client, link, ["yes", "no"], poll["options"])).status_code == 200
        await asyncio.sleep(max(0.0, (deadline - datetime.now(UTC)).total_seconds()) + 0.05)
        assert problem(await answer(client, link, ["no", "no"], poll["options"]), 409)["code"] \
            == "poll_closed"
        assert (await invitation(client, link)).json()["status"] == "closed"
        # The leader still picks after the deadline.
        assert (await pick(api, poll, poll["options"][0])).status_code == 201

    async def test_an_unknown_time_in_an_answer_is_422(self, api, client):
        event = await api.event()
        poll = await new_poll(api, event["id"])
        response = await answer(client, tokens(poll)["ana@school.org"], ["yes"],
                                [{"id": "not-a-time"}])
        assert problem(response, 422)["code"] == "unknown_poll_time"


class TestAuthorization:
    async def test_another_networks_leader_can_neither_ask_nor_see_nor_pick(self, api, client):
        event = await api.event()
        poll = await new_poll(api, event["id"])
        stranger = api.person(roles={"net-other": ["leader"]})
        body = {"title": "Mine now", "times": TIMES, "invitees": INVITEES}

        assert problem(await client.post(f"{API}/events/{event['id']}/polls", json=body,
                                         headers=stranger), 403)
        for path in (f"/polls/{poll['id']}", f"/polls/{poll['id']}/invitees"):
            assert problem(await client.get(f"{API}{path}", headers=stranger), 404)["code"] \
                == "poll_not_found"
        assert problem(await pick(api, poll, poll["options"][0], headers=stranger), 404)
        ana = poll["invitees"][0]["id"]
        assert problem(await client.post(f"{API}/polls/{poll['id']}/invitees/{ana}/link",
                                         headers=stranger), 404)
        assert problem(await client.get(f"{API}/events/{event['id']}/polls",
                                        headers=stranger), 403)
        assert (await client.get(f"{API}/polls/{poll['id']}", headers=api.leader)).json()[
            "status"] == "open"

    async def test_a_teacher_of_the_network_cannot_see_polls(self, api, client):
        event = await api.event()
        poll = await new_poll(api, event["id"])
        teacher = api.person(roles={api.network: ["member"]})
        assert problem(await client.get(f"{API}/polls/{poll['id']}", headers=teacher), 404)
        assert problem(await client.get(f"{API}/polls/{poll['id']}"), 401)

    async def test_a_time_of_another_poll_cannot_win(self, api, client):
        event = await api.event()
        poll, other = await new_poll(api, event["id"]), await new_poll(api, event["id"])
        response = await pick(api, poll, other["options"][0])
        assert problem(response, 422)["code"] == "unknown_poll_time"
        assert (await client.get(f"{API}/events/{event['id']}")).json()["sessions"] == []


class TestConcurrentPicks:
    async def test_two_tabs_picking_at_once_make_exactly_one_session(self, api, client):
        event = await api.event()
        poll = await new_poll(api, event["id"])
        first, second = poll["options"]

        answers = await asyncio.gather(*(pick(api, poll, option)
                                         for option in (first, second, first, second)))

        assert sorted(a.status_code for a in answers) == [201, 409, 409, 409]
        assert {a.json()["code"] for a in answers if a.status_code == 409} == \
            {"poll_already_decided"}
        won = next(a.json() for a in answers if a.status_code == 201)
        sessions = (await client.get(f"{API}/events/{event['id']}")).json()["sessions"]
        assert [s["id"] for s in sessions] == [won["session"]["id"]]
        stored = (await client.get(f"{API}/polls/{poll['id']}", headers=api.leader)).json()
        assert (stored["winner_option_id"], stored["session_id"]) == \
            (won["poll"]["winner_option_id"], won["session"]["id"])
