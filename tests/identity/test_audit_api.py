import jwt

from services.identity.audit import service as audit
from services.identity.cli import create_account
from tests.identity.conftest import BASE, PASSWORD


def _subject(token: str) -> str:
    return jwt.decode(token, options={"verify_signature": False})["sub"]


class TestActorNames:
    async def test_each_entry_names_the_person_the_key_or_the_service_that_acted(
            self, api, identity_app):
        network = await api.organization("Golden State Network", "network")
        partner = await api.organization("Teachers Union", "partner", parent_id=network["id"])
        nora = await api.person("nora@example.org", full_name="Nora Admin")
        await create_account(api.settings, email="nora@example.org", password=PASSWORD,
                             full_name="Nora Admin")
        await api.member(network["id"], nora["id"], "network_admin")
        token = await api.token("nora@example.org")
        admin = {"Authorization": f"Bearer {token}"}
        nora_account = _subject(token)
        key = await api.post(f"/organizations/{partner['id']}/api-keys", admin, {})
        # Nora made the key (api_key.create). A partner acts in reach, whose refusals come to
        # this log by its feed; written here the same way, with a service's and a stranger's.
        async with identity_app.state.sessions() as db, db.begin():
            for actor in (f"apikey:{key['id']}", "service:reach", "someone-else"):
                await audit.record(db, actor=actor, action="registration.create.denied",
                                   target_type="event", target_id=network["id"],
                                   organization_id=network["id"],
                                   details={"method": "POST", "path": "/api/reach/v1/x"})

        response = await api.client.get(f"{BASE}/audit", headers=admin,
                                        params={"organization_id": network["id"]})
        assert response.status_code == 200
        names = {e["actor_subject"]: e["actor_name"] for e in response.json()["items"]}
        root = (await api.admin())["Authorization"].removeprefix("Bearer ")
        assert names == {
            _subject(root): "Platform admin",  # who made the network and gave Nora her role
            nora_account: "Nora Admin",
            f"apikey:{key['id']}": f"Teachers Union (key {key['prefix']}…)",
            "service:reach": "Cascade (reach)",
            "someone-else": None,
        }
