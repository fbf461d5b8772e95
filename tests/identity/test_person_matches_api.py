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
