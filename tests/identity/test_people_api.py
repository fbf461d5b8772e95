import asyncio

from tests.identity.conftest import BASE


class TestCreatePerson:
    async def test_school_and_district_given_by_name_resolve_to_existing_ones(self, api):
        district = await api.organization("Oakland Unified", "district", county="Alameda")
        school = await api.organization("Lincoln Elementary", "school", parent_id=district["id"])
        assert school["county"] == "Alameda"  # inherited from the district

        person = await api.person("ana@example.org", school="lincoln elementary",
                                  district="OAKLAND unified")
        assert person["school_id"] == school["id"]
        assert person["district_id"] == district["id"]
        assert person["county"] == "Alameda"

    async def test_unknown_places_are_created_unverified_once(self, api):
        first = await api.person("a@example.org", school="Hoover High", district="Fresno Unified",
                                 county="Fresno")
        second = await api.person("b@example.org", school="hoover high", district="fresno unified",
                                  county="fresno")
        assert (first["school_id"], first["district_id"]) == (second["school_id"],
                                                             second["district_id"])
        response = await api.client.get(f"{BASE}/organizations/{first['school_id']}",
                                        headers=await api.admin())
        assert response.json()["verified"] is False
        assert response.json()["parent_id"] == first["district_id"]

    async def test_emails_are_unique_in_any_case_and_roles_are_checked(self, api):
        await api.person("Sam@Example.org")
        duplicate = await api.post("/people", await api.admin(), {
            "email": "sam@EXAMPLE.org", "full_name": "Sam", "role": "teacher"}, expect=409)
        assert duplicate["code"] == "email_taken"
        await api.post("/people", await api.admin(), {
            "email": "x@example.org", "full_name": "X", "role": "principal"}, expect=422)

    async def test_blank_places_mean_not_given_and_overlong_ones_are_422(self, api):
        person = await api.person("blank@example.org", school="", district="  ", county="")
        assert (person["school_id"], person["district_id"], person["county"]) == (None, None, None)
        problem = await api.post("/people", await api.admin(), {
            "email": "long@example.org", "full_name": "L", "role": "teacher",
            "school": "x" * 201}, expect=422)
        assert problem["code"] == "invalid_input"


class TestPeopleAccess:
    async def test_a_leader_cannot_list_people_but_a_coordinator_can(self, api):
        network = await api.organization("Golden State Network", "network")
        leader = await api.user("lead@example.org", organization_id=network["id"], role="leader")
        coordinator = await api.user("coord@example.org", organization_id=network["id"],
                                     role="coordinator")
        refused = await api.client.get(f"{BASE}/people", headers=leader)
        assert refused.status_code == 403
        assert refused.headers["content-type"] == "application/problem+json"
        listed = await api.client.get(f"{BASE}/people", params={"email": "LEAD@example.org"},
                                      headers=coordinator)
        assert listed.status_code == 200
        assert [p["email"] for p in listed.json()["items"]] == ["lead@example.org"]

    async def test_a_person_reads_their_own_record_only(self, api):
        headers = await api.user("me@example.org")
        other = await api.person("someone@example.org")
        me = (await api.client.get(f"{BASE}/me", headers=headers)).json()
        own = await api.client.get(f"{BASE}/people/{me['person']['id']}", headers=headers)
        theirs = await api.client.get(f"{BASE}/people/{other['id']}", headers=headers)
        assert own.status_code == 200 and theirs.status_code == 403

    async def test_lists_filter_by_ids_and_paginate(self, api):
        ids = [(await api.person(f"p{n}@example.org"))["id"] for n in range(3)]
        admin = await api.admin()
        first = (await api.client.get(f"{BASE}/people", headers=admin, params={
            "ids": ",".join(ids), "limit": 2})).json()
        rest = (await api.client.get(f"{BASE}/people", headers=admin, params={
            "ids": ",".join(ids), "limit": 2, "cursor": first["next_cursor"]})).json()
        assert [p["id"] for p in first["items"] + rest["items"]] == sorted(ids)
        assert rest["next_cursor"] is None


class TestConcurrentCreation:
    async def test_parallel_people_naming_a_new_district_share_one(self, api):
        admin = await api.admin()

        async def create(n: int):
            return await api.client.post(f"{BASE}/people", headers=admin, json={
                "email": f"t{n}@example.org", "full_name": f"T {n}", "role": "teacher",
                "school": "Poly High", "district": "Long Beach Unified",
                "county": "Los Angeles"})

        responses = await asyncio.gather(*(create(n) for n in range(8)))
        assert [r.status_code for r in responses] == [201] * 8
        assert len({(r.json()["school_id"], r.json()["district_id"]) for r in responses}) == 1
        districts = (await api.client.get(f"{BASE}/organizations", headers=admin,
                                          params={"kind": "district"})).json()["items"]
        assert [d["name"] for d in districts] == ["Long Beach Unified"]
