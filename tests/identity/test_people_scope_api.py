"""The people directory is scoped to the organizations the caller holds a role in (hole 2), and
where a person works is changed by admins only (the self-service district of the review, #13).

Before the fix a coordinator of one district listed, read and PATCHed every person on the
platform, and anyone could PATCH their own district."""

import pytest

from tests.identity.conftest import BASE


class World:
    """Two networks, two districts, and people of each."""

    async def build(self, api):
        self.api = api
        self.golden = await api.organization("Golden State Network", "network")
        self.valley = await api.organization("Central Valley Network", "network")
        self.oakland = await api.organization("Oakland Unified", "district", county="Alameda")
        self.fresno = await api.organization("Fresno Unified", "district", county="Fresno")
        # Staff, each signed in.
        self.coordinator = await api.user("coord@oakland.example.org",
                                          organization_id=self.oakland["id"], role="coordinator")
        self.golden_admin = await api.user("admin@golden.example.org",
                                           organization_id=self.golden["id"],
                                           role="network_admin")
        # People: one in Oakland, one of the Valley network in Fresno, one Golden State leader.
        self.oakland_teacher = await api.person("ana@oakland.example.org",
                                                district="Oakland Unified", county="Alameda")
        self.fresno_teacher = await api.person("fay@fresno.example.org",
                                               district="Fresno Unified", county="Fresno")
        await api.member(self.valley["id"], self.fresno_teacher["id"], "leader")
        self.golden_leader = await api.person("lee@golden.example.org")
        await api.member(self.golden["id"], self.golden_leader["id"], "leader")
        return self

    async def denied(self, action: str) -> list[dict]:
        entries = (await self.api.client.get(f"{BASE}/audit", headers=await self.api.admin(),
                                             params={"limit": 200})).json()["items"]
        return [e for e in entries if e["action"] == action]

    async def person(self, person_id: str) -> dict:
        return (await self.api.client.get(f"{BASE}/people/{person_id}",
                                          headers=await self.api.admin())).json()


@pytest.fixture
async def world(api) -> World:
    return await World().build(api)


class TestCoordinatorOfADistrict:
    async def test_lists_only_the_people_of_their_district(self, world):
        listed = await world.api.client.get(f"{BASE}/people", headers=world.coordinator,
                                            params={"limit": 200})
        emails = {p["email"] for p in listed.json()["items"]}
        assert "ana@oakland.example.org" in emails
        assert "fay@fresno.example.org" not in emails
        assert "lee@golden.example.org" not in emails

    async def test_asking_for_another_networks_person_by_email_finds_no_one_and_is_audited(
            self, world):
        for params in ({"email": "fay@fresno.example.org"},
                       {"ids": world.fresno_teacher["id"]}):
            listed = await world.api.client.get(f"{BASE}/people", headers=world.coordinator,
                                                params=params)
            assert listed.status_code == 200 and listed.json()["items"] == []
        entries = await world.denied("person.list.denied")
        assert [e["target_id"] for e in entries] == [world.fresno_teacher["id"]] * 2
        # Filed under the network she belongs to, whose admins see her.
        assert entries[0]["organization_id"] == world.valley["id"]
        assert entries[0]["details"]["caller_organizations"] == [world.oakland["id"]]
        assert (entries[0]["details"]["method"], entries[0]["details"]["path"]) == (
            "GET", "/api/identity/v1/people")

    async def test_asking_for_several_ids_audits_each_one_outside_their_district(self, world):
        # The Golden State leader has no school or district: outside the scope all the same.
        asked = [world.oakland_teacher["id"], world.fresno_teacher["id"],
                 world.golden_leader["id"]]
        listed = await world.api.client.get(f"{BASE}/people", headers=world.coordinator,
                                            params={"ids": ",".join(asked)})
        assert [p["id"] for p in listed.json()["items"]] == [world.oakland_teacher["id"]]
        entries = await world.denied("person.list.denied")
        assert sorted(e["target_id"] for e in entries) == sorted(asked[1:])

    async def test_reading_another_networks_person_is_404_like_no_one_and_is_audited(
            self, world):
        theirs = await world.api.client.get(f"{BASE}/people/{world.fresno_teacher['id']}",
                                            headers=world.coordinator)
        nobody = await world.api.client.get(f"{BASE}/people/01jnobody000000000000000000",
                                            headers=world.coordinator)
        assert theirs.status_code == nobody.status_code == 404
        assert theirs.json()["code"] == nobody.json()["code"] == "person_not_found"
        [entry] = await world.denied("person.read.denied")
        assert entry["target_id"] == world.fresno_teacher["id"]
        assert entry["organization_id"] == world.valley["id"]
        assert (entry["details"]["method"], entry["details"]["path"]) == (
            "GET", "/api/identity/v1/people/{person_id}")

    async def test_patching_another_networks_person_is_404_and_changes_nothing(self, world):
        response = await world.api.client.patch(
            f"{BASE}/people/{world.fresno_teacher['id']}", headers=world.coordinator,
            json={"full_name": "Taken Over", "district": "Oakland Unified"})
        assert response.status_code == 404
        person = await world.person(world.fresno_teacher["id"])
        assert (person["full_name"], person["district_id"]) == ("Pat Doe", world.fresno["id"])
        [entry] = await world.denied("person.update.denied")
        assert entry["target_id"] == world.fresno_teacher["id"]

    async def test_reads_and_renames_a_person_of_their_district(self, world):
        path = f"{BASE}/people/{world.oakland_teacher['id']}"
        assert (await world.api.client.get(path, headers=world.coordinator)).status_code == 200
        renamed = await world.api.client.patch(path, headers=world.coordinator,
                                               json={"full_name": "Ana Ruiz"})
        assert renamed.status_code == 200 and renamed.json()["full_name"] == "Ana Ruiz"

    async def test_may_not_move_anyone_into_their_district(self, world):
        # A coordinator who is also the Golden State network's coordinator sees its leader...
        both = await world.api.user("both@oakland.example.org",
                                    organization_id=world.oakland["id"], role="coordinator")
        me = (await world.api.client.get(f"{BASE}/me", headers=both)).json()
        await world.api.member(world.golden["id"], me["person"]["id"], "coordinator")
        both = await world.api.login("both@oakland.example.org")
        path = f"{BASE}/people/{world.golden_leader['id']}"
        assert (await world.api.client.get(path, headers=both)).status_code == 200
        # ...but moving them into Oakland (its PD credit, and their transcript) is refused.
        moved = await world.api.client.patch(path, headers=both,
                                             json={"district": "Oakland Unified"})
        assert moved.status_code == 403
        assert (await world.person(world.golden_leader["id"]))["district_id"] is None
        [entry] = await world.denied("person.move.denied")
        assert entry["details"]["after"]["district_id"] == world.oakland["id"]


class TestSelf:
    async def test_a_person_may_not_move_themself_into_another_district(self, world):
        headers = await world.api.user("me@fresno.example.org")
        me = (await world.api.client.get(f"{BASE}/me", headers=headers)).json()["person"]
        await world.api.client.patch(f"{BASE}/people/{me['id']}", headers=await world.api.admin(),
                                     json={"district": "Fresno Unified"})
        path = f"{BASE}/people/{me['id']}"
        moved = await world.api.client.patch(path, headers=headers,
                                             json={"district": "Oakland Unified"})
        assert moved.status_code == 403
        assert (await world.person(me["id"]))["district_id"] == world.fresno["id"]
        assert len(await world.denied("person.move.denied")) == 1
        # Their name stays theirs to change, and naming the same place again is no move.
        renamed = await world.api.client.patch(path, headers=headers, json={
            "full_name": "Me Myself", "district": "fresno unified"})
        assert renamed.status_code == 200, renamed.text
        assert renamed.json()["district_id"] == world.fresno["id"]


class TestNetworkAdmin:
    async def test_sees_the_people_of_their_networks_memberships_and_matches(self, world):
        matched = await world.api.client.post(f"{BASE}/people/matches", headers=world.golden_admin,
                                              json={"network_id": world.golden["id"],
                                                    "email": "sheet@golden.example.org",
                                                    "full_name": "From A Sheet",
                                                    "role": "teacher"})
        assert matched.status_code == 201
        listed = await world.api.client.get(f"{BASE}/people", headers=world.golden_admin,
                                            params={"limit": 200})
        emails = {p["email"] for p in listed.json()["items"]}
        assert {"lee@golden.example.org", "sheet@golden.example.org",
                "admin@golden.example.org"} <= emails
        assert not emails & {"fay@fresno.example.org", "ana@oakland.example.org"}
        found = await world.api.client.get(f"{BASE}/people", headers=world.golden_admin,
                                           params={"q": "sheet"})
        assert [p["email"] for p in found.json()["items"]] == ["sheet@golden.example.org"]

    async def test_moves_a_person_of_their_network_audited_with_before_and_after(self, world):
        path = f"{BASE}/people/{world.golden_leader['id']}"
        moved = await world.api.client.patch(path, headers=world.golden_admin,
                                             json={"district": "Oakland Unified"})
        assert moved.status_code == 200 and moved.json()["district_id"] == world.oakland["id"]
        entries = (await world.api.client.get(f"{BASE}/audit", headers=world.golden_admin,
                                              params={"organization_id": world.oakland["id"]}))
        assert entries.status_code == 403  # Oakland's log is not theirs; the platform's is
        [entry] = [e for e in (await world.api.client.get(
            f"{BASE}/audit", headers=await world.api.admin(), params={"limit": 200})
        ).json()["items"] if e["action"] == "person.update"
            and e["target_id"] == world.golden_leader["id"]]
        assert entry["details"]["before"]["district_id"] is None
        assert entry["details"]["after"]["district_id"] == world.oakland["id"]

    async def test_a_person_they_create_stays_theirs(self, world):
        created = await world.api.post("/people", world.golden_admin, {
            "email": "new@golden.example.org", "full_name": "New One", "role": "teacher"})
        read = await world.api.client.get(f"{BASE}/people/{created['id']}",
                                          headers=world.golden_admin)
        assert read.status_code == 200


class TestPlatformAdminAndServices:
    async def test_see_everyone(self, world):
        for headers in (await world.api.admin(), await world.api.service_headers("scheduling")):
            listed = await world.api.client.get(f"{BASE}/people", headers=headers,
                                                params={"limit": 200})
            emails = {p["email"] for p in listed.json()["items"]}
            assert {"fay@fresno.example.org", "ana@oakland.example.org"} <= emails


class TestCreatingAPersonWhoseEmailIsTaken:
    """POST /people with an email already in Cascade told any coordinator so with a 409, even
    for a person outside their organizations (the review of hole 2)."""

    async def test_someone_outside_the_callers_organizations_is_matched_for_them_as_a_sheet_would(
            self, world):
        response = await world.api.client.post(f"{BASE}/people", headers=world.coordinator, json={
            "email": "FAY@fresno.example.org", "full_name": "Fay Again", "role": "teacher"})
        # As a sign-in sheet match does: the person joins the caller's people, unchanged.
        assert response.status_code == 200, response.text
        assert response.json()["id"] == world.fresno_teacher["id"]
        assert response.json()["full_name"] == "Pat Doe"
        read = await world.api.client.get(f"{BASE}/people/{world.fresno_teacher['id']}",
                                          headers=world.coordinator)
        assert read.status_code == 200
        [entry] = await world.denied("person.match")
        assert entry["target_id"] == world.fresno_teacher["id"]
        assert entry["organization_id"] == world.oakland["id"]
        assert entry["details"]["via"] == "people.create"

    async def test_someone_the_caller_sees_is_409_without_their_id(self, world):
        response = await world.api.client.post(f"{BASE}/people", headers=world.coordinator, json={
            "email": "ana@oakland.example.org", "full_name": "Ana", "role": "teacher"})
        assert response.status_code == 409
        assert response.json()["code"] == "email_taken"
        assert world.oakland_teacher["id"] not in response.text
