from tests.identity.conftest import BASE


class TestFeed:
    async def test_the_feed_carries_people_without_names_or_emails(self, api):
        person = await api.person("ana@example.org", full_name="Ana Reyes",
                                  school="Lincoln Elementary", district="Oakland Unified",
                                  county="Alameda")
        response = await api.client.get(f"{BASE}/feed", headers=await api.service_headers())
        assert response.status_code == 200
        events = response.json()["events"]
        created = [e for e in events
                   if e["topic"] == "person.created" and e["key"] == person["id"]]
        assert len(created) == 1
        payload = created[0]["payload"]
        assert payload == {"id": person["id"], "role": "teacher",
                           "school_id": person["school_id"],
                           "district_id": person["district_id"], "county": "Alameda"}
        assert "ana" not in response.text.lower()
        # The district and school created along the way are announced too.
        organizations = {e["payload"]["kind"] for e in events
                         if e["topic"] == "organization.created"}
        assert organizations == {"district", "school"}
