"""A network's admins see the people of its events: identity learns them from scheduling's feed
(registrations, attendance, facilitators, cohorts) and scopes its people directory by it."""

from datetime import UTC, datetime, timedelta

from tests.support.stack import ROOT_LOGIN, bearer, eventually

IDENTITY = "/api/identity/v1"


async def _post(stack, path, token, **kwargs):
    response = await stack.client.post(path, headers=bearer(token), **kwargs)
    assert response.status_code in (200, 201), response.text
    return response.json()


async def _user(stack, root: str, email: str) -> tuple[dict, str]:
    person = await _post(stack, f"{IDENTITY}/people", root,
                         json={"email": email, "full_name": email.split("@")[0], "role": "teacher"})
    await stack.create_account(email, "long-password-1", "X")
    return person, await stack.token(email, "long-password-1")


async def _network_admin(stack, root: str, email: str, network: dict) -> str:
    person, _ = await _user(stack, root, email)
    await _post(stack, f"{IDENTITY}/organizations/{network['id']}/members", root,
                json={"person_id": person["id"], "role": "network_admin"})
    return await stack.token(email, "long-password-1")  # the token carries the new role


async def test_network_admins_see_who_registered_attended_or_facilitates(stack):
    root = await stack.token(*ROOT_LOGIN)
    network = await _post(stack, f"{IDENTITY}/organizations", root,
                          json={"name": "Bay Teacher Network", "kind": "network"})
    other = await _post(stack, f"{IDENTITY}/organizations", root,
                        json={"name": "Valley Network", "kind": "network"})
    admin_token = await _network_admin(stack, root, "admin@stack.test", network)
    stranger_token = await _network_admin(stack, root, "stranger@stack.test", other)
    registrant, registrant_token = await _user(stack, root, "registrant@stack.test")
    attendee = await _post(stack, f"{IDENTITY}/people", root, json={
        "email": "attendee@stack.test", "full_name": "Attendee", "role": "teacher"})
    facilitator = await _post(stack, f"{IDENTITY}/people", root, json={
        "email": "facilitator@stack.test", "full_name": "Facilitator", "role": "teacher"})

    def listed(token: str):
        async def emails() -> set[str]:
            response = await stack.client.get(f"{IDENTITY}/people", headers=bearer(token),
                                              params={"limit": 200})
            assert response.status_code == 200, response.text
            return {p["email"] for p in response.json()["items"]}
        return emails

    # Before any event: the admin sees the network's members only.
    assert await listed(admin_token)() == {"admin@stack.test"}

    starts = datetime.now(UTC) - timedelta(hours=1)  # under way: check-in is open
    event = await _post(stack, "/api/scheduling/v1/events", root, json={
        "network_id": network["id"], "kind": "workshop_series", "title": "Argument writing",
        "subjects": ["ELA"], "grade_min": "6", "grade_max": "8",
        "timezone": "America/Los_Angeles", "credit_hours": 3, "status": "published"})
    session = await _post(stack, f"/api/scheduling/v1/events/{event['id']}/sessions", root, json={
        "title": "Session I", "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(hours=2)).isoformat(), "capacity": 20,
        "facilitator_ids": [facilitator["id"]]})
    await _post(stack, f"/api/scheduling/v1/sessions/{session['id']}/registrations",
                registrant_token)
    await _post(stack, f"/api/scheduling/v1/sessions/{session['id']}/attendance", root,
                json={"person_id": attendee["id"], "source": "check_in"})

    wanted = {"admin@stack.test", "registrant@stack.test", "attendee@stack.test",
              "facilitator@stack.test"}

    async def all_seen() -> bool:
        return await listed(admin_token)() == wanted

    await eventually(all_seen)
    read = await stack.client.get(f"{IDENTITY}/people/{registrant['id']}",
                                  headers=bearer(admin_token))
    assert read.status_code == 200
    # The other network's admin sees none of them.
    assert await listed(stranger_token)() == {"stranger@stack.test"}
    refused = await stack.client.get(f"{IDENTITY}/people/{registrant['id']}",
                                     headers=bearer(stranger_token))
    assert refused.status_code == 404
