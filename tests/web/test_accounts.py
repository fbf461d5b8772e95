"""Sign-up with a mailed confirmation, password reset and invitations, as pages over the real
suite: the links come from the mail identity asks for, delivered to the local mailbox."""

import re

from tests.support.stack import eventually
from tests.web.conftest import ADMIN, PASSWORD, Visitor, bearer

HTMX = {"HX-Request": "true"}
LINK = re.compile(r"https?://\S+?(/(?:verify|reset-password|invitations)/\S+)")


async def mailed_link(stack, email: str, kind: str, *, after: int = 0) -> str:
    """The path of the newest `kind` link mailed to `email`, once more than `after` came."""
    root = await stack.token(*ADMIN)

    async def links():
        response = await stack.client.get("/api/scheduling/v1/messages", headers=bearer(root),
                                           params={"limit": 200})
        found = [m.group(1) for message in response.json()["items"] if message["email"] == email
                 for m in LINK.finditer(message["body"]) if m.group(1).startswith(f"/{kind}/")]
        return found if len(found) > after else None

    return (await eventually(links))[0]  # newest first


async def sign_up(visitor: Visitor, email: str, password: str = PASSWORD, name: str = "Lee Park"):
    await visitor.get("/signup")
    return await visitor.post("/signup", {"full_name": name, "email": email,
                                          "password": password})


def signed_in(html: str) -> bool:
    return "Sign out" in html


class TestSignUpPages:
    async def test_sign_up_says_check_your_mail_the_same_for_a_taken_email(self, stack, network,
                                                                          visitor):
        fresh = await sign_up(visitor, "new@web.test")
        taken = await sign_up(visitor, "leader@web.test", "attacker-password")
        assert fresh.status_code == taken.status_code == 200
        for page, email in ((fresh, "new@web.test"), (taken, "leader@web.test")):
            assert "<h1>Check your mail</h1>" in page.text
            assert page.text.replace(email, "") == fresh.text.replace("new@web.test", "")
        assert not signed_in((await visitor.get("/")).text)
        # The leader's account is untouched: the newcomer's password opens nothing.
        await visitor.get("/login")
        refused = await visitor.post("/login", {"email": "leader@web.test",
                                                "password": "attacker-password"})
        assert refused.status_code == 422

    async def test_the_mailed_link_confirms_and_signs_in_once(self, stack, visitor):
        await sign_up(visitor, "new@web.test")
        link = await mailed_link(stack, "new@web.test", "verify")
        page = await visitor.get(link)
        assert page.status_code == 200 and 'type="password"' in page.text
        wrong = await visitor.post(link, {"password": "not the one chosen"})
        assert wrong.status_code == 422
        assert 'id="password-error"' in wrong.text and 'aria-invalid="true"' in wrong.text
        confirmed = await visitor.post(link, {"password": PASSWORD})
        assert confirmed.status_code == 303
        home = await visitor.get("/")
        assert signed_in(home.text) and "Your email is confirmed" in home.text
        again = await Visitor(stack).post(link, {"password": PASSWORD})
        assert again.status_code == 404 and "This link no longer works" in again.text

    async def test_a_made_up_link_shows_it_no_longer_works(self, stack, visitor):
        await visitor.get("/verify/made-up")
        assert (await visitor.post("/verify/made-up", {"password": PASSWORD})).status_code == 404
        assert (await visitor.post("/verify/" + "x" * 200,
                                   {"password": PASSWORD})).status_code == 404


class TestPasswordResetPages:
    async def test_forgot_then_reset_once_then_sign_in_with_the_new_password(self, stack,
                                                                            network, visitor):
        await visitor.get("/login")
        assert 'href="/forgot-password"' in (await visitor.get("/login")).text
        await visitor.get("/forgot-password")
        bad = await visitor.post("/forgot-password", {"email": "nope"})
        assert bad.status_code == 422 and 'id="email-error"' in bad.text
        asked = await visitor.post("/forgot-password", {"email": "teacher0@web.test"})
        unknown = await visitor.post("/forgot-password", {"email": "nobody@web.test"})
        assert asked.status_code == unknown.status_code == 200
        assert "<h1>Check your mail</h1>" in unknown.text

        link = await mailed_link(stack, "teacher0@web.test", "reset-password")
        await visitor.get(link)
        differ = await visitor.post(link, {"password": "brand-new-password",
                                           "confirm": "something else"})
        assert differ.status_code == 422 and 'id="confirm-error"' in differ.text
        done = await visitor.post(link, {"password": "brand-new-password",
                                         "confirm": "brand-new-password"})
        assert done.status_code == 303 and done.headers["location"] == "/login"
        await visitor.login("teacher0@web.test", "brand-new-password")
        again = await visitor.post(link, {"password": "third-password-x",
                                          "confirm": "third-password-x"})
        assert again.status_code == 404


class TestInvitationPages:
    async def test_a_network_admin_invites_resends_and_withdraws(self, stack, network, visitor):
        await visitor.login("admin@web.test")
        page = await visitor.get("/manage/invitations")
        assert page.status_code == 200 and "Bay Teacher Network" in page.text
        assert '<a href="/manage/invitations" aria-current="page">Invitations</a>' in page.text
        bad = await visitor.post("/manage/invitations", {
            "network_id": network.id, "email": "not-an-email", "role": "leader"}, headers=HTMX)
        assert bad.status_code == 422
        assert bad.text.lstrip().startswith('<form id="invite_form"')
        assert 'id="email-error"' in bad.text
        backwards = await visitor.post("/manage/invitations", {
            "network_id": network.id, "email": "x@web.test", "role": "leader",
            "starts_on": "2026-07-01", "ends_on": "2026-06-01"})
        assert backwards.status_code == 422 and 'id="ends_on-error"' in backwards.text

        sent = await visitor.post("/manage/invitations", {
            "network_id": network.id, "email": "coach@web.test", "role": "coordinator"})
        assert sent.status_code == 303
        listed = await visitor.get(sent.headers["location"])
        assert "coach@web.test" in listed.text and "Coordinator" in listed.text
        first = await mailed_link(stack, "coach@web.test", "invitations")
        invitation_id = re.search(r'/manage/invitations/([^/]+)/resend', listed.text).group(1)
        resent = await visitor.post(f"/manage/invitations/{invitation_id}/resend",
                                    {"network_id": network.id})
        assert resent.status_code == 303
        second = await mailed_link(stack, "coach@web.test", "invitations", after=1)
        assert second != first
        assert (await Visitor(stack).get(first)).status_code == 404
        withdrawn = await visitor.post(f"/manage/invitations/{invitation_id}/withdraw",
                                       {"network_id": network.id})
        assert withdrawn.status_code == 303
        assert "coach@web.test" not in (await visitor.get("/manage/invitations")).text
        assert (await Visitor(stack).get(second)).status_code == 404

    async def test_only_network_admins_see_the_invitations_page(self, stack, network, visitor):
        await visitor.login("leader@web.test")
        assert "/manage/invitations" not in (await visitor.get("/")).text
        assert (await visitor.get("/manage/invitations")).status_code == 403

    async def test_accepting_by_signing_up_grants_the_role(self, stack, network, visitor):
        admin = Visitor(stack)
        await admin.login("admin@web.test")
        await admin.post("/manage/invitations", {"network_id": network.id,
                                                 "email": "newleader@web.test",
                                                 "role": "leader"})
        link = await mailed_link(stack, "newleader@web.test", "invitations")
        page = await visitor.get(link)
        assert "Join Bay Teacher Network" in page.text and "Create account and accept" in page.text
        missing = await visitor.post(link, {"full_name": "", "password": "short"})
        assert missing.status_code == 422
        assert 'id="full_name-error"' in missing.text and 'id="password-error"' in missing.text
        accepted = await visitor.post(link, {"full_name": "New Leader", "password": PASSWORD})
        assert accepted.status_code == 303
        home = await visitor.get("/")
        assert signed_in(home.text) and "You joined Bay Teacher Network as leader" in home.text
        assert '<a href="/manage"' in home.text  # a leader manages events
        await admin.aclose()

    async def test_an_account_accepts_by_signing_in(self, stack, network, visitor):
        admin = Visitor(stack)
        await admin.login("admin@web.test")
        await admin.post("/manage/invitations", {"network_id": network.id,
                                                 "email": "teacher1@web.test",
                                                 "role": "analyst"})
        link = await mailed_link(stack, "teacher1@web.test", "invitations")
        page = await visitor.get(link)
        assert "Sign in and accept" in page.text
        wrong = await visitor.post(link, {"password": "not-the-password"})
        assert wrong.status_code == 422 and 'id="password-error"' in wrong.text
        assert (await visitor.post(link, {"password": PASSWORD})).status_code == 303
        assert '<a href="/reach"' in (await visitor.get("/")).text  # analysts read reach
        await admin.aclose()
