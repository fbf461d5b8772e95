"""Programs and their cohorts: who registers them, which program years they span, and the corps
size per program year that reach reports as growth."""

import pytest

from tests.scheduling.conftest import API, problem

PHASE_2 = {"name": "Phase 2, 2017-2020", "description": "Second phase of the leadership network",
           "starts_on": "2017-07-01", "ends_on": "2020-06-30"}


@pytest.fixture
def admin(api):
    """The network's admin: registers programs and enrols leaders."""
    return api.person(roles={api.network: ["network_admin"]})


async def create_program(api, headers, **fields) -> dict:
    response = await api.client.post(f"{API}/programs", headers=headers,
                                      json={"network_id": api.network, **PHASE_2, **fields})
    assert response.status_code == 201, response.text
    return response.json()


async def enrol(api, headers, program_id: str, program_year: str, **fields):
    return await api.client.post(f"{API}/programs/{program_id}/cohort", headers=headers,
                                 json={"person_id": api.new_person(), "program_year": program_year,
                                       **fields})


class TestPrograms:
    async def test_admin_and_coordinator_register_programs_others_may_not(self, api, client, admin):
        program = await create_program(api, admin)
        assert (program["name"], program["status"]) == ("Phase 2, 2017-2020", "active")
        assert (program["starts_on"], program["ends_on"]) == ("2017-07-01", "2020-06-30")
        coordinator = api.person(roles={api.network: ["coordinator"]})
        await create_program(api, coordinator, name="Phase 3")
        body = {"network_id": api.network, **PHASE_2}
        # A leader of this network runs events but does not register programs.
        problem(await client.post(f"{API}/programs", json=body, headers=api.leader), 403)
        other_leader = api.person(roles={"net-other": ["leader", "network_admin"]})
        problem(await client.post(f"{API}/programs", json=body, headers=other_leader), 403)
        problem(await client.post(f"{API}/programs", json=body), 401)

    async def test_platform_admin_registers_programs_anywhere(self, api, keys):
        elsewhere = api.network_of("elsewhere")
        program = await create_program(api, keys.headers(admin=True), network_id=elsewhere)
        assert program["network_id"] == elsewhere

    @pytest.mark.parametrize("change", [
        {"ends_on": "2017-06-30"},
        {"starts_on": "not a date"},
        {"name": ""},
        {"status": "paused"},
    ])
    async def test_bad_input_is_a_422_problem(self, api, client, admin, change):
        body = {"network_id": api.network, **PHASE_2, **change}
        refusal = problem(await client.post(f"{API}/programs", json=body, headers=admin), 422)
        assert refusal["code"] == "invalid_input"

    async def test_staff_and_analysts_read_programs_of_their_network(
            self, api, client, admin, keys):
        made = [(await create_program(api, admin, name=f"P{n}"))["id"] for n in range(3)]
        analyst = api.person(roles={api.network: ["analyst"]})
        for headers in (admin, api.leader, analyst):
            seen, cursor = [], None
            while True:
                params = {"network_id": api.network, "limit": 2,
                          **({"cursor": cursor} if cursor else {})}
                page = (await client.get(f"{API}/programs", params=params, headers=headers)).json()
                seen += [p["id"] for p in page["items"]]
                cursor = page["next_cursor"]
                if not cursor:
                    break
            assert seen == made
            one = await client.get(f"{API}/programs/{made[0]}", headers=headers)
            assert one.status_code == 200
        outsider = api.person(roles={"net-other": ["network_admin"]})
        problem(await client.get(f"{API}/programs", params={"network_id": api.network},
                                 headers=outsider), 403)
        assert (await client.get(f"{API}/programs", headers=outsider)).json()["items"] == []
        problem(await client.get(f"{API}/programs/{made[0]}", headers=outsider), 404)
        problem(await client.get(f"{API}/programs/{made[0]}", headers=api.person()), 404)

    async def test_update_checks_the_dates_whole(self, api, client, admin):
        program = await create_program(api, admin)
        url = f"{API}/programs/{program['id']}"
        closed = await client.patch(url, json={"status": "closed", "description": "Done"},
                                    headers=admin)
        assert closed.status_code == 200 and closed.json()["status"] == "closed"
        problem(await client.patch(url, json={"ends_on": "2017-01-01"}, headers=admin), 422)
        problem(await client.patch(url, json={"name": None}, headers=admin), 422)
        problem(await client.patch(url, json={"name": "Mine"}, headers=api.leader), 403)
        # Shrinking the program past a year that has a cohort would strand its entries.
        assert (await enrol(api, admin, program["id"], "2019-20")).status_code == 201
        stranded = await client.patch(url, json={"ends_on": "2019-06-30"}, headers=admin)
        assert problem(stranded, 409)["code"] == "cohort_outside_dates"


class TestCohorts:
    async def test_leaders_per_program_year_give_the_corps_size(self, api, client, admin):
        program = await create_program(api, admin)
        for year, leaders in (("2017-18", 3), ("2018-19", 4), ("2019-20", 2)):
            for _ in range(leaders):
                assert (await enrol(api, admin, program["id"], year)).status_code == 201
        coach = await enrol(api, admin, program["id"], "2018-19", role="coach")
        assert coach.status_code == 201 and coach.json()["role"] == "coach"

        analyst = api.person(roles={api.network: ["analyst"]})
        response = await client.get(f"{API}/programs/{program['id']}/years", headers=analyst)
        assert response.status_code == 200, response.text
        years = response.json()["items"]
        assert [(y["program_year"], y["leaders"], y["coaches"]) for y in years] == [
            ("2017-18", 3, 0), ("2018-19", 4, 1), ("2019-20", 2, 0)]
        first = response.json()["items"][0]
        assert (first["starts_on"], first["ends_on"]) == ("2017-07-01", "2018-06-30")

        cohort = await client.get(f"{API}/programs/{program['id']}/cohort",
                                  params={"program_year": "2018-19"}, headers=api.leader)
        assert cohort.status_code == 200, cohort.text
        assert len(cohort.json()["items"]) == 5
        assert {e["program_year"] for e in cohort.json()["items"]} == {"2018-19"}
        leaders = await client.get(f"{API}/programs/{program['id']}/cohort",
                                   params={"program_year": "2018-19", "role": "leader"},
                                   headers=api.leader)
        assert len(leaders.json()["items"]) == 4

    async def test_the_same_person_once_per_year_and_removal(self, api, client, admin):
        program = await create_program(api, admin)
        person = api.new_person()
        url = f"{API}/programs/{program['id']}/cohort"
        first = await client.post(url, json={"person_id": person, "program_year": "2017-18"},
                                  headers=admin)
        assert first.status_code == 201, first.text
        again = await client.post(url, json={"person_id": person, "program_year": "2017-18",
                                             "role": "coach"}, headers=admin)
        assert problem(again, 409)["code"] == "already_in_cohort"
        next_year = await client.post(url, json={"person_id": person, "program_year": "2018-19"},
                                      headers=admin)
        assert next_year.status_code == 201
        removed = await client.delete(f"{url}/{first.json()['id']}", headers=admin)
        assert removed.status_code == 204
        problem(await client.delete(f"{url}/{first.json()['id']}", headers=admin), 404)
        years = (await client.get(f"{API}/programs/{program['id']}/years", headers=admin)).json()
        assert [y["leaders"] for y in years["items"]] == [0, 1, 0]

    async def test_program_year_outside_the_program_or_malformed_is_422(self, api, admin):
        program = await create_program(api, admin)
        for year in ("2016-17", "2020-21"):
            refusal = problem(await enrol(api, admin, program["id"], year), 422)
            assert refusal["code"] == "program_year_outside_program"
        for year in ("2017-19", "2017", "17-18"):
            problem(await enrol(api, admin, program["id"], year), 422)
        problem(await enrol(api, admin, program["id"], "2017-18", role="mentor"), 422)

    async def test_only_the_networks_admins_and_coordinators_enrol(self, api, client, admin):
        program = await create_program(api, admin)
        problem(await enrol(api, api.leader, program["id"], "2017-18"), 403)
        other_leader = api.person(roles={"net-other": ["leader"]})
        problem(await enrol(api, other_leader, program["id"], "2017-18"), 404)
        problem(await client.get(f"{API}/programs/{program['id']}/years", headers=other_leader),
                404)
        problem(await enrol(api, admin, "no-such-program", "2017-18"), 404)

    async def test_the_feed_carries_programs_and_cohort_changes(self, api, client, admin):
        program = await create_program(api, admin)
        added = (await enrol(api, admin, program["id"], "2017-18")).json()
        await client.delete(f"{API}/programs/{program['id']}/cohort/{added['id']}", headers=admin)
        events = [e for e in await api.feed() if e["key"] in (program["id"], added["id"])]
        assert [e["topic"] for e in events] == ["program.created", "cohort.added", "cohort.removed"]
        assert events[0]["payload"]["network_id"] == api.network
        expected = {"id": added["id"], "program_id": program["id"], "network_id": api.network,
                    "person_id": added["person_id"], "program_year": "2017-18", "role": "leader"}
        assert events[1]["payload"] == expected and events[2]["payload"] == expected


class TestCohortLeadersLeadTheNetwork:
    """A leader's cohort entry is their leader membership of the network for the program year,
    granted in identity with the caller's own token (the real identity: tests/reach)."""

    async def test_a_leader_entry_grants_the_years_membership_as_the_caller(
            self, api, client, admin, directory):
        program = await create_program(api, admin)
        entry = (await enrol(api, admin, program["id"], "2018-19")).json()
        [membership] = directory.memberships.values()
        assert entry["membership_id"] == membership["id"]
        assert membership == {"id": membership["id"], "organization_id": api.network,
                              "person_id": entry["person_id"], "role": "leader",
                              "starts_on": "2018-07-01", "ends_on": "2019-06-30"}
        assert directory.authorizations[-1] == admin["Authorization"]

        coach = (await enrol(api, admin, program["id"], "2018-19", role="coach")).json()
        assert coach["membership_id"] is None and len(directory.memberships) == 1

        removed = await client.delete(f"{API}/programs/{program['id']}/cohort/{entry['id']}",
                                      headers=admin)
        assert removed.status_code == 204
        assert directory.memberships == {}

    @pytest.mark.parametrize(("identity_says", "status", "code"), [
        (403, 403, "leadership_refused"), (404, 422, "leadership_unknown"),
        (500, 503, "identity_unavailable")])
    async def test_when_identity_refuses_the_leadership_the_entry_is_refused(
            self, api, client, admin, directory, identity_says, status, code):
        program = await create_program(api, admin)
        directory.refusing = identity_says
        assert problem(await enrol(api, admin, program["id"], "2018-19"), status)["code"] == code
        cohort = await client.get(f"{API}/programs/{program['id']}/cohort", headers=admin)
        assert cohort.json()["items"] == []
