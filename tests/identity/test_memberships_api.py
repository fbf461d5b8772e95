from datetime import datetime

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
        assert [e["target_id"] for e in audit["items"]
                if e["action"] == "membership.create.denied"] == [person["id"]]
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
