"""An event may belong to one of its network's programs: set on create, changed or cleared on
update, shown on the event, filterable, and published on the feed."""

from tests.scheduling.conftest import API, Scheduling, problem

PROGRAM = {"name": "Phase 2", "starts_on": "2025-07-01", "ends_on": "2028-06-30"}


async def program_of(api: Scheduling, network: str | None = None, name: str = "Phase 2") -> dict:
    network = network or api.network
    admin = api.person(roles={network: ["network_admin"]})
    response = await api.client.post(f"{API}/programs", headers=admin,
                                      json={"network_id": network, **PROGRAM, "name": name})
    assert response.status_code == 201, response.text
    return response.json()


class TestEventsInPrograms:
    async def test_an_event_created_in_a_program_shows_it_and_publishes_it(self, api, client):
        program = await program_of(api)
        event = await api.event(program_id=program["id"])
        assert event["program_id"] == program["id"]
        again = (await client.get(f"{API}/events/{event['id']}")).json()
        assert again["program_id"] == program["id"]
        [created] = [e for e in await api.feed() if e["topic"] == "event.created"]
        assert created["payload"]["program_id"] == program["id"]

    async def test_events_are_filtered_by_program(self, api, client):
        phase2, phase3 = await program_of(api), await program_of(api, name="Phase 3")
        in_two = await api.event(title="In phase 2", program_id=phase2["id"])
        await api.event(title="In phase 3", program_id=phase3["id"])
        await api.event(title="In none")
        listed = await client.get(f"{API}/events", params={"program_id": phase2["id"]})
        assert [e["id"] for e in listed.json()["items"]] == [in_two["id"]]

    async def test_an_update_moves_an_event_into_a_program_and_out_again(self, api, client):
        program = await program_of(api)
        event = await api.event()
        assert event["program_id"] is None
        moved = await client.patch(f"{API}/events/{event['id']}", headers=api.leader,
                                   json={"program_id": program["id"]})
        assert moved.status_code == 200, moved.text
        assert moved.json()["program_id"] == program["id"]
        [updated] = [e for e in await api.feed() if e["topic"] == "event.updated"]
        assert updated["payload"]["program_id"] == program["id"]
        cleared = await client.patch(f"{API}/events/{event['id']}", headers=api.leader,
                                     json={"program_id": None})
        assert cleared.json()["program_id"] is None

    async def test_a_program_of_another_network_or_none_at_all_is_refused(self, api, client):
        other = await program_of(api, network=api.network_of("net-elsewhere"))
        body = {"network_id": api.network, "kind": "webinar", "title": "Sneaky", "grade_min": "K",
                "grade_max": "2", "timezone": "UTC"}
        for program_id in (other["id"], "01NOSUCHPROGRAM"):
            refused = await client.post(f"{API}/events", headers=api.leader,
                                        json={**body, "program_id": program_id})
            assert problem(refused, 422)["code"] == "program_not_in_network"
        event = await api.event()
        refused = await client.patch(f"{API}/events/{event['id']}", headers=api.leader,
                                     json={"program_id": other["id"]})
        assert problem(refused, 422)["code"] == "program_not_in_network"
        # Nothing half-written: no event was created and the event is still in no program.
        listed = await client.get(f"{API}/events", params={"network_id": api.network},
                                  headers=api.leader)
        assert [e["title"] for e in listed.json()["items"]] == ["Argument writing"]
        assert (await client.get(f"{API}/events/{event['id']}")).json()["program_id"] is None
