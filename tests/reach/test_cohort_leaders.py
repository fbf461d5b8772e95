"""One meaning of "leader": adding someone to a program year's cohort as leader makes them a
leader of the network for that year in identity, so reach counts them (and not as reach), and
removing the entry takes the leadership back. Real identity, scheduling and reach."""

from datetime import date, timedelta

from tests.support.stack import ROOT_LOGIN, bearer, eventually

IDENTITY, SCHEDULING = "/api/identity/v1", "/api/scheduling/v1"


async def _ok(response, status: int = 201) -> dict:
    assert response.status_code == status, response.text
    return response.json() if response.content else {}


def _this_program_year() -> str:
    today = date.today()
    first = today.year if today.month >= 7 else today.year - 1
    return f"{first}-{(first + 1) % 100:02d}"


async def test_a_cohort_leader_is_a_leader_of_the_network_that_reach_counts(stack):
    root = bearer(await stack.token(*ROOT_LOGIN))
    client = stack.client
    network = await _ok(await client.post(f"{IDENTITY}/organizations", headers=root,
                                          json={"name": "Bay Network", "kind": "network"}))
    leader = await _ok(await client.post(f"{IDENTITY}/people", headers=root, json={
        "email": "lee@reach.test", "full_name": "Lee Leader", "role": "teacher"}))
    year = _this_program_year()
    first = int(year[:4])
    program = await _ok(await client.post(f"{SCHEDULING}/programs", headers=root, json={
        "network_id": network["id"], "name": "Phase 1", "starts_on": f"{first}-07-01",
        "ends_on": f"{first + 1}-06-30"}))
    cohort = f"{SCHEDULING}/programs/{program['id']}/cohort"
    entry = await _ok(await client.post(cohort, headers=root, json={
        "person_id": leader["id"], "program_year": year}))

    members = await _ok(await client.get(f"{IDENTITY}/organizations/{network['id']}/members",
                                         headers=root, params={"role": "leader"}), 200)
    assert [(m["id"], m["person_id"], m["starts_on"], m["ends_on"]) for m in members["items"]] == [
        (entry["membership_id"], leader["id"], f"{first}-07-01", f"{first + 1}-06-30")]

    window = {"network_id": network["id"], "from": (date.today() - timedelta(days=1)).isoformat(),
              "to": date.today().isoformat()}

    async def leaders() -> int | None:
        response = await client.get("/api/reach/v1/summary", params=window, headers=root)
        if response.status_code == 404 and response.json()["code"] == "network_not_found":
            return None  # reach has not read the new network from identity's feed yet
        assert response.status_code == 200, response.text
        return response.json()["leaders"]

    assert await eventually(leaders) == 1

    await _ok(await client.delete(f"{cohort}/{entry['id']}", headers=root), 204)
    assert await eventually(lambda: _zero(leaders)) is True
    members = await _ok(await client.get(f"{IDENTITY}/organizations/{network['id']}/members",
                                         headers=root, params={"role": "leader"}), 200)
    assert members["items"] == []


async def _zero(count) -> bool:
    return await count() == 0


async def test_a_coordinator_cannot_make_a_leader_through_the_cohort(stack):
    """Identity alone grants leadership: a network coordinator may enrol coaches, but a leader's
    entry is refused, as identity refuses the coordinator's grant, and nothing is kept."""
    root = bearer(await stack.token(*ROOT_LOGIN))
    client = stack.client
    network = await _ok(await client.post(f"{IDENTITY}/organizations", headers=root,
                                          json={"name": "Bay Network", "kind": "network"}))
    coordinator = await _ok(await client.post(f"{IDENTITY}/people", headers=root, json={
        "email": "coord@reach.test", "full_name": "Cory Coordinator", "role": "administrator"}))
    await stack.create_account("coord@reach.test", "coordinator-pass-1", "Cory")
    await _ok(await client.post(f"{IDENTITY}/organizations/{network['id']}/members",
                                headers=root, json={"person_id": coordinator["id"],
                                                    "role": "coordinator"}))
    token = bearer(await stack.token("coord@reach.test", "coordinator-pass-1"))
    teacher = await _ok(await client.post(f"{IDENTITY}/people", headers=root, json={
        "email": "t@reach.test", "full_name": "Tess Teacher", "role": "teacher"}))
    program = await _ok(await client.post(f"{SCHEDULING}/programs", headers=token, json={
        "network_id": network["id"], "name": "Phase 1", "starts_on": "2025-07-01",
        "ends_on": "2027-06-30"}))
    cohort = f"{SCHEDULING}/programs/{program['id']}/cohort"
    refused = await client.post(cohort, headers=token, json={
        "person_id": teacher["id"], "program_year": "2025-26"})
    assert refused.status_code == 403, refused.text
    assert refused.json()["code"] == "leadership_refused"
    coach = await _ok(await client.post(cohort, headers=token, json={
        "person_id": teacher["id"], "program_year": "2025-26", "role": "coach"}))
    assert coach["membership_id"] is None
    listed = await _ok(await client.get(cohort, headers=token), 200)
    assert [e["role"] for e in listed["items"]] == ["coach"]
