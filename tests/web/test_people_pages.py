"""People pages for network admins (and platform admins): search the people of their networks,
view one and change them (audited); where a person works is changed only by the admins of the
person's network. Plain forms: POST then 303, 422 with the error beside its field, CSRF."""

import re

from tests.web.conftest import ADMIN, api_post, bearer, person_with_account

IDENTITY = "/api/identity/v1"
HTMX = {"HX-Request": "true"}


async def read_person(stack, person_id: str) -> dict:
    root = await stack.token(*ADMIN)
    response = await stack.client.get(f"{IDENTITY}/people/{person_id}", headers=bearer(root))
    assert response.status_code == 200, response.text
    return response.json()


async def outsider(stack) -> dict:
    """A teacher of no organization of the Bay network (created by the platform admin)."""
    root = await stack.token(*ADMIN)
    return await api_post(stack, f"{IDENTITY}/people", root, json={
        "email": "far.away@web.test", "full_name": "Far Away", "role": "teacher",
        "district": "Fresno Unified", "county": "Fresno"})


class TestSearch:
    async def test_a_network_admin_finds_the_people_of_their_network_only(
            self, stack, network, visitor):
        await outsider(stack)
        await visitor.login("admin@web.test")
        home = await visitor.get("/")
        assert 'href="/people"' in home.text
        page = await visitor.get("/people")
        assert page.status_code == 200
        assert page.headers["cache-control"] == "no-store"
        assert "Teacher 0" in page.text and "Maria Lopez" in page.text
        assert "Far Away" not in page.text
        found = await visitor.get("/people", params={"q": "teacher1"})
        assert "teacher1@web.test" in found.text and "teacher0@web.test" not in found.text
        nobody = await visitor.get("/people", params={"q": "far.away"})
        assert "No one of your networks matches" in nobody.text

    async def test_leaders_have_no_people_pages(self, stack, network, visitor):
        await visitor.login("leader@web.test")
        assert 'href="/people"' not in (await visitor.get("/")).text
        assert (await visitor.get("/people")).status_code == 403
        assert (await visitor.get(f"/people/{network.teachers[0]['id']}")).status_code == 403

    async def test_a_person_of_another_network_is_not_found(self, stack, network, visitor):
        far = await outsider(stack)
        await visitor.login("admin@web.test")
        assert (await visitor.get(f"/people/{far['id']}")).status_code == 404
        assert (await visitor.post(f"/people/{far['id']}", {
            "full_name": "Taken", "role": "teacher"})).status_code == 404
        assert (await read_person(stack, far["id"]))["full_name"] == "Far Away"


class TestEdit:
    async def test_renaming_redirects_and_is_kept(self, stack, network, visitor):
        teacher = network.teachers[0]
        await visitor.login("admin@web.test")
        page = await visitor.get(f"/people/{teacher['id']}")
        assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
        assert 'value="Lincoln Elementary"' in page.text
        saved = await visitor.post(f"/people/{teacher['id']}", {
            "full_name": "Teresa Zero", "role": "coach_tosa", "school": "Lincoln Elementary",
            "district": "Oakland Unified", "county": "Alameda"})
        assert saved.status_code == 303
        assert saved.headers["location"] == f"/people/{teacher['id']}"
        person = await read_person(stack, teacher["id"])
        assert (person["full_name"], person["role"]) == ("Teresa Zero", "coach_tosa")
        assert person["district_id"] == network.district_id  # unchanged place, not re-resolved
        shown = await visitor.get(f"/people/{teacher['id']}")
        assert "Teresa Zero is saved." in shown.text

    async def test_a_blank_name_is_an_error_beside_the_field(self, stack, network, visitor):
        teacher = network.teachers[0]
        await visitor.login("admin@web.test")
        await visitor.get(f"/people/{teacher['id']}")
        refused = await visitor.post(f"/people/{teacher['id']}", {
            "full_name": " ", "role": "teacher", "county": "Alameda",
            "school": "Lincoln Elementary", "district": "Oakland Unified"})
        assert refused.status_code == 422
        assert re.search(r'id="full_name"[^>]*aria-invalid="true"', refused.text)
        assert "<html" in refused.text  # without JavaScript, the whole page comes back
        fragment = await visitor.post(f"/people/{teacher['id']}", {
            "full_name": "x" * 201, "role": "teacher"},
            headers={**HTMX, "HX-Target": "person_form"})
        assert fragment.status_code == 422
        assert "<html" not in fragment.text and 'id="person_form"' in fragment.text

    async def test_a_network_admin_moves_a_person_of_their_network(self, stack, network,
                                                                    visitor):
        teacher = network.teachers[1]
        root = await stack.token(*ADMIN)
        berkeley = await api_post(stack, f"{IDENTITY}/organizations", root, json={
            "name": "Berkeley Unified", "kind": "district", "county": "Alameda"})
        await visitor.login("admin@web.test")
        await visitor.get(f"/people/{teacher['id']}")
        moved = await visitor.post(f"/people/{teacher['id']}", {
            "full_name": "Teacher 1", "role": "teacher", "district": "Berkeley Unified",
            "school": "", "county": "Alameda"})
        assert moved.status_code == 303, moved.text
        assert (await read_person(stack, teacher["id"]))["district_id"] == berkeley["id"]
        entries = (await stack.client.get(f"{IDENTITY}/audit", headers=bearer(root), params={
            "limit": 200})).json()["items"]
        [entry] = [e for e in entries if e["action"] == "person.update"
                   and e["target_id"] == teacher["id"]]
        assert entry["details"]["before"]["district_id"] == network.district_id
        assert entry["details"]["after"]["district_id"] == berkeley["id"]

    async def test_moving_someone_seen_only_as_their_districts_is_refused_beside_the_field(
            self, stack, network, visitor):
        # A Bay network admin who also coordinates Fresno sees Fresno's teachers, but moving
        # one is for the admins of that teacher's own network.
        far = await outsider(stack)
        root = await stack.token(*ADMIN)
        fresno = far["district_id"]
        both = await person_with_account(stack, root, "both@web.test", "Bo Both")
        for organization_id, role in ((network.id, "network_admin"), (fresno, "coordinator")):
            await api_post(stack, f"{IDENTITY}/organizations/{organization_id}/members", root,
                           json={"person_id": both["id"], "role": role})
        await visitor.login("both@web.test", "teacher-password")
        assert (await visitor.get(f"/people/{far['id']}")).status_code == 200
        refused = await visitor.post(f"/people/{far['id']}", {
            "full_name": "Far Away", "role": "teacher", "district": "Oakland Unified",
            "school": "", "county": "Alameda"})
        assert refused.status_code == 422
        assert re.search(r'id="district"[^>]*aria-invalid="true"', refused.text)
        assert (await read_person(stack, far["id"]))["district_id"] == fresno

    async def test_a_post_without_the_csrf_token_is_refused(self, stack, network, visitor):
        teacher = network.teachers[0]
        await visitor.login("admin@web.test")
        response = await visitor.client.post(f"/people/{teacher['id']}", data={
            "full_name": "No Token", "role": "teacher"})
        assert response.status_code == 403
        assert (await read_person(stack, teacher["id"]))["full_name"] == "Teacher 0"
