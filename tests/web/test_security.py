"""The web tier's own defences: CSRF on every POST, the session cookie, security headers, and
the way to the login page when there is no (valid) session."""

import base64
import json
import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from itsdangerous import TimestampSigner

from tests.web.conftest import ADMIN, PASSWORD


class TestCsrf:
    async def test_a_post_without_the_token_is_refused(self, stack, visitor):
        await visitor.get("/login")
        response = await visitor.client.post("/login", data={"email": ADMIN[0],
                                                             "password": ADMIN[1]})
        assert response.status_code == 403
        assert "cascade_session" not in response.headers.get("set-cookie", "")

    async def test_a_token_of_another_session_is_refused(self, stack, visitor, another_visitor):
        await another_visitor.get("/login")
        await visitor.get("/login")
        response = await visitor.client.post("/login", data={
            "csrf_token": another_visitor.csrf, "email": ADMIN[0], "password": ADMIN[1]})
        assert response.status_code == 403

    async def test_a_cross_site_post_is_refused_even_with_the_token(self, stack, visitor):
        await visitor.get("/login")
        response = await visitor.post("/login", {"email": ADMIN[0], "password": ADMIN[1]},
                                      headers={"Sec-Fetch-Site": "cross-site"})
        assert response.status_code == 403

    async def test_a_post_from_another_origin_is_refused(self, stack, visitor):
        await visitor.get("/login")
        response = await visitor.post("/login", {"email": ADMIN[0], "password": ADMIN[1]},
                                      headers={"Origin": "https://evil.example"})
        assert response.status_code == 403

    async def test_a_same_origin_post_with_the_token_in_the_htmx_header_passes(self, stack,
                                                                                visitor):
        await visitor.get("/login")
        response = await visitor.client.post(
            "/login", data={"email": ADMIN[0], "password": ADMIN[1]},
            headers={"X-CSRF-Token": visitor.csrf, "HX-Request": "true",
                     "Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"})
        assert response.status_code == 200
        assert response.headers["HX-Redirect"] == "/"


class TestSessionCookie:
    async def test_login_sets_a_signed_http_only_lax_cookie_and_a_new_session(self, stack,
                                                                             visitor):
        await visitor.get("/login")
        anonymous_token = visitor.csrf
        response = await visitor.post("/login", {"email": ADMIN[0], "password": ADMIN[1],
                                                 "next": "/schedule"})
        assert response.status_code == 303
        assert response.headers["location"] == "/schedule"
        cookie = response.headers["set-cookie"].lower()
        assert cookie.startswith("cascade_session=")
        assert "httponly" in cookie and "samesite=lax" in cookie
        await visitor.get("/schedule")
        assert visitor.csrf != anonymous_token  # the session id changed at login

    async def test_login_never_redirects_to_another_site(self, stack, visitor):
        await visitor.get("/login")
        response = await visitor.post("/login", {"email": ADMIN[0], "password": ADMIN[1],
                                                 "next": "//evil.example/"})
        assert response.headers["location"] == "/"

    @pytest.mark.parametrize("target", [
        "/\t/evil.example", "/\n/evil.example", "/\\evil.example",
        "/ /evil.example", "https://evil.example/", "/\x7f/evil.example", "//evil.example",
    ])
    @pytest.mark.parametrize("htmx", [False, True])
    async def test_next_is_only_ever_a_path_on_this_site(self, stack, visitor, target, htmx):
        """As found: next=/%09/evil.example passed and went out in HX-Redirect, which a
        browser resolves to //evil.example once it drops the tab."""
        await visitor.get("/login")
        headers = {"HX-Request": "true"} if htmx else {}
        response = await visitor.post("/login", {"email": ADMIN[0], "password": ADMIN[1],
                                                 "next": target}, headers=headers)
        sent = response.headers["hx-redirect" if htmx else "location"]
        assert sent == "/"

    async def test_next_keeps_a_path_of_this_site(self, stack, visitor):
        await visitor.get("/login")
        response = await visitor.post("/login", {"email": ADMIN[0], "password": ADMIN[1],
                                                 "next": "/schedule?tab=past"})
        assert response.headers["location"] == "/schedule?tab=past"

    async def test_logout_clears_the_session(self, stack, visitor):
        await visitor.login(*ADMIN)
        response = await visitor.post("/logout")
        assert response.status_code == 303
        assert (await visitor.get("/schedule")).status_code == 303


class TestLoginRequired:
    async def test_a_private_page_sends_an_anonymous_visitor_to_login_and_back(self, stack,
                                                                               visitor):
        response = await visitor.get("/schedule?x=1")
        assert response.status_code == 303
        assert response.headers["location"] == "/login?next=%2Fschedule%3Fx%3D1"

    async def test_htmx_asks_for_a_full_reload_to_the_login_page(self, stack, visitor):
        response = await visitor.get("/schedule", headers={"HX-Request": "true"})
        assert response.status_code == 200
        assert response.headers["HX-Redirect"].startswith("/login?next=")

    async def test_a_cookie_with_an_unknown_session_handle_means_login_again(self, stack,
                                                                              visitor):
        visitor.client.cookies.set("cascade_session",
                                   signed_session(stack, {"handle": "crt_made-up"}))
        response = await visitor.get("/schedule")
        assert response.status_code == 303
        assert response.headers["location"].startswith("/login?next=")

    async def test_an_access_token_in_the_cookie_is_not_accepted(self, stack, visitor):
        # The cookie used to hold the access token itself; it holds only a session handle now.
        token = await stack.token(*ADMIN)
        visitor.client.cookies.set("cascade_session", signed_session(stack, {"token": token}))
        response = await visitor.get("/schedule")
        assert response.status_code == 303

    async def test_a_token_the_services_reject_means_login_again(self, stack, visitor):
        await visitor.login(*ADMIN)
        key = ec.generate_private_key(ec.SECP256R1())
        forged = jwt.encode({"sub": "x", "exp": int(time.time()) + 600, "iat": int(time.time()),
                             "iss": "cascade-identity", "aud": ["scheduling"], "name": "Mallory"},
                            key, algorithm="ES256", headers={"kid": "unknown"})
        tokens = stack.apps["web"].state.access_tokens
        handle = session_data(stack, visitor)["handle"]
        tokens.put(handle, forged, 600)  # as if the services had stopped accepting its token
        response = await visitor.get("/schedule")
        assert response.status_code == 303
        assert response.headers["location"] == "/login?next=%2Fschedule"
        assert "cascade_session=null" in response.headers["set-cookie"]
        assert tokens.get(handle) is None


class TestHeaders:
    async def test_every_page_carries_the_security_headers(self, stack, visitor):
        for path in ("/", "/login", "/static/app.css", "/no-such-page"):
            response = await visitor.get(path)
            csp = response.headers["content-security-policy"]
            assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
            assert "unsafe-inline" not in csp
            assert response.headers["x-content-type-options"] == "nosniff"
            assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"

    async def test_pages_have_no_inline_script(self, stack, visitor):
        html = (await visitor.get("/login")).text
        assert "<script>" not in html and " on" + "click=" not in html
        assert '<script src="/static/vendor/htmx.min.js" defer></script>' in html


def signed_session(stack, data: dict) -> str:
    """A session cookie as web itself would sign it, holding `data`."""
    secret = stack.apps["web"].state.secret_key
    payload = base64.b64encode(json.dumps({"sid": "s" * 24, **data}).encode())
    return TimestampSigner(secret).sign(payload).decode()


def session_data(stack, visitor) -> dict:
    """What the visitor's session cookie holds, its signature checked."""
    secret = stack.apps["web"].state.secret_key
    signed = visitor.client.cookies["cascade_session"].encode()
    return json.loads(base64.b64decode(TimestampSigner(secret).unsign(signed)))


class TestSignInLimits:
    async def test_repeated_wrong_passwords_lock_the_email_and_the_page_says_so(self, stack,
                                                                                visitor):
        for _ in range(5):
            await visitor.get("/login")
            wrong = await visitor.post("/login", {"email": ADMIN[0], "password": "not-it-at-all"})
            assert wrong.status_code == 422
            assert "do not match" in wrong.text
        await visitor.get("/login")
        locked = await visitor.post("/login", {"email": ADMIN[0], "password": ADMIN[1]})
        assert locked.status_code == 422
        assert "Too many sign-in attempts" in locked.text
        assert "cascade_session" not in locked.headers.get("set-cookie", "")


class TestSignInLimitsPerBrowser:
    async def test_wrong_passwords_from_one_browser_do_not_lock_another_out(
            self, stack, visitor, another_visitor):
        # Both come through a load balancer (the gateway trusts loopback, as in `cascade run`):
        # web passes each browser's own address on to identity.
        visitor.client.headers["X-Forwarded-For"] = "198.51.100.66"
        another_visitor.client.headers["X-Forwarded-For"] = "203.0.113.10"
        for _ in range(5):
            await visitor.get("/login")
            wrong = await visitor.post("/login", {"email": ADMIN[0], "password": "not-it-at-all"})
            assert wrong.status_code == 422
        await visitor.get("/login")
        locked = await visitor.post("/login", {"email": ADMIN[0], "password": ADMIN[1]})
        assert "Too many sign-in attempts" in locked.text
        await another_visitor.login(*ADMIN)
        assert "Too many sign-in attempts" not in (await another_visitor.get("/")).text


class TestCaching:
    async def test_every_answer_to_a_signed_in_user_is_no_store(self, stack, visitor, network):
        await visitor.login(network.teachers[0]["email"])
        for path in ("/", "/schedule", "/transcript", "/mailbox", "/no-such-page"):
            response = await visitor.get(path)
            assert response.headers["cache-control"] == "no-store", path
        htmx = await visitor.get("/", headers={"HX-Request": "true", "HX-Target": "results"})
        assert htmx.headers["cache-control"] == "no-store"
        # The stylesheet is everyone's: still cacheable.
        assert "no-store" not in (await visitor.get("/static/app.css")).headers.get(
            "cache-control", "")

    async def test_an_anonymous_visitors_public_pages_may_be_cached(self, stack, visitor):
        for path in ("/", "/login"):
            assert "cache-control" not in (await visitor.get(path)).headers, path

    async def test_personal_api_answers_are_no_store_and_never_sniffed(self, stack, network):
        token = await stack.token(network.teachers[0]["email"], PASSWORD)
        for path in ("/api/identity/v1/me", "/api/scheduling/v1/me/messages",
                     "/api/scheduling/v1/me/registrations", "/api/scheduling/v1/me/transcript"):
            response = await stack.client.get(path, headers={"Authorization": f"Bearer {token}"})
            assert response.status_code == 200, (path, response.text)
            assert response.headers["cache-control"] == "no-store", path
            assert response.headers["x-content-type-options"] == "nosniff", path
        # A route that may be cached says so itself.
        jwks = await stack.client.get("/api/identity/v1/jwks.json")
        assert jwks.headers["cache-control"] == "public, max-age=60"
        assert jwks.headers["x-content-type-options"] == "nosniff"
