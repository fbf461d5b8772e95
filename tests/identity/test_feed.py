import jwt

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
        # Neither the name nor the email is anywhere in the feed (ids are random, so look at the
        # values, not at the whole text, where "ana" may be part of an id).
        def values(node):
            if isinstance(node, dict):
                return [v for item in node.values() for v in values(item)]
            if isinstance(node, list):
                return [v for item in node for v in values(item)]
            return [node]
        strings = [v for v in values(events) if isinstance(v, str)]
        assert not [v for v in strings if "Reyes" in v or "ana@example.org" in v.lower()]
        # The district and school created along the way are announced too.
        organizations = {e["payload"]["kind"] for e in events
                         if e["topic"] == "organization.created"}
        assert organizations == {"district", "school"}

    async def test_mail_is_in_the_feed_for_scheduling_alone(self, api):
        network = await api.organization("Golden State Network", "network")
        await api.client.post(f"{BASE}/accounts", json={
            "email": "ana@example.org", "password": "a long password", "full_name": "Ana Reyes"})
        await api.post(f"/organizations/{network['id']}/invitations", await api.admin(),
                       {"email": "ana@example.org", "role": "leader"})
        await api.client.post(f"{BASE}/password-resets", json={"email": "root@example.org"})
        for_reach = await api.client.get(f"{BASE}/feed", headers=await api.service_headers())
        assert "mail.requested" not in {e["topic"] for e in for_reach.json()["events"]}
        assert "ana" not in for_reach.text.lower() and "/verify/" not in for_reach.text
        for_scheduling = await api.client.get(
            f"{BASE}/feed", headers=await api.service_headers("scheduling"))
        mail = [e for e in for_scheduling.json()["events"] if e["topic"] == "mail.requested"]
        assert [e["payload"]["to_email"] for e in mail] == [
            "ana@example.org", "ana@example.org", "root@example.org"]


class TestEvidencesToken:
    """Evidence's token named identity and scheduling in its audience, so it read identity's
    feed (people's places and roles) and its people: all it needs of identity is the list of
    ended sessions (the review of hole 9)."""

    async def test_is_for_identity_alone_and_reads_only_the_ended_sessions(self, api):
        await api.person("ana@example.org")
        headers = await api.service_headers("evidence")
        claims = jwt.decode(headers["Authorization"].split()[1],
                            options={"verify_signature": False})
        assert claims["aud"] == ["identity"]
        feed = await api.client.get(f"{BASE}/feed", headers=headers)
        assert feed.status_code == 403
        assert feed.headers["content-type"] == "application/problem+json"
        people = await api.client.get(f"{BASE}/people", headers=headers,
                                      params={"email": "ana@example.org"})
        assert people.status_code == 403
        ended = await api.client.get(f"{BASE}/sessions/revoked", headers=headers)
        assert ended.status_code == 200

    async def test_the_feeds_readers_still_read_it(self, api):
        for client in ("reach", "scheduling"):
            feed = await api.client.get(f"{BASE}/feed", headers=await api.service_headers(client))
            assert feed.status_code == 200, client
        admin = await api.client.get(f"{BASE}/feed", headers=await api.admin())
        assert admin.status_code == 200
