"""POST /people/matches: sign-in sheet people matched or created for a network (hole 6).

A facilitator (often an ordinary teacher) acts through scheduling's service token plus
Cascade-Acting-User; identity verifies that token too, audits as the user, and lets only the
network's staff create (unverified) schools and districts."""

from tests.identity.conftest import BASE

LINE = {"email": "new.teacher@example.org", "full_name": "New Teacher", "role": "teacher",
        "school": "Nowhere Elementary", "district": "Nowhere Unified", "county": "Inyo"}


async def _setup(api):
    network = await api.organization("Golden State Network", "network")
    facilitator = await api.user("coach@example.org")  # no role anywhere: a teacher
    coordinator = await api.user("coord@example.org", organization_id=network["id"],
                                 role="coordinator")
    return network, facilitator, coordinator


def _acting(service: dict[str, str], user: dict[str, str]) -> dict[str, str]:
    return {**service, "Cascade-Acting-User": user["Authorization"].removeprefix("Bearer ")}


async def _organizations(api, kind: str) -> list[str]:
    response = await api.client.get(f"{BASE}/organizations", headers=await api.admin(),
                                    params={"kind": kind})
    return [o["name"] for o in response.json()["items"]]


async def _audit(api, network_id: str) -> list[dict]:
    response = await api.client.get(f"{BASE}/audit", headers=await api.admin(),
                                    params={"organization_id": network_id})
    return response.json()["items"]


class TestFacilitatorThroughService:
    async def test_creates_the_person_but_no_organization(self, api):
        network, facilitator, _ = await _setup(api)
        response = await api.client.post(
            f"{BASE}/people/matches", json={"network_id": network["id"], **LINE},
            headers=_acting(await api.service_headers("scheduling"), facilitator))
        assert response.status_code == 201, response.text
        assert set(response.json()) == {"id", "created"} and response.json()["created"] is True
        person = (await api.client.get(f"{BASE}/people/{response.json()['id']}",
                                       headers=await api.admin())).json()
        assert person["email"] == LINE["email"]
        assert (person["school_id"], person["district_id"]) == (None, None)
        assert await _organizations(api, "district") == []
        assert await _organizations(api, "school") == []

    async def test_existing_names_still_resolve_and_the_user_is_audited(self, api):
        network, facilitator, _ = await _setup(api)
        district = await api.organization("Nowhere Unified", "district", county="Inyo")
        response = await api.client.post(
            f"{BASE}/people/matches", json={"network_id": network["id"], **LINE},
            headers=_acting(await api.service_headers("scheduling"), facilitator))
        person = (await api.client.get(f"{BASE}/people/{response.json()['id']}",
                                       headers=await api.admin())).json()
        assert person["district_id"] == district["id"] and person["school_id"] is None
        me = (await api.client.get(f"{BASE}/me", headers=facilitator)).json()
        [entry] = [e for e in await _audit(api, network["id"]) if e["action"] == "person.create"]
        assert entry["actor_subject"] == me["account_id"]
        assert entry["details"]["via"] == "service:scheduling"

    async def test_an_existing_email_is_matched_with_200_and_nothing_else(self, api):
        network, facilitator, _ = await _setup(api)
        existing = await api.person("NEW.teacher@example.org", full_name="Known Name")
        response = await api.client.post(
            f"{BASE}/people/matches", json={"network_id": network["id"], **LINE},
            headers=_acting(await api.service_headers("scheduling"), facilitator))
        assert response.status_code == 200
        assert response.json() == {"id": existing["id"], "created": False}

    async def test_the_service_alone_acts_for_no_one(self, api):
        network, _, _ = await _setup(api)
        response = await api.client.post(f"{BASE}/people/matches",
                                          json={"network_id": network["id"], **LINE},
                                          headers=await api.service_headers("scheduling"))
        assert response.status_code == 403
        assert response.headers["content-type"] == "application/problem+json"

    async def test_the_acting_token_is_verified_like_any_token(self, api):
        network, facilitator, _ = await _setup(api)
        token = facilitator["Authorization"].removeprefix("Bearer ")
        tampered = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
        for bad in (tampered, "not-a-token"):
            response = await api.client.post(
                f"{BASE}/people/matches", json={"network_id": network["id"], **LINE},
                headers={**await api.service_headers("scheduling"), "Cascade-Acting-User": bad})
            assert response.status_code == 401, (bad, response.text)
        assert (await api.client.get(f"{BASE}/people", headers=await api.admin(),
                                     params={"email": LINE["email"]})).json()["items"] == []


class TestStaffAndStrangers:
    async def test_staff_through_the_service_may_create_unverified_places(self, api):
        network, _, coordinator = await _setup(api)
        response = await api.client.post(
            f"{BASE}/people/matches", json={"network_id": network["id"], **LINE},
            headers=_acting(await api.service_headers("scheduling"), coordinator))
        assert response.status_code == 201
        assert await _organizations(api, "district") == ["Nowhere Unified"]
        assert await _organizations(api, "school") == ["Nowhere Elementary"]

    async def test_staff_may_call_directly(self, api):
        network, _, coordinator = await _setup(api)
        response = await api.client.post(f"{BASE}/people/matches",
                                          json={"network_id": network["id"], **LINE},
                                          headers=coordinator)
        assert response.status_code == 201
        assert await _organizations(api, "district") == ["Nowhere Unified"]

    async def test_a_caller_with_no_role_in_the_network_is_refused(self, api):
        network, facilitator, _ = await _setup(api)
        other = await api.organization("Other Network", "network")
        outsider = await api.user("outsider@example.org", organization_id=other["id"],
                                  role="network_admin")
        for headers in (facilitator, outsider):
            response = await api.client.post(f"{BASE}/people/matches",
                                              json={"network_id": network["id"], **LINE},
                                              headers=headers)
            assert response.status_code == 403
        assert (await api.client.get(f"{BASE}/people", headers=await api.admin(),
                                     params={"email": LINE["email"]})).json()["items"] == []

    async def test_bad_lines_are_422_problems(self, api):
        network, _, coordinator = await _setup(api)
        response = await api.client.post(f"{BASE}/people/matches", headers=coordinator, json={
            "network_id": network["id"], **LINE, "email": "not an email"})
        assert response.status_code == 422
        assert response.json()["code"] == "invalid_input"


def _line(n: int, **fields) -> dict:
    return {"email": f"teacher{n}@example.org", "full_name": f"Teacher {n}", "role": "teacher",
            **fields}


class TestBatch:
    """POST /people/matches:batch: a whole sign-in sheet in one call, answered per line."""

    URL = f"{BASE}/people/matches:batch"

    async def _send(self, api, items, headers, key="sheet-1"):
        return await api.client.post(self.URL, json=items,
                                     headers={**headers, "Idempotency-Key": key})

    async def test_matches_creates_and_reports_each_line_in_order(self, api):
        network, facilitator, _ = await _setup(api)
        existing = await api.person("teacher1@example.org", full_name="Known Name")
        items = [{"network_id": network["id"], **_line(0)},
                 {"network_id": network["id"], **_line(1)},
                 {"network_id": network["id"], **_line(2, email="not-an-email")},
                 {"network_id": network["id"], **_line(3, role="wizard")},
                 {"network_id": network["id"], **_line(0, full_name="Same Email Again")}]

        response = await self._send(api, items,
                                    _acting(await api.service_headers("scheduling"), facilitator))

        assert response.status_code == 200, response.text
        body = response.json()
        assert [a["status"] for a in body["items"]] == [
            "created", "matched", "error", "error", "matched"]
        assert (body["created"], body["matched"], body["errors"]) == (1, 2, 2)
        assert body["items"][1]["id"] == existing["id"]
        assert body["items"][4]["id"] == body["items"][0]["id"]
        assert "email" in body["items"][2]["message"] and "role" in body["items"][3]["message"]
        assert body["items"][2]["id"] is None
        created = (await api.client.get(f"{BASE}/people/{body['items'][0]['id']}",
                                        headers=await api.admin())).json()
        assert (created["email"], created["full_name"]) == ("teacher0@example.org", "Teacher 0")
        # Audited per person as the facilitator, as a single match is.
        actions = sorted(e["action"] for e in await _audit(api, network["id"])
                         if e["action"] in ("person.create", "person.match"))
        assert actions == ["person.create", "person.match", "person.match"]

    async def test_staff_create_places_once_for_the_whole_batch(self, api):
        network, _, coordinator = await _setup(api)
        place = {"school": "Nowhere Elementary", "district": "Nowhere Unified", "county": "Inyo"}
        items = [{"network_id": network["id"], **_line(n, **place)} for n in range(3)]
        response = await self._send(api, items, coordinator)
        assert response.status_code == 200, response.text
        assert [a["status"] for a in response.json()["items"]] == ["created"] * 3
        assert await _organizations(api, "district") == ["Nowhere Unified"]
        assert await _organizations(api, "school") == ["Nowhere Elementary"]
        people = await api.client.get(f"{BASE}/people", headers=coordinator,
                                      params={"q": "@example.org", "limit": 200})
        assert {p["email"] for p in people.json()["items"]} >= {
            "teacher0@example.org", "teacher1@example.org", "teacher2@example.org"}

    async def test_a_batch_finds_places_by_name_and_creates_only_new_ones(self, api):
        network, _, coordinator = await _setup(api)
        fresno = await api.organization("Fresno Unified", "district", county="Fresno")
        kern = await api.organization("Kern Unified", "district", county="Kern")
        lincolns = [await api.organization("Lincoln Elementary", "school",
                                           parent_id=d["id"]) for d in (fresno, kern)]
        places = [("lincoln elementary", "FRESNO UNIFIED", None),
                  ("Lincoln  Elementary", "Kern Unified", None),
                  ("New School", "Fresno Unified", None),
                  ("Other New", "Brand New District", "Inyo"),
                  ("Third New", "brand new district", "Inyo")]
        items = [{"network_id": network["id"],
                  **_line(n, school=school, district=district, county=county)}
                 for n, (school, district, county) in enumerate(places)]
        response = await self._send(api, items, coordinator)
        assert response.status_code == 200, response.text
        people = [(await api.client.get(f"{BASE}/people/{a['id']}", headers=coordinator)).json()
                  for a in response.json()["items"]]
        assert sorted(await _organizations(api, "district")) == [
            "Brand New District", "Fresno Unified", "Kern Unified"]
        assert sorted(await _organizations(api, "school")) == [
            "Lincoln Elementary", "Lincoln Elementary", "New School", "Other New", "Third New"]
        assert [(p["school_id"], p["district_id"]) for p in people[:2]] == [
            (lincolns[0]["id"], fresno["id"]), (lincolns[1]["id"], kern["id"])]
        assert people[2]["district_id"] == fresno["id"]
        assert people[2]["school_id"] not in {lincolns[0]["id"], lincolns[1]["id"], None}
        assert people[3]["district_id"] == people[4]["district_id"] not in {
            fresno["id"], kern["id"], None}

    async def test_a_retry_with_the_same_key_gets_the_first_answer(self, api):
        network, _, coordinator = await _setup(api)
        items = [{"network_id": network["id"], **_line(n)} for n in range(2)]
        first = await self._send(api, items, coordinator)
        again = await self._send(api, items, coordinator)
        assert again.status_code == 200 and again.headers["Idempotent-Replayed"] == "true"
        assert again.json() == first.json()
        assert [a["status"] for a in again.json()["items"]] == ["created", "created"]
        other = await self._send(api, items[:1], coordinator)
        assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"
        # A new key is a new request: the people are matched now.
        fresh = await self._send(api, items, coordinator, key="sheet-2")
        assert [a["status"] for a in fresh.json()["items"]] == ["matched", "matched"]

    async def test_the_key_is_required_and_the_batch_is_bounded(self, api):
        network, _, coordinator = await _setup(api)
        items = [{"network_id": network["id"], **_line(0)}]
        missing = await api.client.post(self.URL, json=items, headers=coordinator)
        assert missing.status_code == 422
        assert missing.headers["content-type"].startswith("application/problem+json")
        assert "idempotency-key" in missing.text.lower()
        too_many = [{"network_id": network["id"], **_line(n)} for n in range(1001)]
        assert (await self._send(api, too_many, coordinator)).status_code == 422
        assert (await self._send(api, [], coordinator, key="k-2")).status_code == 422
        # Nothing was created by the refused requests.
        people = await api.client.get(f"{BASE}/people", headers=await api.admin(),
                                      params={"email": "teacher0@example.org"})
        assert people.json()["items"] == []

    async def test_refused_as_the_single_route_is_and_nothing_is_done(self, api):
        network, facilitator, coordinator = await _setup(api)
        other = await api.organization("Other Network", "network")
        items = [{"network_id": network["id"], **_line(0)}]
        # A teacher calling directly, the service acting for no one: 403.
        assert (await self._send(api, items, facilitator)).status_code == 403
        assert (await self._send(api, items, await api.service_headers("scheduling"),
                                 key="k-2")).status_code == 403
        # One line for a network the coordinator is not staff of refuses the whole batch.
        mixed = [*items, {"network_id": other["id"], **_line(1)}]
        assert (await self._send(api, mixed, coordinator, key="k-3")).status_code == 403
        people = await api.client.get(f"{BASE}/people", headers=await api.admin(),
                                      params={"q": "teacher", "limit": 200})
        assert [p for p in people.json()["items"] if p["email"].startswith("teacher")] == []
        assert (await self._send(api, [{"network_id": "nope", **_line(0)}], coordinator,
                                 key="k-4")).status_code in (403, 404)
