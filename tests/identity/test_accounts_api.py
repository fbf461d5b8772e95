from services.identity.cli import create_platform_admin
from tests.identity.conftest import BASE, PASSWORD


class TestSignUp:
    async def test_sign_up_claims_the_sign_in_sheet_person_with_the_same_email(self, api):
        district = await api.organization("Oakland Unified", "district", county="Alameda")
        sheet_person = await api.person("ana.reyes@example.org", full_name="Ana Reyes",
                                        district="Oakland Unified")
        created = await api.post("/accounts", None, {
            "email": "Ana.Reyes@Example.ORG", "password": PASSWORD, "full_name": "Ana R."})
        assert created["person"]["id"] == sheet_person["id"]

        me = (await api.client.get(f"{BASE}/me", headers=await api.login("ana.reyes@example.org")))
        assert me.status_code == 200
        body = me.json()
        assert body["account_id"] == created["account_id"]
        assert body["person"]["district_id"] == district["id"]
        assert body["is_platform_admin"] is False and body["memberships"] == []

    async def test_a_second_account_for_one_email_is_409_and_short_passwords_422(self, api):
        body = {"email": "new@example.org", "password": PASSWORD, "full_name": "New Person"}
        await api.post("/accounts", None, body)
        again = await api.post("/accounts", None, {**body, "email": "NEW@example.org"},
                               expect=409)
        assert again["code"] == "account_exists"
        await api.post("/accounts", None, {**body, "email": "b@example.org", "password": "short"},
                       expect=422)

    async def test_me_lists_memberships_active_today(self, api):
        network = await api.organization("Golden State Network", "network")
        headers = await api.user("lead@example.org", organization_id=network["id"], role="leader")
        me = (await api.client.get(f"{BASE}/me", headers=headers)).json()
        assert [(m["organization_name"], m["organization_kind"], m["role"])
                for m in me["memberships"]] == [("Golden State Network", "network", "leader")]


class TestPlatformAdminCommand:
    async def test_it_promotes_an_existing_account_and_resets_its_password(
            self, api, identity_settings):
        await api.user("boss@example.org")
        account_id = await create_platform_admin(identity_settings, email="BOSS@example.org",
                                                 password="a brand new password")
        me = (await api.client.get(f"{BASE}/me", headers=await api.login(
            "boss@example.org", "a brand new password"))).json()
        assert me["account_id"] == account_id and me["is_platform_admin"] is True
