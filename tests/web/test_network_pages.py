"""Setting a network up in the pages, for its network admins: districts and schools with their
equity attributes, partners and their API keys (shown once, revoked, last used), memberships
with their dates beside the cohort leaders, and the audit log. Plain forms: POST then 303, or
422 with the errors beside their fields; others are refused."""

import re
from datetime import date

from tests.web.conftest import ADMIN, PASSWORD, api_post, bearer, person_with_account

IDENTITY = "/api/identity/v1"
HTMX = {"HX-Request": "true"}


async def _admin(visitor, network) -> str:
    await visitor.login("admin@web.test")
    return f"?network_id={network.id}"


class TestOrganizations:
    async def test_a_network_admin_adds_a_district_with_its_attributes_a_school_and_a_partner(
            self, stack, network, visitor):
        query = await _admin(visitor, network)
        page = await visitor.get(f"/network/organizations{query}")
        assert page.status_code == 200
        assert 'href="/network/organizations"' in page.text  # the nav link
        assert "Oakland Unified" in page.text and "Lincoln Elementary" in page.text

        key = re.search(r'name="idempotency_key" value="([^"]+)"', page.text).group(1)
        district = {"network_id": network.id, "kind": "district", "idempotency_key": key,
                    "district_name": "Fresno Unified", "district_county": "Fresno",
                    "district_frpl_pct": "88", "district_el_pct": "140",
                    "district_locale": "city"}
        refused = await visitor.post("/network/organizations", district, headers=HTMX)
        assert refused.status_code == 422
        assert 'id="district_el_pct-error"' in refused.text
        assert "from 0 to 100" in refused.text and 'value="Fresno Unified"' in refused.text

        added = await visitor.post("/network/organizations", {**district,
                                                              "district_el_pct": "31.5"})
        assert added.status_code == 303
        again = await visitor.post("/network/organizations", {**district,
                                                              "district_el_pct": "31.5"})
        assert again.status_code == 303  # a double submit does the work once
        root = bearer(await stack.token(*ADMIN))
        found = (await stack.client.get(f"{IDENTITY}/organizations", headers=root, params={
            "kind": "district", "q": "Fresno"})).json()["items"]
        assert [(d["county"], d["attributes"]) for d in found] == [
            ("Fresno", {"frpl_pct": 88, "el_pct": 31.5, "locale": "city"})]

        school = await visitor.post("/network/organizations", {
            "network_id": network.id, "kind": "school", "idempotency_key": "school-key-1",
            "school_name": "Roosevelt High", "school_parent_id": found[0]["id"],
            "school_frpl_pct": "92", "school_locale": ""})
        assert school.status_code == 303
        partner = await visitor.post("/network/organizations", {
            "network_id": network.id, "kind": "partner", "idempotency_key": "partner-key-1",
            "partner_name": "State University"})
        assert partner.status_code == 303
        page = await visitor.get(f"/network/organizations{query}")
        assert "Roosevelt High" in page.text and "FRPL 92%" in page.text
        assert re.search(r'href="/network/partners/[^"]+">State University</a>', page.text)

    async def test_a_name_taken_is_refused_beside_the_name(self, network, visitor):
        await _admin(visitor, network)
        await visitor.get(f"/network/organizations?network_id={network.id}")
        taken = await visitor.post("/network/organizations", {
            "network_id": network.id, "kind": "district", "idempotency_key": "district-key-2",
            "district_name": "Oakland Unified", "district_county": "Alameda",
            "district_locale": ""})
        assert taken.status_code == 422
        assert "already exists" in taken.text

    async def test_a_leader_or_another_networks_admin_is_refused(self, stack, network, visitor):
        await visitor.login("leader@web.test")
        for path in ("/network/organizations", "/network/memberships", "/network/audit"):
            assert (await visitor.get(f"{path}?network_id={network.id}")).status_code == 403
        page = await visitor.get("/")
        assert 'href="/network/organizations"' not in page.text


async def _partner(stack, network) -> dict:
    root = await stack.token(*ADMIN)
    return await api_post(stack, f"{IDENTITY}/organizations", root, json={
        "name": "Teachers Union", "kind": "partner", "parent_id": network.id})


class TestPartnerKeys:
    async def test_a_key_is_shown_once_used_then_revoked(self, stack, network, visitor):
        partner = await _partner(stack, network)
        await _admin(visitor, network)
        page = await visitor.get(f"/network/partners/{partner['id']}")
        assert page.status_code == 200 and "No keys yet" in page.text
        key = re.search(r'name="idempotency_key" value="([^"]+)"', page.text).group(1)
        created = await visitor.post(f"/network/partners/{partner['id']}/keys",
                                     {"idempotency_key": key})
        assert created.status_code == 200
        assert created.headers["cache-control"] == "no-store"
        secret = re.search(r'<code class="secret" id="new-key-value">(csk_[^<]+)</code>',
                           created.text).group(1)
        assert "shown this once" in created.text
        replay = await visitor.post(f"/network/partners/{partner['id']}/keys",
                                    {"idempotency_key": key})
        assert secret not in replay.text and "can no longer be shown" in replay.text

        listed = await visitor.get(f"/network/partners/{partner['id']}")
        assert secret not in listed.text and secret[:12] in listed.text
        assert "never" in listed.text
        exchanged = await stack.client.post(f"{IDENTITY}/token", data={
            "grant_type": "api_key", "api_key": secret})
        assert exchanged.status_code == 200
        listed = await visitor.get(f"/network/partners/{partner['id']}")
        assert "never" not in listed.text

        key_id = re.search(r'action="/network/partners/[^/]+/keys/([^/]+)/revoke"',
                           listed.text).group(1)
        revoked = await visitor.post(f"/network/partners/{partner['id']}/keys/{key_id}/revoke")
        assert revoked.status_code == 303
        assert "revoked" in (await visitor.get(f"/network/partners/{partner['id']}")).text
        refused = await stack.client.post(f"{IDENTITY}/token", data={
            "grant_type": "api_key", "api_key": secret})
        assert refused.status_code == 401


class TestMemberships:
    async def test_grant_change_and_end_a_role_with_its_dates(self, stack, network, visitor):
        query = await _admin(visitor, network)
        page = await visitor.get(f"/network/memberships{query}")
        assert page.status_code == 200
        assert "Maria Lopez" in page.text and "Ana Network" in page.text

        grant = {"network_id": network.id, "idempotency_key": "grant-key-01",
                 "email": "teacher0@web.test", "role": "analyst", "starts_on": "2026-07-01",
                 "ends_on": "2026-06-30"}
        backwards = await visitor.post("/network/memberships", grant, headers=HTMX)
        assert backwards.status_code == 422 and 'id="ends_on-error"' in backwards.text
        unknown = await visitor.post("/network/memberships",
                                     {**grant, "email": "nobody@web.test", "ends_on": ""})
        assert unknown.status_code == 422 and "No one with this email" in unknown.text
        granted = await visitor.post("/network/memberships", {**grant, "ends_on": ""})
        assert granted.status_code == 303
        assert (await visitor.post("/network/memberships", {**grant, "ends_on": ""})
                ).status_code == 303  # the same form again: granted once

        root = bearer(await stack.token(*ADMIN))
        members = (await stack.client.get(f"{IDENTITY}/organizations/{network.id}/members",
                                          headers=root, params={"role": "analyst"})).json()
        [analyst] = members["items"]
        assert (analyst["person_id"], analyst["starts_on"], analyst["ends_on"]) == (
            network.teachers[0]["id"], "2026-07-01", None)

        edit = await visitor.get(f"/network/memberships/{analyst['id']}{query}")
        assert edit.status_code == 200 and 'value="2026-07-01"' in edit.text
        change = {"network_id": network.id, "idempotency_key": "change-key-1",
                  "role": "coordinator", "starts_on": "2026-07-01", "ends_on": "2026-01-01"}
        wrong = await visitor.post(f"/network/memberships/{analyst['id']}", change)
        assert wrong.status_code == 422 and "cannot end before it starts" in wrong.text
        changed = await visitor.post(f"/network/memberships/{analyst['id']}",
                                     {**change, "ends_on": "2027-06-30"})
        assert changed.status_code == 303
        now = (await stack.client.get(f"{IDENTITY}/organizations/{network.id}/members",
                                      headers=root, params={"role": "coordinator"})).json()
        assert [(m["id"], m["ends_on"]) for m in now["items"]] == [(analyst["id"], "2027-06-30")]

        leader = (await stack.client.get(f"{IDENTITY}/organizations/{network.id}/members",
                                         headers=root, params={"role": "leader"})).json()
        ended = await visitor.post(f"/network/memberships/{leader['items'][0]['id']}", {
            "network_id": network.id, "idempotency_key": "end-key-001", "end_today": "1"})
        assert ended.status_code == 303
        leader = (await stack.client.get(f"{IDENTITY}/organizations/{network.id}/members",
                                         headers=root, params={"role": "leader"})).json()
        assert leader["items"][0]["ends_on"] == date.today().isoformat()  # holds through today

    async def test_a_cohort_leader_is_listed_with_the_cohort_that_made_them_one(
            self, stack, network, visitor):
        root = await stack.token(*ADMIN)
        program = await api_post(stack, "/api/scheduling/v1/programs", root, json={
            "network_id": network.id, "name": "Phase 2", "starts_on": "2025-07-01",
            "ends_on": "2027-06-30"})
        await api_post(stack, f"/api/scheduling/v1/programs/{program['id']}/cohort", root,
                       json={"person_id": network.teachers[1]["id"], "program_year": "2026-27"})
        query = await _admin(visitor, network)
        page = await visitor.get(f"/network/memberships{query}")
        row = re.search(r"<tr id=\"membership_[^\"]+\">\s*<th scope=\"row\">Teacher 1</th>.*?</tr>",
                        page.text, re.S).group(0)
        assert "Leader" in row and "Cohort of Phase 2, 2026-27" in row
        assert "1 July 2026" in row and "30 June 2027" in row


class TestAuditLog:
    async def test_the_log_filters_and_refuses_a_bad_day_beside_its_field(self, stack, network,
                                                                          visitor):
        query = await _admin(visitor, network)
        page = await visitor.get(f"/network/audit{query}")
        assert page.status_code == 200 and "membership.create" in page.text
        # Who made the network's people and roles reads as a name, not a token subject.
        assert '<span class="actor-name">Platform admin</span>' in page.text
        only = await visitor.get(f"/network/audit{query}&action=api_key")
        assert "membership.create" not in only.text and "Nothing in the log matches" in only.text
        bad = await visitor.get(f"/network/audit{query}&from=not-a-day")
        assert bad.status_code == 422 and 'id="from-error"' in bad.text

    async def test_another_networks_admin_cannot_read_it(self, stack, network, visitor):
        root = await stack.token(*ADMIN)
        other = await api_post(stack, f"{IDENTITY}/organizations", root,
                               json={"name": "Valley Network", "kind": "network"})
        await api_post(stack, f"{IDENTITY}/organizations/{other['id']}/members", root,
                       json={"person_id": network.teachers[2]["id"], "role": "network_admin"})
        await visitor.login("teacher2@web.test")
        assert (await visitor.get(f"/network/audit?network_id={network.id}")).status_code == 403
        own = await visitor.get("/network/audit")
        assert own.status_code == 200 and "Valley Network" in own.text
        # The page refuses before asking identity; asked directly, identity refuses and audits.
        stranger = bearer(await stack.token("teacher2@web.test", PASSWORD))
        asked = await stack.client.get(f"{IDENTITY}/audit", headers=stranger,
                                       params={"organization_id": network.id})
        assert asked.status_code == 403
        # The refused attempt is in this network's log, for its admins to see, and filters.
        query = await _admin(visitor, network)
        refused = await visitor.get(f"/network/audit{query}&denied=on")
        assert refused.status_code == 200
        assert "audit_entries.list.denied" in refused.text
        assert "<mark>refused</mark>" in refused.text
        # Who tried it by name, their subject beneath linking to their entries; what they tried
        # as the request line.
        row = re.search(r"<tr>((?:(?!</tr>).)*audit_entries\.list\.denied.*?)</tr>", refused.text,
                        re.S).group(1)
        assert '<span class="actor-name">Teacher 2</span>' in row
        subject = re.search(r'actor=([0-9a-z]{26})[^>]*>([0-9a-z]{26})</a>', row)
        assert subject and subject.group(1) == subject.group(2)
        assert '<small class="attempt">GET /api/identity/v1/audit</small>' in row
        assert "method:" not in row and "path:" not in row
        assert "membership.create<" not in refused.text  # changes are left out


class TestCohortLeadersOnTheProgramPage:
    async def test_a_coordinator_adding_a_leader_is_told_beside_the_role(self, stack, network,
                                                                        visitor):
        root = await stack.token(*ADMIN)
        coordinator = await person_with_account(stack, root, "coord@web.test", "Cory Coord")
        await api_post(stack, f"{IDENTITY}/organizations/{network.id}/members", root,
                       json={"person_id": coordinator["id"], "role": "coordinator"})
        program = await api_post(stack, "/api/scheduling/v1/programs", root, json={
            "network_id": network.id, "name": "Phase 2", "starts_on": "2025-07-01",
            "ends_on": "2027-06-30"})
        await visitor.login("coord@web.test")
        await visitor.get(f"/programs/{program['id']}")
        form = {"idempotency_key": "cohort-key-01", "email": "teacher0@web.test",
                "program_year": "2026-27"}
        leader = await visitor.post(f"/programs/{program['id']}/cohort",
                                    {**form, "role": "leader"})
        assert leader.status_code == 422
        assert 'id="role-error"' in leader.text and "Only the network&#39;s admins" in leader.text
        coach = await visitor.post(f"/programs/{program['id']}/cohort",
                                   {**form, "role": "coach", "idempotency_key": "cohort-key-02"})
        assert coach.status_code == 303
