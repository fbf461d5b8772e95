"""Login sessions (hole 7): a sign-in is a session that can end, and its tokens end with it."""

from datetime import date, timedelta

import jwt

from services.identity.cli import create_account
from tests.identity.conftest import ADMIN_EMAIL, BASE, PASSWORD

PROBLEM = "application/problem+json"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def claims(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


async def sign_in(api, email: str, password: str = PASSWORD, *, user_agent: str | None = None,
                  client_address: str | None = None) -> dict:
    """`client_address` comes as the gateway tells it (X-Forwarded-For from a trusted peer)."""
    response = await api.client.post(
        f"{BASE}/token",
        data={"grant_type": "password", "username": email, "password": password,
              **({"user_agent": user_agent} if user_agent else {})},
        headers={"X-Forwarded-For": client_address} if client_address else None)
    assert response.status_code == 200, response.text
    return response.json()


async def refresh(api, refresh_token: str):
    return await api.client.post(f"{BASE}/token", data={
        "grant_type": "refresh_token", "refresh_token": refresh_token})


async def account(api, email: str, **membership) -> str:
    """A person with an account; the person's id."""
    person = await api.person(email)
    await create_account(api.settings, email=email, password=PASSWORD, full_name="Pat Doe")
    if membership:
        await api.member(membership["organization_id"], person["id"], membership["role"])
    return person["id"]


class TestRefreshGrant:
    async def test_a_refresh_gives_the_same_session_a_new_token(self, api):
        await api.admin()
        first = await sign_in(api, ADMIN_EMAIL)
        renewed = await refresh(api, first["refresh_token"])
        assert renewed.status_code == 200, renewed.text
        assert renewed.headers["cache-control"] == "no-store"
        body = renewed.json()
        assert "refresh_token" not in body and body["expires_in"] == 300
        assert claims(body["access_token"])["sid"] == claims(first["access_token"])["sid"]

    async def test_a_removed_membership_is_gone_from_the_next_token(self, api):
        network = await api.organization("Golden State Network", "network")
        person_id = await account(api, "lead@example.org")
        membership = await api.member(network["id"], person_id, "leader")
        signed_in = await sign_in(api, "lead@example.org")
        assert claims(signed_in["access_token"])["roles"] == {network["id"]: ["leader"]}

        yesterday = (date.today() - timedelta(days=1)).isoformat()
        ended = await api.client.patch(
            f"{BASE}/organizations/{network['id']}/members/{membership['id']}",
            headers=await api.admin(), json={"ends_on": yesterday})
        assert ended.status_code == 200, ended.text

        renewed = await refresh(api, signed_in["refresh_token"])
        assert renewed.status_code == 200
        assert claims(renewed.json()["access_token"])["roles"] == {}

    async def test_an_unknown_or_missing_refresh_token_is_refused(self, api):
        unknown = await refresh(api, "crt_not-a-real-token")
        assert unknown.status_code == 401 and unknown.json()["code"] == "invalid_grant"
        assert unknown.headers["content-type"] == PROBLEM
        missing = await api.client.post(f"{BASE}/token", data={"grant_type": "refresh_token"})
        assert missing.status_code == 400 and missing.json()["code"] == "invalid_request"


class TestLogout:
    async def test_after_logout_neither_the_refresh_token_nor_the_access_token_works(self, api):
        await api.admin()
        signed_in = await sign_in(api, ADMIN_EMAIL)
        token = signed_in["access_token"]
        assert (await api.client.get(f"{BASE}/me", headers=bearer(token))).status_code == 200

        ended = await api.client.post(f"{BASE}/token/revoke",
                                      data={"token": signed_in["refresh_token"]})
        assert ended.status_code == 200

        assert (await refresh(api, signed_in["refresh_token"])).status_code == 401
        refused = await api.client.get(f"{BASE}/me", headers=bearer(token))
        assert refused.status_code == 401
        assert refused.headers["content-type"] == PROBLEM

    async def test_revoking_an_unknown_token_says_nothing(self, api):
        response = await api.client.post(f"{BASE}/token/revoke", data={"token": "crt_who-knows"})
        assert response.status_code == 200


class TestMySessions:
    async def test_i_see_my_sessions_with_their_device_and_end_one(self, api):
        await account(api, "pat@example.org")
        phone = await sign_in(api, "pat@example.org", user_agent="Phone Browser",
                              client_address="203.0.113.9")
        laptop = await sign_in(api, "pat@example.org")
        listed = await api.client.get(f"{BASE}/me/sessions", headers=bearer(laptop["access_token"]))
        assert listed.status_code == 200 and listed.headers["cache-control"] == "no-store"
        items = listed.json()["items"]
        assert len(items) == 2
        mine = {item["id"]: item for item in items}
        phone_sid = claims(phone["access_token"])["sid"]
        assert mine[phone_sid]["user_agent"] == "Phone Browser"
        assert mine[phone_sid]["client_address"] == "203.0.113.9"
        assert [i["current"] for i in items if i["id"] != phone_sid] == [True]

        ended = await api.client.delete(f"{BASE}/me/sessions/{phone_sid}",
                                        headers=bearer(laptop["access_token"]))
        assert ended.status_code == 204
        assert (await api.client.get(f"{BASE}/me", headers=bearer(phone["access_token"]))
                ).status_code == 401
        assert (await refresh(api, phone["refresh_token"])).status_code == 401
        left = await api.client.get(f"{BASE}/me/sessions", headers=bearer(laptop["access_token"]))
        assert [item["id"] for item in left.json()["items"]] == [
            claims(laptop["access_token"])["sid"]]

    async def test_someone_elses_session_is_not_found(self, api):
        await account(api, "pat@example.org")
        await account(api, "sam@example.org")
        pat = await sign_in(api, "pat@example.org")
        sam = await sign_in(api, "sam@example.org")
        response = await api.client.delete(
            f"{BASE}/me/sessions/{claims(sam['access_token'])['sid']}",
            headers=bearer(pat["access_token"]))
        assert response.status_code == 404
        assert response.json()["code"] == "login_session_not_found"
        assert (await api.client.get(f"{BASE}/me", headers=bearer(sam["access_token"]))
                ).status_code == 200


class TestChangePassword:
    async def test_a_password_change_ends_the_other_sessions(self, api):
        await account(api, "pat@example.org")
        other = await sign_in(api, "pat@example.org")
        here = await sign_in(api, "pat@example.org")
        response = await api.client.post(f"{BASE}/me/password",
                                         headers=bearer(here["access_token"]),
                                         json={"current_password": PASSWORD,
                                               "new_password": "a brand new password"})
        assert response.status_code == 200, response.text
        assert response.json() == {"ended_sessions": 1}

        assert (await api.client.get(f"{BASE}/me", headers=bearer(other["access_token"]))
                ).status_code == 401
        assert (await refresh(api, other["refresh_token"])).status_code == 401
        assert (await api.client.get(f"{BASE}/me", headers=bearer(here["access_token"]))
                ).status_code == 200
        assert (await refresh(api, here["refresh_token"])).status_code == 200

        old = await api.client.post(f"{BASE}/token", data={
            "grant_type": "password", "username": "pat@example.org", "password": PASSWORD})
        assert old.status_code == 401
        await sign_in(api, "pat@example.org", "a brand new password")

    async def test_a_wrong_current_password_is_a_422_beside_its_field(self, api):
        await account(api, "pat@example.org")
        here = await sign_in(api, "pat@example.org")
        response = await api.client.post(f"{BASE}/me/password",
                                         headers=bearer(here["access_token"]),
                                         json={"current_password": "not my password",
                                               "new_password": "a brand new password"})
        assert response.status_code == 422
        assert response.headers["content-type"] == PROBLEM
        body = response.json()
        assert body["code"] == "wrong_password"
        assert body["errors"][0]["loc"] == ["body", "current_password"]
        await sign_in(api, "pat@example.org")  # unchanged

    async def test_a_short_new_password_is_refused(self, api):
        await account(api, "pat@example.org")
        here = await sign_in(api, "pat@example.org")
        response = await api.client.post(f"{BASE}/me/password",
                                         headers=bearer(here["access_token"]),
                                         json={"current_password": PASSWORD,
                                               "new_password": "short"})
        assert response.status_code == 422
        assert response.json()["errors"][0]["loc"] == ["body", "new_password"]


class TestAdminRevocation:
    async def test_a_network_admin_ends_a_members_sessions_and_it_is_audited(self, api):
        network = await api.organization("Golden State Network", "network")
        admin = await api.user("netadmin@example.org", organization_id=network["id"],
                               role="network_admin")
        person_id = await account(api, "lead@example.org", organization_id=network["id"],
                                  role="leader")
        lead = await sign_in(api, "lead@example.org")
        response = await api.client.post(f"{BASE}/people/{person_id}/sessions/revoke",
                                         headers=admin)
        assert response.status_code == 200 and response.json() == {"revoked": 1}
        assert (await api.client.get(f"{BASE}/me", headers=bearer(lead["access_token"]))
                ).status_code == 401
        audit = (await api.client.get(f"{BASE}/audit", headers=admin,
                                      params={"organization_id": network["id"]})).json()
        assert [e["details"]["person_id"] for e in audit["items"]
                if e["action"] == "sessions.revoke"] == [person_id]

    async def test_another_networks_admin_and_members_are_refused(self, api):
        ours = await api.organization("Network A", "network")
        theirs = await api.organization("Network B", "network")
        admin_b = await api.user("b-admin@example.org", organization_id=theirs["id"],
                                 role="network_admin")
        member = await api.user("member@example.org", organization_id=ours["id"], role="leader")
        person_id = await account(api, "lead@example.org", organization_id=ours["id"],
                                  role="leader")
        for headers in (admin_b, member):
            response = await api.client.post(f"{BASE}/people/{person_id}/sessions/revoke",
                                             headers=headers)
            assert response.status_code == 403

    async def test_a_network_admin_cannot_end_a_platform_admins_sessions(self, api):
        network = await api.organization("Golden State Network", "network")
        admin = await api.user("netadmin@example.org", organization_id=network["id"],
                               role="network_admin")
        me = (await api.client.get(f"{BASE}/me", headers=await api.admin())).json()
        await api.member(network["id"], me["person"]["id"], "leader")
        response = await api.client.post(
            f"{BASE}/people/{me['person']['id']}/sessions/revoke", headers=admin)
        assert response.status_code == 403
        root = await api.client.post(
            f"{BASE}/people/{me['person']['id']}/sessions/revoke", headers=await api.admin())
        assert root.status_code == 200


class TestRevokedList:
    async def test_services_read_the_recently_ended_sessions(self, api):
        await account(api, "pat@example.org")
        kept = await sign_in(api, "pat@example.org")
        ended = await sign_in(api, "pat@example.org")
        await api.client.post(f"{BASE}/token/revoke", data={"token": ended["refresh_token"]})
        response = await api.client.get(f"{BASE}/sessions/revoked",
                                        headers=await api.service_headers())
        assert response.status_code == 200, response.text
        ids = [item["id"] for item in response.json()["items"]]
        assert ids == [claims(ended["access_token"])["sid"]]
        assert claims(kept["access_token"])["sid"] not in ids

        later = await api.client.get(f"{BASE}/sessions/revoked",
                                     headers=await api.service_headers(),
                                     params={"since": response.json()["as_of"]})
        assert later.json()["items"] == []

    async def test_a_person_may_not_read_them(self, api):
        await account(api, "pat@example.org")
        pat = await sign_in(api, "pat@example.org")
        response = await api.client.get(f"{BASE}/sessions/revoked",
                                        headers=bearer(pat["access_token"]))
        assert response.status_code == 403
