from datetime import timedelta

import jwt
from sqlalchemy import update

from services.identity.accounts.models import Signup
from services.identity.cli import create_platform_admin
from shared.db import utcnow
from tests.identity.conftest import BASE, PASSWORD

ATTACKER_PASSWORD = "attacker chose this"


async def sign_up(api, email: str, password: str = PASSWORD, **fields):
    return await api.client.post(f"{BASE}/accounts", json={
        "email": email, "password": password, "full_name": "Someone", **fields})


async def confirm(api, token: str, password: str = PASSWORD):
    return await api.client.post(f"{BASE}/accounts/confirmations",
                                 json={"token": token, "password": password})


async def password_token(api, email: str, password: str):
    return await api.client.post(f"{BASE}/token", data={
        "grant_type": "password", "username": email, "password": password})


class TestSignUpTakesNothingOver:
    """Hole 1 as found: the demo's leader2 had a person and a leader role but no account; signing
    up with that email made the new account that person, leader role included."""

    async def test_signing_up_as_a_leaders_email_links_nothing_and_answers_as_a_new_email(
            self, api):
        network = await api.organization("Golden State Network", "network")
        leader = await api.person("leader2@demo.cascade.test", full_name="David Okafor")
        await api.member(network["id"], leader["id"], "leader")

        taken = await sign_up(api, "leader2@demo.cascade.test", ATTACKER_PASSWORD)
        fresh = await sign_up(api, "nobody-yet@example.org", ATTACKER_PASSWORD)
        assert taken.status_code == fresh.status_code == 202
        assert taken.json() == fresh.json()

        # No account exists to sign in to, so no token, no roles, no mailbox, no roster.
        refused = await password_token(api, "leader2@demo.cascade.test", ATTACKER_PASSWORD)
        assert refused.status_code == 401
        # The link went to the leader's own address, and to no person's mailbox.
        [mail] = await api.mail_to("leader2@demo.cascade.test")
        assert mail["person_id"] is None and "/verify/" in mail["body"]

    async def test_an_email_with_an_account_answers_the_same_and_only_its_owner_hears(
            self, api):
        await api.user("owner@example.org")
        taken = await sign_up(api, "Owner@example.org", ATTACKER_PASSWORD)
        fresh = await sign_up(api, "someone-new@example.org", ATTACKER_PASSWORD)
        assert (taken.status_code, taken.json()) == (fresh.status_code, fresh.json())
        [note] = await api.mail_to("owner@example.org")
        assert note["subject"] == "Someone tried to sign up with your email"
        assert "/verify/" not in note["body"] and note["person_id"]
        # The owner's password still works, the newcomer's never does.
        assert (await password_token(api, "owner@example.org", PASSWORD)).status_code == 200
        assert (await password_token(api, "owner@example.org",
                                     ATTACKER_PASSWORD)).status_code == 401

    async def test_a_new_account_has_no_roles_even_when_the_person_had_some(self, api):
        network = await api.organization("Golden State Network", "network")
        leader = await api.person("leader@example.org")
        await api.member(network["id"], leader["id"], "leader")
        await sign_up(api, "leader@example.org")
        created = await confirm(api, await api.link_token("leader@example.org", "verify"))
        # The owner of the address confirmed: now, and only now, the person is theirs.
        assert created.status_code == 201, created.text
        assert created.json()["person"]["id"] == leader["id"]


class TestConfirmationLink:
    async def test_the_link_makes_a_verified_account_on_the_sheet_person_once(self, api):
        district = await api.organization("Oakland Unified", "district", county="Alameda")
        sheet_person = await api.person("ana.reyes@example.org", full_name="Ana Reyes",
                                        district="Oakland Unified")
        assert (await sign_up(api, "Ana.Reyes@Example.ORG")).status_code == 202
        assert (await password_token(api, "ana.reyes@example.org", PASSWORD)).status_code == 401
        token = await api.link_token("ana.reyes@example.org", "verify")

        created = await confirm(api, token)
        assert created.status_code == 201, created.text
        assert created.json()["person"]["id"] == sheet_person["id"]
        assert (await confirm(api, token)).status_code == 404  # once only

        access = (await password_token(api, "ana.reyes@example.org", PASSWORD)).json()
        claims = jwt.decode(access["access_token"], options={"verify_signature": False})
        assert claims["email_verified"] is True
        me = (await api.client.get(f"{BASE}/me", headers={
            "Authorization": f"Bearer {access['access_token']}"})).json()
        assert me["person"]["district_id"] == district["id"]
        assert me["email_verified"] is True and me["memberships"] == []

    async def test_a_wrong_token_is_404_and_a_wrong_password_spends_nothing(self, api):
        await sign_up(api, "new@example.org")
        token = await api.link_token("new@example.org", "verify")
        wrong = await confirm(api, token[:-2] + "xx")
        assert wrong.status_code == 404 and wrong.json()["code"] == "link_not_found"
        assert (await confirm(api, "x" * 129)).status_code == 422
        assert (await confirm(api, token, "not what was chosen")).status_code == 403
        assert (await confirm(api, token)).status_code == 201

    async def test_the_link_expires(self, api, identity_app):
        await sign_up(api, "late@example.org")
        token = await api.link_token("late@example.org", "verify")
        async with identity_app.state.sessions() as db:
            await db.exec(update(Signup).values(expires_at=utcnow() - timedelta(seconds=1)))
            await db.commit()
        assert (await confirm(api, token)).status_code == 404

    async def test_only_the_newest_link_of_an_email_works(self, api):
        await sign_up(api, "twice@example.org", "first password here")
        first = await api.link_token("twice@example.org", "verify")
        await sign_up(api, "twice@example.org", "second password here")
        second = await api.link_token("twice@example.org", "verify")
        assert (await confirm(api, first, "first password here")).status_code == 404
        assert (await confirm(api, second, "second password here")).status_code == 201

    async def test_short_passwords_are_422(self, api):
        assert (await sign_up(api, "b@example.org", "short")).status_code == 422


class TestMe:
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
