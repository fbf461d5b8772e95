"""The thin path through every part, over HTTP through the gateway: identity tokens, an event
with a capped session, sign-ups and a waitlist, check-in, and reach counting it from the feeds."""

from datetime import UTC, datetime, timedelta

from tests.support.stack import ROOT_LOGIN, bearer, eventually


async def _post(stack, path, token, **kwargs):
    response = await stack.client.post(path, headers=bearer(token), **kwargs)
    assert response.status_code in (200, 201), response.text
    return response.json()


async def test_attendance_reaches_the_reach_summary_through_the_feeds(stack):
    root = await stack.token(*ROOT_LOGIN)
    network = await _post(stack, "/api/identity/v1/organizations", root,
                          json={"name": "Bay Teacher Network", "kind": "network"})
    district = await _post(stack, "/api/identity/v1/organizations", root,
                           json={"name": "Oakland Unified", "kind": "district",
                                 "county": "Alameda"})
    school = await _post(stack, "/api/identity/v1/organizations", root,
                         json={"name": "Lincoln Elementary", "kind": "school",
                               "parent_id": district["id"]})
    leader = await _post(stack, "/api/identity/v1/people", root, json={
        "email": "leader@stack.test", "full_name": "Maria Lopez", "role": "teacher"})
    await _post(stack, f"/api/identity/v1/organizations/{network['id']}/members", root,
                json={"person_id": leader["id"], "role": "leader"})
    people = []
    for n in range(3):
        await _post(stack, "/api/identity/v1/people", root, json={
            "email": f"teacher{n}@stack.test", "full_name": f"Teacher {n}", "role": "teacher",
            "school": "lincoln elementary", "district": "Oakland Unified", "county": "Alameda"})
        await stack.create_account(f"Teacher{n}@stack.test", "teacher-password", f"Teacher {n}")
        people.append(await stack.token(f"teacher{n}@stack.test", "teacher-password"))

    starts = datetime.now(UTC) - timedelta(hours=2)
    event = await _post(stack, "/api/scheduling/v1/events", root, json={
        "network_id": network["id"], "kind": "workshop_series", "title": "Argument writing",
        "subjects": ["ELA"], "grade_min": "6", "grade_max": "8", "timezone": "America/Los_Angeles",
        "credit_hours": 3, "status": "published"})
    session = await _post(stack, f"/api/scheduling/v1/events/{event['id']}/sessions", root, json={
        "title": "Session I", "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(hours=1, minutes=30)).isoformat(),
        "capacity": 2, "facilitator_ids": [leader["id"]]})

    answers = [await _post(stack, f"/api/scheduling/v1/sessions/{session['id']}/registrations", t)
               for t in people]
    assert [a["status"] for a in answers] == ["confirmed", "confirmed", "waitlisted"]
    assert answers[2]["waitlist_position"] == 1

    await _post(stack, f"/api/scheduling/v1/sessions/{session['id']}/attendance", root,
                json={"person_id": answers[0]["person_id"], "source": "check_in"})

    window = {"network_id": network["id"], "from": (starts - timedelta(days=1)).date().isoformat(),
              "to": (starts + timedelta(days=1)).date().isoformat()}

    async def summary_with_attendance():
        response = await stack.client.get("/api/reach/v1/summary", params=window,
                                          headers=bearer(root))
        assert response.status_code == 200, response.text
        body = response.json()
        return body if body["direct"] == 1 else None

    summary = await eventually(summary_with_attendance, timeout=15)
    assert summary["leaders"] == 1
    assert (summary["schools"], summary["districts"], summary["counties"]) == (1, 1, 1)
    assert summary["as_of"]

    by_school = await stack.client.get("/api/reach/v1/breakdown", headers=bearer(root),
                                       params={**window, "dimension": "school"})
    assert [(row["label"], row["direct"]) for row in by_school.json()["rows"]] == [
        ("Lincoln Elementary", 1)]
    assert school["id"] in [row["key"] for row in by_school.json()["rows"]]
