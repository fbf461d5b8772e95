"""Your sessions and Change password: seeing where you are signed in, ending any of it, and a
password change that signs out every other session (hole 7)."""

from html import unescape

from tests.web.conftest import PASSWORD

PHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) Safari/604.1"
LAPTOP = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"


def text(response) -> str:
    return unescape(response.text)


async def signed_in(visitor, network, user_agent: str):
    visitor.client.headers["User-Agent"] = user_agent
    await visitor.login(network.teachers[0]["email"])
    return visitor


class TestYourSessions:
    async def test_the_page_lists_each_device_and_marks_this_one(self, stack, network, visitor,
                                                                 another_visitor):
        await signed_in(another_visitor, network, PHONE)
        await signed_in(visitor, network, LAPTOP)
        page = await visitor.get("/account/sessions")
        assert page.status_code == 200
        assert page.headers["cache-control"] == "no-store"
        body = text(page)
        assert "Safari on iPhone" in body and "Firefox on Linux" in body
        assert body.count("This device") == 1
        assert body.index("Firefox on Linux") < body.index("Safari on iPhone")  # this one first
        assert 'href="/account/sessions" aria-current="page"' in body

    async def test_ending_another_session_signs_that_browser_out(self, stack, network, visitor,
                                                                 another_visitor):
        await signed_in(another_visitor, network, PHONE)
        await signed_in(visitor, network, LAPTOP)
        assert (await another_visitor.get("/schedule")).status_code == 200
        page = text(await visitor.get("/account/sessions"))
        phone_id = page.split('<h2 id="login_session_')[2].split('"')[0]
        ended = await visitor.post(f"/account/sessions/{phone_id}/end")
        assert ended.status_code == 303 and ended.headers["location"] == "/account/sessions"
        assert "Safari on iPhone" not in text(await visitor.get("/account/sessions"))
        gone = await another_visitor.get("/schedule")
        assert gone.status_code == 303 and gone.headers["location"].startswith("/login")

    async def test_signing_out_here_ends_this_session(self, stack, network, visitor):
        await signed_in(visitor, network, LAPTOP)
        page = text(await visitor.get("/account/sessions"))
        mine = page.split('<h2 id="login_session_')[1].split('"')[0]
        cookie = visitor.client.cookies["cascade_session"]
        ended = await visitor.post(f"/account/sessions/{mine}/end")
        assert ended.status_code == 303 and ended.headers["location"] == "/login"
        visitor.client.cookies.set("cascade_session", cookie)  # the old cookie, kept
        again = await visitor.get("/account/sessions")
        assert again.status_code == 303 and again.headers["location"].startswith("/login")

    async def test_sign_out_everywhere_else_keeps_this_one(self, stack, network, visitor,
                                                           another_visitor):
        await signed_in(another_visitor, network, PHONE)
        await signed_in(visitor, network, LAPTOP)
        response = await visitor.post("/account/sessions/end-others")
        assert response.status_code == 303
        page = text(await visitor.get("/account/sessions"))
        assert "Ended 1 other session." in page
        assert "Safari on iPhone" not in page and "This device" in page

    async def test_an_anonymous_visitor_is_asked_to_sign_in(self, stack, visitor):
        for path in ("/account/sessions", "/account/password"):
            response = await visitor.get(path)
            assert response.status_code == 303
            assert response.headers["location"].startswith("/login?next=%2Faccount")

    async def test_ending_a_session_without_the_csrf_token_is_refused(self, stack, network,
                                                                      visitor):
        await signed_in(visitor, network, LAPTOP)
        response = await visitor.client.post("/account/sessions/end-others")
        assert response.status_code == 403


class TestChangePassword:
    async def test_a_change_keeps_this_session_and_signs_out_the_others(
            self, stack, network, visitor, another_visitor):
        await signed_in(another_visitor, network, PHONE)
        await signed_in(visitor, network, LAPTOP)
        assert (await visitor.get("/account/password")).status_code == 200
        response = await visitor.post("/account/password", {
            "current_password": PASSWORD, "new_password": "a fresh passphrase",
            "confirm_password": "a fresh passphrase"})
        assert response.status_code == 303 and response.headers["location"] == "/account/sessions"
        page = text(await visitor.get("/account/sessions"))
        assert "Your password is changed. 1 other session was signed out." in page
        assert "Safari on iPhone" not in page

        assert (await another_visitor.get("/schedule")).status_code == 303
        assert (await visitor.get("/schedule")).status_code == 200
        await another_visitor.get("/login")
        old = await another_visitor.post("/login", {"email": network.teachers[0]["email"],
                                                    "password": PASSWORD})
        assert old.status_code == 422

    async def test_a_wrong_current_password_is_shown_beside_its_field(self, stack, network,
                                                                      visitor):
        await signed_in(visitor, network, LAPTOP)
        await visitor.get("/account/password")
        response = await visitor.post("/account/password", {
            "current_password": "not it at all", "new_password": "a fresh passphrase",
            "confirm_password": "a fresh passphrase"})
        assert response.status_code == 422
        assert 'id="current_password-error"' in response.text
        assert "This is not your current password." in text(response)

    async def test_our_own_checks_answer_422_without_asking_identity(self, stack, network,
                                                                     visitor):
        await signed_in(visitor, network, LAPTOP)
        await visitor.get("/account/password")
        short = await visitor.post("/account/password", {
            "current_password": PASSWORD, "new_password": "short", "confirm_password": "short"})
        assert short.status_code == 422 and 'id="new_password-error"' in short.text
        mismatch = await visitor.post("/account/password", {
            "current_password": PASSWORD, "new_password": "a fresh passphrase",
            "confirm_password": "another passphrase"})
        assert mismatch.status_code == 422 and 'id="confirm_password-error"' in mismatch.text
        empty = await visitor.post("/account/password", {
            "current_password": "", "new_password": "a fresh passphrase",
            "confirm_password": "a fresh passphrase"})
        assert empty.status_code == 422 and 'id="current_password-error"' in empty.text
