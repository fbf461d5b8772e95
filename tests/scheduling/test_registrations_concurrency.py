"""Parallel sign-ups, retries and cancellations against one session, on real connections.

ASGITransport runs every request as its own task in this event loop, each with its own pooled
database connection, so these requests really do interleave at the database. A read-the-count-
then-insert sign-up overbooks here on PostgreSQL (measured: 59 seats sold for 30)."""

import asyncio
import uuid

from tests.scheduling.conftest import API


class TestParallelSignUps:
    async def test_fifty_people_for_one_seat_confirm_one_and_queue_the_rest_in_order(self, api):
        event = await api.event()
        session = await api.session(event["id"], capacity=1)
        people = [api.person() for _ in range(50)]

        answers = await asyncio.gather(*(api.register(session["id"], who) for who in people))

        assert [a.status_code for a in answers] == [201] * 50
        bodies = [a.json() for a in answers]
        assert sum(b["status"] == "confirmed" for b in bodies) == 1
        positions = sorted(b["waitlist_position"] for b in bodies if b["status"] == "waitlisted")
        assert positions == list(range(1, 50))
        seats = await api.get_session(session["id"])
        assert (seats["confirmed_count"], seats["waitlist_count"]) == (1, 49)
        roster = await api.roster(session["id"])
        assert len(roster) == 50
        assert sorted(r["waitlist_position"] for r in roster if r["status"] == "waitlisted") \
            == list(range(1, 50))

    async def test_twenty_retries_with_one_key_make_one_registration_and_one_answer(self, api):
        event = await api.event()
        session = await api.session(event["id"], capacity=5)
        who = api.person()
        key = str(uuid.uuid4())

        answers = await asyncio.gather(*(api.register(session["id"], who, key=key)
                                         for _ in range(20)))

        outcomes = {(a.status_code, a.text) for a in answers}
        assert len(outcomes) == 1, outcomes
        assert answers[0].status_code == 201
        assert [a.json() for a in answers] == [answers[0].json()] * 20
        assert sum(a.headers.get("idempotent-replayed") == "true" for a in answers) == 19
        assert len(await api.roster(session["id"])) == 1
        assert (await api.get_session(session["id"]))["confirmed_count"] == 1

    async def test_the_same_person_twice_in_parallel_without_a_key_gets_one_seat(self, api):
        event = await api.event()
        session = await api.session(event["id"], capacity=5)
        who = api.person()

        answers = await asyncio.gather(*(api.register(session["id"], who) for _ in range(10)))

        assert sorted(a.status_code for a in answers) == [201] + [409] * 9
        assert {a.json()["code"] for a in answers if a.status_code == 409} == {"already_registered"}
        assert (await api.get_session(session["id"]))["confirmed_count"] == 1


class TestParallelCancellations:
    async def test_cancelled_seats_promote_exactly_as_many_waitlisted_people(self, api, client):
        event = await api.event()
        session = await api.session(event["id"], capacity=5)
        people = [api.person() for _ in range(12)]
        registrations = []
        for who in people:  # in order, so the waitlist order is known
            registrations.append((await api.register(session["id"], who)).json())
        confirmed = [r for r in registrations if r["status"] == "confirmed"]
        waitlisted = [r for r in registrations if r["status"] == "waitlisted"]
        assert len(confirmed) == 5 and len(waitlisted) == 7

        leaving = confirmed[:3]
        # Each cancellation is sent twice at once: a double click must not free two seats.
        answers = await asyncio.gather(*(
            client.delete(f"{API}/registrations/{r['id']}", headers=people[registrations.index(r)])
            for r in leaving + leaving
        ))

        assert [a.status_code for a in answers] == [200] * 6
        roster = {r["id"]: r for r in await api.roster(session["id"])}
        assert [roster[r["id"]]["status"] for r in leaving] == ["cancelled"] * 3
        assert [roster[r["id"]]["status"] for r in waitlisted[:3]] == ["confirmed"] * 3
        assert [roster[r["id"]]["waitlist_position"] for r in waitlisted[3:]] == [1, 2, 3, 4]
        seats = await api.get_session(session["id"])
        assert (seats["confirmed_count"], seats["waitlist_count"]) == (5, 4)
        assert sum(r["status"] == "confirmed" for r in roster.values()) == 5

    async def test_sign_ups_racing_cancellations_never_overbook(self, api, client):
        event = await api.event()
        session = await api.session(event["id"], capacity=3)
        first = [api.person() for _ in range(3)]
        held = [(await api.register(session["id"], who)).json() for who in first]

        newcomers = [api.person() for _ in range(10)]
        await asyncio.gather(
            *(api.register(session["id"], who) for who in newcomers),
            *(client.delete(f"{API}/registrations/{r['id']}", headers=who)
              for r, who in zip(held, first, strict=True)),
        )

        roster = await api.roster(session["id"])
        live = [r for r in roster if r["status"] == "confirmed"]
        queue = sorted(r["waitlist_position"] for r in roster if r["status"] == "waitlisted")
        assert len(live) == 3
        assert queue == list(range(1, len(queue) + 1)) and len(queue) == 7
        seats = await api.get_session(session["id"])
        assert (seats["confirmed_count"], seats["waitlist_count"]) == (3, 7)
