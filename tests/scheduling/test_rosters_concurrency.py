"""Moves, forced seats and session cancellations racing each other and ordinary sign-ups, on
real connections (see test_registrations_concurrency.py for why these really interleave)."""

import asyncio

from tests.scheduling.conftest import API
from tests.scheduling.test_rosters import api, cancel, fill, force, move

__all__ = ["api"]  # the fixture, with identity's people (see test_rosters.force)


async def seats(api, session_id: str) -> tuple[int, int, int]:
    s = await api.get_session(session_id)
    return s["capacity"], s["confirmed_count"], s["waitlist_count"]


async def live(api, session_id: str) -> list[dict]:
    return [r for r in await api.roster(session_id) if r["status"] != "cancelled"]


class TestParallelMoves:
    async def test_ten_people_moving_into_one_seat_seat_one_and_queue_nine_in_order(self, api):
        event = await api.event()
        old = await api.session(event["id"], capacity=10)
        new = await api.session(event["id"], title="Small room", capacity=1)
        movers = await fill(api, old["id"], 10)

        answers = await asyncio.gather(*(move(api, r["id"], new["id"]) for _, r in movers))

        assert [a.status_code for a in answers] == [200] * 10
        moved = [a.json()["registration"] for a in answers]
        assert sum(m["status"] == "confirmed" for m in moved) == 1
        assert sorted(m["waitlist_position"] for m in moved if m["status"] == "waitlisted") \
            == list(range(1, 10))
        assert await seats(api, new["id"]) == (1, 1, 9)
        assert await seats(api, old["id"]) == (10, 0, 0)
        assert await live(api, old["id"]) == []

    async def test_the_same_move_sent_ten_times_at_once_moves_once(self, api):
        event = await api.event()
        old = await api.session(event["id"], capacity=1)
        new = await api.session(event["id"], title="Other", capacity=5)
        (_, held), (waiting, _) = await fill(api, old["id"], 2)

        answers = await asyncio.gather(*(move(api, held["id"], new["id"]) for _ in range(10)))

        assert sorted(a.status_code for a in answers) == [200] + [409] * 9
        assert {a.json()["code"] for a in answers if a.status_code == 409} \
            == {"registration_not_active"}
        assert await seats(api, new["id"]) == (5, 1, 0)
        assert await seats(api, old["id"]) == (1, 1, 0)
        assert [r["person_id"] for r in await live(api, old["id"])] == [waiting]

    async def test_opposite_moves_at_once_neither_deadlock_nor_overbook(self, api):
        event = await api.event()
        first = await api.session(event["id"], capacity=5)
        second = await api.session(event["id"], title="Other", capacity=5)
        one = await fill(api, first["id"], 5)
        two = await fill(api, second["id"], 5)

        answers = await asyncio.wait_for(asyncio.gather(
            *(move(api, r["id"], second["id"]) for _, r in one),
            *(move(api, r["id"], first["id"]) for _, r in two),
        ), timeout=60)

        assert [a.status_code for a in answers] == [200] * 10
        for session in (first, second):
            capacity, confirmed, waiting = await seats(api, session["id"])
            people = await live(api, session["id"])
            assert confirmed <= capacity and len(people) == 5
            assert confirmed == sum(r["status"] == "confirmed" for r in people)
            assert waiting == sum(r["status"] == "waitlisted" for r in people)


class TestParallelForcesAndCancellations:
    async def test_forced_seats_and_sign_ups_racing_for_a_full_session(self, api):
        event = await api.event()
        session = await api.session(event["id"], capacity=2)
        await fill(api, session["id"], 2)

        answers = await asyncio.gather(
            *(force(api, session["id"], person_id=f"forced-{n}") for n in range(5)),
            *(api.register(session["id"], api.person()) for _ in range(5)),
        )

        assert [a.status_code for a in answers] == [201] * 10
        assert await seats(api, session["id"]) == (7, 7, 5)
        positions = sorted(r["waitlist_position"] for r in await live(api, session["id"])
                           if r["status"] == "waitlisted")
        assert positions == [1, 2, 3, 4, 5]

    async def test_sign_ups_racing_a_cancellation_never_land_in_the_cancelled_session(self, api):
        event = await api.event()
        session = await api.session(event["id"], capacity=3)

        answers = await asyncio.gather(
            *(api.register(session["id"], api.person()) for _ in range(10)),
            cancel(api, session["id"]),
        )

        cancelled = answers[-1].json()["cancelled"]
        signed_up = [a for a in answers[:-1] if a.status_code == 201]
        refused = [a for a in answers[:-1] if a.status_code != 201]
        assert {a.json()["code"] for a in refused} <= {"session_cancelled"}
        # Whoever got in before the cancellation was cancelled by it; no one after.
        assert sorted(r["id"] for r in cancelled) == sorted(a.json()["id"] for a in signed_up)
        assert await seats(api, session["id"]) == (3, 0, 0)
        assert await live(api, session["id"]) == []
        response = await api.client.get(f"{API}/sessions/{session['id']}", headers=api.leader)
        assert response.json()["status"] == "cancelled"
