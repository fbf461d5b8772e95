from datetime import timedelta

import jwt
from sqlalchemy import update

from services.identity.invitations.models import Invitation
from shared.db import utcnow
from tests.identity.conftest import BASE, PASSWORD


def claims(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


async def network_with_admin(api, name: str = "Golden State Network"):
    network = await api.organization(name, "network")
    admin = await api.user(f"admin@{name.split()[0].lower()}.org",
                           organization_id=network["id"], role="network_admin")
    return network, admin


async def invite(api, network_id: str, headers, email: str, role: str = "leader",
                 expect: int = 201, **span) -> dict:
    return await api.post(f"/organizations/{network_id}/invitations", headers,
                          {"email": email, "role": role, **span}, expect=expect)


async def accept(api, token: str, headers=None, **body):
    return await api.client.post(f"{BASE}/invitations/acceptances",
                                 json={"token": token, **body}, headers=headers)


async def pending(api, network_id: str, headers) -> list[dict]:
    response = await api.client.get(f"{BASE}/organizations/{network_id}/invitations",
                                    headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["items"]


class TestInvitation:
    async def test_a_retried_invitation_invites_and_mails_once(self, api):
        network, admin = await network_with_admin(api)
        headers = {**admin, "Idempotency-Key": "invite-cal-1"}
        first = await invite(api, network["id"], headers, "cal@example.org")
        again = await invite(api, network["id"], headers, "cal@example.org")
        assert again == first
        assert len(await pending(api, network["id"], admin)) == 1
        assert len(await api.mail_to("cal@example.org")) == 1


    async def test_the_role_comes_only_once_the_invitation_is_accepted_by_signing_up(self, api):
        network, admin = await network_with_admin(api)
        sent = await invite(api, network["id"], admin, "New.Leader@example.org",
                            starts_on="2026-07-01")
        assert (sent["email"], sent["role"], sent["status"]) == (
            "new.leader@example.org", "leader", "pending")
        assert [i["id"] for i in await pending(api, network["id"], admin)] == [sent["id"]]
        token = await api.link_token("new.leader@example.org", "invitations")
        # Nothing is granted yet: no account, no person, no membership.
        members = (await api.client.get(f"{BASE}/organizations/{network['id']}/members",
                                        headers=admin)).json()["items"]
        assert [m["role"] for m in members] == ["network_admin"]

        preview = (await api.client.post(f"{BASE}/invitations/previews",
                                         json={"token": token})).json()
        assert (preview["organization_name"], preview["role"], preview["has_account"]) == (
            "Golden State Network", "leader", False)
        short = await accept(api, token, full_name="Lee Leader", password="short")
        assert short.status_code == 422
        accepted = await accept(api, token, full_name="Lee Leader", password=PASSWORD)
        assert accepted.status_code == 201, accepted.text
        assert accepted.json()["membership_id"]

        token_claims = claims(await api.token("new.leader@example.org"))
        assert token_claims["email_verified"] is True
        me = (await api.client.get(f"{BASE}/me", headers=await api.login(
            "new.leader@example.org"))).json()
        assert [(m["role"], m["starts_on"]) for m in me["memberships"]] == [
            ("leader", "2026-07-01")]
        assert (await accept(api, token, full_name="Again", password=PASSWORD)).status_code == 404
        assert await pending(api, network["id"], admin) == []

    async def test_an_account_accepts_by_signing_in_as_the_invited_address(self, api):
        network, admin = await network_with_admin(api)
        invited = await api.user("pat@example.org")
        other = await api.user("someone.else@example.org")
        await invite(api, network["id"], admin, "pat@example.org", role="analyst")
        token = await api.link_token("pat@example.org", "invitations")
        preview = await api.client.post(f"{BASE}/invitations/previews", json={"token": token})
        assert preview.json()["has_account"] is True

        assert (await accept(api, token, password="not pats password")).status_code == 403
        assert (await accept(api, token, headers=other)).status_code == 403
        assert claims(await api.token("pat@example.org"))["roles"] == {}
        accepted = await accept(api, token, headers=invited)
        assert accepted.status_code == 201, accepted.text
        assert claims(await api.token("pat@example.org"))["roles"] == {
            network["id"]: ["analyst"]}

    async def test_a_password_accepts_for_an_account_too(self, api):
        network, admin = await network_with_admin(api)
        await api.user("pat@example.org")
        await invite(api, network["id"], admin, "pat@example.org", role="coordinator")
        token = await api.link_token("pat@example.org", "invitations")
        assert (await accept(api, token, password=PASSWORD)).status_code == 201
        assert claims(await api.token("pat@example.org"))["roles"] == {
            network["id"]: ["coordinator"]}

    async def test_resend_replaces_the_link_and_withdraw_ends_it(self, api):
        network, admin = await network_with_admin(api)
        sent = await invite(api, network["id"], admin, "pat@example.org")
        first = await api.link_token("pat@example.org", "invitations")
        one = f"/organizations/{network['id']}/invitations/{sent['id']}"
        await api.post(f"{one}/resend", admin, {}, expect=200)
        second = await api.link_token("pat@example.org", "invitations")
        assert first != second
        previews = [await api.client.post(f"{BASE}/invitations/previews", json={"token": t})
                    for t in (first, second)]
        assert [p.status_code for p in previews] == [404, 200]

        assert (await api.client.delete(f"{BASE}{one}", headers=admin)).status_code == 204
        assert (await accept(api, second, full_name="Pat", password=PASSWORD)).status_code == 404
        again = await api.client.delete(f"{BASE}{one}", headers=admin)
        assert again.status_code == 409 and again.json()["code"] == "invitation_closed"
        assert await pending(api, network["id"], admin) == []

    async def test_an_expired_invitation_is_listed_as_such_and_cannot_be_accepted(
            self, api, identity_app):
        network, admin = await network_with_admin(api)
        await invite(api, network["id"], admin, "late@example.org")
        token = await api.link_token("late@example.org", "invitations")
        async with identity_app.state.sessions() as db:
            await db.exec(update(Invitation).values(expires_at=utcnow() - timedelta(seconds=1)))
            await db.commit()
        assert [i["status"] for i in await pending(api, network["id"], admin)] == ["expired"]
        assert (await accept(api, token, full_name="Late", password=PASSWORD)).status_code == 404

    async def test_only_admins_of_that_organization_invite(self, api):
        network, admin = await network_with_admin(api)
        other_network, other_admin = await network_with_admin(api, "Other Network")
        leader = await api.user("leader@example.org", organization_id=network["id"],
                                role="leader")
        for headers in (leader, other_admin):
            await invite(api, network["id"], headers, "x@example.org", expect=403)
            response = await api.client.get(f"{BASE}/organizations/{network['id']}/invitations",
                                            headers=headers)
            assert response.status_code == 403
        await invite(api, network["id"], await api.admin(), "x@example.org")
        await invite(api, network["id"], admin, "y@example.org", role="root", expect=422)
        await invite(api, "no-such-org", await api.admin(), "z@example.org", expect=404)

    async def test_every_step_is_audited(self, api):
        network, admin = await network_with_admin(api)
        sent = await invite(api, network["id"], admin, "pat@example.org")
        await api.post(f"/organizations/{network['id']}/invitations/{sent['id']}/resend", admin,
                       {}, expect=200)
        token = await api.link_token("pat@example.org", "invitations")
        await accept(api, token, full_name="Pat", password=PASSWORD)
        response = await api.client.get(f"{BASE}/audit", headers=admin,
                                        params={"organization_id": network["id"]})
        actions = [e["action"] for e in response.json()["items"]]
        assert {"invitation.create", "invitation.resend", "invitation.accept",
                "membership.create"} <= set(actions)
