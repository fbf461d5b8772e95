from datetime import UTC, datetime, timedelta

from tests.identity.conftest import BASE


class TestMemberships:
    async def test_a_network_admin_cannot_add_members_to_another_network(self, api):
        network_a = await api.organization("Network A", "network")
        network_b = await api.organization("Network B", "network")
        admin_a = await api.user("a-admin@example.org", organization_id=network_a["id"],
                                 role="network_admin")
        person = await api.person("teacher@example.org")
        refused = await api.client.post(f"{BASE}/organizations/{network_b['id']}/members",
                                        headers=admin_a,
                                        json={"person_id": person["id"], "role": "leader"})
        assert refused.status_code == 403
        # Known by id only, the teacher is not yet one of network A's people: 404, audited.
        unknown = await api.client.post(f"{BASE}/organizations/{network_a['id']}/members",
                                        headers=admin_a,
                                        json={"person_id": person["id"], "role": "leader"})
        assert unknown.status_code == 404 and unknown.json()["code"] == "person_not_found"
        audit = (await api.client.get(f"{BASE}/audit", headers=await api.admin())).json()
        denied = {e["target_type"]: e for e in audit["items"]
                  if e["action"] == "membership.create.denied"}
        assert denied["person"]["target_id"] == person["id"]
        # The attempt on network B is in B's log, for B's admins.
        on_b = denied["organization"]
        assert (on_b["target_id"], on_b["organization_id"], on_b["details"]["path"]) == (
            network_b["id"], network_b["id"],
            "/api/identity/v1/organizations/{organization_id}/members")
        assert len(denied) == len([e for e in audit["items"] if e["action"].endswith(".denied")])
        # Matched for network A by email (a sign-in sheet, an invitation), they may be given a role.
        await api.post("/people/matches", admin_a, {
            "network_id": network_a["id"], "email": "teacher@example.org",
            "full_name": "Pat Doe", "role": "teacher"}, expect=200)
        allowed = await api.client.post(f"{BASE}/organizations/{network_a['id']}/members",
                                        headers=admin_a,
                                        json={"person_id": person["id"], "role": "leader",
                                              "starts_on": "2026-07-01"})
        assert allowed.status_code == 201

    async def test_creating_a_membership_is_audited_and_members_list_names(self, api):
        network = await api.organization("Golden State Network", "network")
        person = await api.person("maria@example.org", full_name="Maria Lopez")
        membership = await api.member(network["id"], person["id"], "leader")

        admin = await api.admin()
        audit = (await api.client.get(f"{BASE}/audit", headers=admin,
                                      params={"organization_id": network["id"]})).json()
        entries = [e for e in audit["items"] if e["action"] == "membership.create"]
        assert len(entries) == 1
        assert entries[0]["target_id"] == membership["id"]
        assert entries[0]["actor_subject"] != ""
        assert datetime.fromisoformat(entries[0]["at"]).utcoffset() is not None

        leaders = (await api.client.get(f"{BASE}/organizations/{network['id']}/members",
                                        headers=admin, params={"role": "leader"})).json()
        assert [(m["person"]["id"], m["person"]["full_name"]) for m in leaders["items"]] == [
            (person["id"], "Maria Lopez")]

    async def test_a_membership_ending_before_it_starts_is_refused(self, api):
        network = await api.organization("Golden State Network", "network")
        person = await api.person("p@example.org")
        await api.post(f"/organizations/{network['id']}/members", await api.admin(), {
            "person_id": person["id"], "role": "leader", "starts_on": "2026-07-01",
            "ends_on": "2026-06-30"}, expect=422)


class TestOrganizationsAccess:
    async def test_only_platform_admins_create_networks_and_network_admins_their_partners(
            self, api):
        network = await api.organization("Golden State Network", "network")
        admin = await api.user("netadmin@example.org", organization_id=network["id"],
                               role="network_admin")
        await api.post("/organizations", admin, {"name": "Rogue", "kind": "network"}, expect=403)
        partner = await api.post("/organizations", admin, {
            "name": "University Policy Center", "kind": "partner", "parent_id": network["id"]})
        assert partner["parent_id"] == network["id"]
        district = await api.post("/organizations", admin, {
            "name": "Fresno Unified", "kind": "district", "county": "Fresno"})
        listed = (await api.client.get(f"{BASE}/organizations", headers=admin,
                                       params={"kind": "district", "q": "fresno"})).json()
        assert [o["id"] for o in listed["items"]] == [district["id"]]


class TestAuditFilters:
    async def test_a_network_admin_filters_their_networks_log_by_actor_action_target_and_day(
            self, api):
        network = await api.organization("Golden State Network", "network")
        # One of the network's people (as a sign-in sheet makes them): its admin may grant her.
        person = await api.post("/people/matches", await api.admin(), {
            "network_id": network["id"], "email": "maria@example.org",
            "full_name": "Maria Lopez", "role": "teacher"})
        admin = await api.user("netadmin@example.org", organization_id=network["id"],
                               role="network_admin")
        mine = await api.post(f"/organizations/{network['id']}/members", admin,
                              {"person_id": person["id"], "role": "leader"})
        latest = await api.member(network["id"], person["id"], "analyst")  # by the root admin

        async def read(**params) -> list[dict]:
            response = await api.client.get(f"{BASE}/audit", headers=admin, params={
                "organization_id": network["id"], **params})
            assert response.status_code == 200, response.text
            return response.json()["items"]

        everything = await read()
        assert everything[0]["target_id"] == latest["id"]  # newest first
        subject = next(e["actor_subject"] for e in everything if e["target_id"] == mine["id"])
        by_me = await read(actor_subject=subject)
        assert [e["target_id"] for e in by_me] == [mine["id"]]
        assert {e["action"] for e in await read(action="membership")} == {"membership.create"}
        assert len(await read(action="membership.create")) == 3  # with the admin's own
        assert await read(action="member") == []  # a family is a whole word
        assert [e["target_id"] for e in await read(target_id=mine["id"])] == [mine["id"]]
        today = datetime.now(UTC).date()
        assert len(await read(**{"from": today.isoformat(), "to": today.isoformat()})) == len(
            everything)
        assert await read(**{"to": (today - timedelta(days=1)).isoformat()}) == []

    async def test_a_bad_day_is_a_problem_not_a_500(self, api):
        network = await api.organization("Golden State Network", "network")
        response = await api.client.get(f"{BASE}/audit", headers=await api.admin(), params={
            "organization_id": network["id"], "from": "0001-01-01"})
        assert response.status_code == 422
        assert response.headers["content-type"] == "application/problem+json"


class TestChangingAndTakingBack:
    async def test_the_role_changes_and_a_mistaken_grant_is_taken_back_audited(self, api):
        network = await api.organization("Golden State Network", "network")
        person = await api.person("maria@example.org")
        membership = await api.member(network["id"], person["id"], "member")
        admin = await api.admin()
        path = f"{BASE}/organizations/{network['id']}/members/{membership['id']}"
        changed = await api.client.patch(path, headers=admin, json={"role": "leader"})
        assert changed.status_code == 200, changed.text
        assert changed.json()["role"] == "leader"
        dates_only = await api.client.patch(path, headers=admin, json={"ends_on": "2027-06-30"})
        assert dates_only.json()["role"] == "leader"

        other = await api.member(network["id"], person["id"], "analyst")
        clash = await api.client.patch(
            f"{BASE}/organizations/{network['id']}/members/{other['id']}", headers=admin,
            json={"role": "leader"})
        assert clash.status_code == 409 and clash.json()["code"] == "membership_exists"

        outsider = await api.user("outsider@example.org")
        assert (await api.client.delete(path, headers=outsider)).status_code == 403
        assert (await api.client.delete(path, headers=admin)).status_code == 204
        assert (await api.client.delete(path, headers=admin)).status_code == 404
        audit = (await api.client.get(f"{BASE}/audit", headers=admin, params={
            "organization_id": network["id"], "target_id": membership["id"]})).json()["items"]
        assert audit[0]["action"] == "membership.delete"  # newest first
        assert sorted(e["action"] for e in audit) == ["membership.create", "membership.delete",
                                                      "membership.update", "membership.update"]
        feed = (await api.client.get(f"{BASE}/feed", headers=await api.service_headers(),
                                     params={"limit": 1000})).json()["events"]
        assert [e["topic"] for e in feed if e["key"] == membership["id"]][-1] == (
            "membership.deleted")
