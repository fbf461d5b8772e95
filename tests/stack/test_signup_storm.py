"""Two hundred sign-ups at once for thirty seats, through the real gateway and identity.

Staff sign people up by person_id, so every sign-up also reads the person from identity through
the gateway before taking a seat: the whole path interleaves, not just scheduling's UPDATEs."""

import asyncio

from tests.support.stack import ROOT_LOGIN, bearer

PEOPLE, SEATS, LEAVING = 200, 30, 20
SCHEDULING = "/api/scheduling/v1"


async def _post(stack, path, token, **kwargs):
    response = await stack.client.post(path, headers=bearer(token), **kwargs)
    assert response.status_code in (200, 201), response.text
    return response.json()


async def _roster(stack, token, session_id) -> list[dict]:
    entries, cursor = [], None
    while True:
        params = {"limit": 100} | ({"cursor": cursor} if cursor else {})
        response = await stack.client.get(f"{SCHEDULING}/sessions/{session_id}/registrations",
                                          params=params, headers=bearer(token))
        assert response.status_code == 200, response.text
        body = response.json()
        entries += body["items"]
        if not (cursor := body["next_cursor"]):
            return entries


async def _seats(stack, token, session_id) -> tuple[int, int]:
    response = await stack.client.get(f"{SCHEDULING}/sessions/{session_id}", headers=bearer(token))
    assert response.status_code == 200, response.text
    body = response.json()
    return body["confirmed_count"], body["waitlist_count"]


def _queue(entries: list[dict]) -> list[str]:
    """Person ids of the waitlist, first in line first."""
    waiting = sorted((e for e in entries if e["status"] == "waitlisted"),
                     key=lambda e: e["waitlist_position"])
    return [e["person_id"] for e in waiting]


async def test_two_hundred_sign_ups_for_thirty_seats_then_twenty_cancellations(stack):
    root = await stack.token(*ROOT_LOGIN)
    network = await _post(stack, "/api/identity/v1/organizations", root,
                          json={"name": "Storm Network", "kind": "network"})
    event = await _post(stack, f"{SCHEDULING}/events", root, json={
        "network_id": network["id"], "kind": "workshop_series", "title": "Popular workshop",
        "subjects": ["math"], "grade_min": "K", "grade_max": "5",
        "timezone": "America/Los_Angeles", "credit_hours": 2, "status": "published"})
    session = await _post(stack, f"{SCHEDULING}/events/{event['id']}/sessions", root, json={
        "title": "Only session", "starts_at": "2026-09-01T16:00:00Z",
        "ends_at": "2026-09-01T18:00:00Z", "capacity": SEATS, "facilitator_ids": []})
    people = await asyncio.gather(*(
        _post(stack, "/api/identity/v1/people", root, json={
            "email": f"storm{n}@stack.test", "full_name": f"Storm Teacher {n}", "role": "teacher"})
        for n in range(PEOPLE)))

    answers = await asyncio.gather(*(
        stack.client.post(f"{SCHEDULING}/sessions/{session['id']}/registrations",
                          json={"person_id": person["id"]}, headers=bearer(root))
        for person in people))

    assert [a.status_code for a in answers] == [201] * PEOPLE, \
        {a.status_code: a.text for a in answers if a.status_code != 201}
    bodies = [a.json() for a in answers]
    assert sum(b["status"] == "confirmed" for b in bodies) == SEATS
    assert sorted(b["waitlist_position"] for b in bodies if b["status"] == "waitlisted") \
        == list(range(1, PEOPLE - SEATS + 1))
    assert await _seats(stack, root, session["id"]) == (SEATS, PEOPLE - SEATS)
    roster = await _roster(stack, root, session["id"])
    assert len(roster) == PEOPLE
    assert {e["person_id"] for e in roster} == {p["id"] for p in people}
    queue = _queue(roster)
    assert len(queue) == PEOPLE - SEATS
    assert [e["person_name"] for e in roster if e["person_id"] == people[0]["id"]] \
        == ["Storm Teacher 0"]  # the staff sign-up kept identity's name on the roster

    leaving = [b for b in bodies if b["status"] == "confirmed"][:LEAVING]
    cancelled = await asyncio.gather(*(
        stack.client.delete(f"{SCHEDULING}/registrations/{r['id']}", headers=bearer(root))
        for r in leaving))

    assert [c.status_code for c in cancelled] == [200] * LEAVING, [c.text for c in cancelled]
    assert {c.json()["status"] for c in cancelled} == {"cancelled"}
    assert await _seats(stack, root, session["id"]) == (SEATS, PEOPLE - SEATS - LEAVING)
    after = await _roster(stack, root, session["id"])
    confirmed = {e["person_id"] for e in after if e["status"] == "confirmed"}
    assert len(confirmed) == SEATS
    # The first twenty in line got the seats; everyone behind them moved up, order kept.
    assert set(queue[:LEAVING]) <= confirmed
    assert _queue(after) == queue[LEAVING:]
    assert sorted(e["waitlist_position"] for e in after if e["status"] == "waitlisted") \
        == list(range(1, PEOPLE - SEATS - LEAVING + 1))
