from datetime import timedelta

import jwt
from sqlalchemy import update

from services.identity.accounts.models import Account
from services.identity.password_resets.models import PasswordReset
from shared.db import utcnow
from tests.identity.conftest import BASE, PASSWORD

NEW_PASSWORD = "a fresh new password"


async def ask(api, email: str):
    return await api.client.post(f"{BASE}/password-resets", json={"email": email})


async def complete(api, token: str, password: str = NEW_PASSWORD):
    return await api.client.post(f"{BASE}/password-resets/completions",
                                 json={"token": token, "password": password})


async def signs_in(api, email: str, password: str) -> bool:
    response = await api.client.post(f"{BASE}/token", data={
        "grant_type": "password", "username": email, "password": password})
    return response.status_code == 200


class TestPasswordReset:
    async def test_the_answer_is_the_same_whether_the_account_exists(self, api):
        await api.user("pat@example.org")
        await api.person("sheet-only@example.org")
        answers = [await ask(api, email) for email in
                   ("pat@example.org", "sheet-only@example.org", "nobody@example.org")]
        assert {a.status_code for a in answers} == {202}
        assert answers[0].json() == answers[1].json() == answers[2].json()
        assert await api.mail_to("sheet-only@example.org") == []
        assert await api.mail_to("nobody@example.org") == []
        [mail] = await api.mail_to("pat@example.org")
        assert "/reset-password/" in mail["body"]

    async def test_the_link_sets_a_new_password_once(self, api):
        await api.user("pat@example.org")
        await ask(api, "pat@example.org")
        token = await api.link_token("pat@example.org", "reset-password")
        assert (await complete(api, token)).status_code == 204
        assert await signs_in(api, "pat@example.org", NEW_PASSWORD)
        assert not await signs_in(api, "pat@example.org", PASSWORD)
        again = await complete(api, token, "yet another password")
        assert again.status_code == 404 and again.json()["code"] == "link_not_found"
        assert await signs_in(api, "pat@example.org", NEW_PASSWORD)

    async def test_a_reset_ends_every_session_of_the_account(self, api):
        """Whoever knew the old password may be signed in: the reset signs them out too."""
        await api.user("pat@example.org")
        signed_in = (await api.client.post(f"{BASE}/token", data={
            "grant_type": "password", "username": "pat@example.org",
            "password": PASSWORD})).json()
        await ask(api, "pat@example.org")
        token = await api.link_token("pat@example.org", "reset-password")
        assert (await complete(api, token)).status_code == 204
        renewed = await api.client.post(f"{BASE}/token", data={
            "grant_type": "refresh_token", "refresh_token": signed_in["refresh_token"]})
        assert renewed.status_code == 401
        me = await api.client.get(f"{BASE}/me", headers={
            "Authorization": f"Bearer {signed_in['access_token']}"})
        assert me.status_code == 401

    async def test_using_one_link_spends_the_others_and_proves_the_address(self, api,
                                                                          identity_app):
        # An account from before sign-ups were confirmed: its address is unproven.
        await api.user("old@example.org")
        async with identity_app.state.sessions() as db:
            await db.exec(update(Account).values(email_verified_at=None))
            await db.commit()
        await ask(api, "old@example.org")
        first = await api.link_token("old@example.org", "reset-password")
        await ask(api, "old@example.org")
        second = await api.link_token("old@example.org", "reset-password")
        assert (await complete(api, second)).status_code == 204
        assert (await complete(api, first)).status_code == 404
        token = (await api.client.post(f"{BASE}/token", data={
            "grant_type": "password", "username": "old@example.org",
            "password": NEW_PASSWORD})).json()["access_token"]
        assert jwt.decode(token, options={"verify_signature": False})["email_verified"] is True

    async def test_an_expired_or_wrong_link_is_404_and_short_passwords_422(self, api,
                                                                          identity_app):
        await api.user("pat@example.org")
        await ask(api, "pat@example.org")
        token = await api.link_token("pat@example.org", "reset-password")
        assert (await complete(api, token, "short")).status_code == 422
        assert (await complete(api, "not-a-token")).status_code == 404
        async with identity_app.state.sessions() as db:
            await db.exec(update(PasswordReset).values(
                expires_at=utcnow() - timedelta(seconds=1)))
            await db.commit()
        assert (await complete(api, token)).status_code == 404
        assert await signs_in(api, "pat@example.org", PASSWORD)

    async def test_the_reset_is_audited(self, api):
        await api.user("pat@example.org")
        await ask(api, "pat@example.org")
        await complete(api, await api.link_token("pat@example.org", "reset-password"))
        entries = (await api.client.get(f"{BASE}/audit", headers=await api.admin())).json()
        assert "password.reset" in [e["action"] for e in entries["items"]]
