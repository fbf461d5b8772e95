import hashlib
from datetime import datetime, timedelta

import jwt
import pytest
from sqlmodel import select

from services.identity.api_keys.models import ApiKey
from shared.errors import Unauthorized
from tests.identity.conftest import BASE


async def _partner(api) -> tuple[dict, dict]:
    network = await api.organization("Golden State Network", "network")
    partner = await api.organization("Teachers Union", "partner", parent_id=network["id"])
    return network, partner


class TestApiKeys:
    async def test_a_key_is_shown_once_stored_hashed_and_exchanged_for_a_partner_token(
            self, api, identity_app):
        network, partner = await _partner(api)
        admin = await api.user("netadmin@example.org", organization_id=network["id"],
                               role="network_admin")
        created = await api.post(f"/organizations/{partner['id']}/api-keys", admin, {})
        key = created["key"]
        assert key.startswith("csk_") and created["prefix"] == key[:12]

        listed = await api.client.get(f"{BASE}/organizations/{partner['id']}/api-keys",
                                      headers=admin)
        assert listed.status_code == 200
        assert [item["id"] for item in listed.json()["items"]] == [created["id"]]
        assert key not in listed.text
        async with identity_app.state.sessions() as db:
            stored = (await db.exec(select(ApiKey))).one()
        assert stored.key_hash == hashlib.sha256(key.encode()).hexdigest()

        response = await api.client.post(f"{BASE}/token", data={"grant_type": "api_key",
                                                                 "api_key": key})
        assert response.status_code == 200
        assert response.json()["expires_in"] == 300
        principal = await api.verifier("reach").verify(response.json()["access_token"])
        assert principal.kind == "partner" and principal.organization_id == partner["id"]
        with pytest.raises(Unauthorized):  # a partner token is for reach alone
            await identity_app.state.verifier.verify(response.json()["access_token"])
        claims = jwt.decode(response.json()["access_token"], options={"verify_signature": False})
        assert claims["networks"] == [network["id"]] and claims["sub"] == f"apikey:{created['id']}"

    async def test_a_revoked_key_is_refused(self, api):
        _network, partner = await _partner(api)
        created = await api.post(f"/organizations/{partner['id']}/api-keys", await api.admin(), {})
        deleted = await api.client.delete(f"{BASE}/api-keys/{created['id']}",
                                          headers=await api.admin())
        assert deleted.status_code == 204
        response = await api.client.post(f"{BASE}/token", data={"grant_type": "api_key",
                                                                 "api_key": created["key"]})
        assert response.status_code == 401 and response.json()["code"] == "invalid_grant"

    async def test_another_networks_admin_cannot_make_keys_and_partners_cannot_read_people(
            self, api):
        network, partner = await _partner(api)
        other = await api.organization("Another Network", "network")
        outsider = await api.user("other@example.org", organization_id=other["id"],
                                  role="network_admin")
        refused = await api.client.post(f"{BASE}/organizations/{partner['id']}/api-keys",
                                        headers=outsider)
        assert refused.status_code == 403

        key = (await api.post(f"/organizations/{partner['id']}/api-keys",
                              await api.admin(), {}))["key"]
        token = (await api.client.post(f"{BASE}/token", data={
            "grant_type": "api_key", "api_key": key})).json()["access_token"]
        people = await api.client.get(f"{BASE}/people",
                                      headers={"Authorization": f"Bearer {token}"})
        assert people.status_code == 401  # identity is not in a partner token's audience


class TestLastUsed:
    async def test_exchanging_a_key_records_when_at_most_once_a_minute(self, api, identity_app):
        _network, partner = await _partner(api)
        admin = await api.admin()
        path = f"{BASE}/organizations/{partner['id']}/api-keys"
        created = await api.post(f"/organizations/{partner['id']}/api-keys", admin, {})
        listed = (await api.client.get(path, headers=admin)).json()["items"]
        assert listed[0]["last_used_at"] is None

        async def exchange() -> None:
            response = await api.client.post(f"{BASE}/token", data={
                "grant_type": "api_key", "api_key": created["key"]})
            assert response.status_code == 200, response.text

        async def last_used():
            async with identity_app.state.sessions() as db:
                return (await db.get(ApiKey, created["id"])).last_used_at

        await exchange()
        first_use = await last_used()
        assert first_use is not None
        listed = (await api.client.get(path, headers=admin)).json()["items"]
        assert datetime.fromisoformat(listed[0]["last_used_at"]) == first_use

        await exchange()  # within the minute: not written again
        assert await last_used() == first_use

        async with identity_app.state.sessions() as db:  # a minute and more later
            row = await db.get(ApiKey, created["id"])
            row.last_used_at = first_use - timedelta(seconds=61)
            await db.commit()
        await exchange()
        assert await last_used() > first_use - timedelta(seconds=61)
