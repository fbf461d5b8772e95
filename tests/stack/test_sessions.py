"""Hole 7 as it was found, through the whole stack: logout cleared a cookie that held the JWT
itself, so a copied cookie (or its token) kept working for 30 minutes. Now the cookie holds a
login-session handle that dies at logout, and every service refuses an ended session's tokens
within the revocation bound."""

import base64
import json
import re
import time
from html import unescape

import httpx
import jwt

from tests.support.stack import BASE_URL, ROOT_LOGIN, InProcessStack, bearer, eventually

CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')
BOUND = 1.0  # seconds: CASCADE_REVOCATION_CACHE_SECONDS for these stacks (30 s by default)
MY_REGISTRATIONS = "/api/scheduling/v1/me/registrations"


def browser(stack) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=stack.gateway), base_url=BASE_URL)


async def csrf(client: httpx.AsyncClient, path: str) -> str:
    page = await client.get(path)
    return unescape(CSRF_FIELD.search(page.text).group(1))


async def bounded_stack(database_urls, tmp_path):
    stack = InProcessStack(database_urls, var_dir=tmp_path, revocation_cache_seconds=BOUND)
    await stack.__aenter__()
    await stack.create_admin(*ROOT_LOGIN)
    return stack


def sid(token: str) -> str:
    return jwt.decode(token, options={"verify_signature": False})["sid"]


async def refused_within(stack, token: str, bound: float) -> float:
    """Seconds until scheduling refuses `token`, asserting it happens within `bound`."""
    started = time.monotonic()

    async def refused():
        response = await stack.client.get(MY_REGISTRATIONS, headers=bearer(token))
        return response if response.status_code == 401 else None

    response = await eventually(refused, timeout=bound + 2, interval=0.05)
    elapsed = time.monotonic() - started
    assert elapsed <= bound + 0.5, f"refused only after {elapsed:.2f}s"
    assert response.headers["content-type"] == "application/problem+json"
    assert "session" in response.json()["detail"]
    return elapsed


async def test_a_copied_web_cookie_stops_working_after_logout(database_urls, tmp_path):
    stack = await bounded_stack(database_urls, tmp_path)
    try:
        async with browser(stack) as mine, browser(stack) as thief:
            login = await mine.post("/login", data={
                "csrf_token": await csrf(mine, "/login"), "email": ROOT_LOGIN[0],
                "password": ROOT_LOGIN[1]})
            assert login.status_code == 303
            assert (await mine.get("/schedule")).status_code == 200
            copied = mine.cookies["cascade_session"]
            thief.cookies.set("cascade_session", copied)
            assert (await thief.get("/schedule")).status_code == 200  # a copy works before...

            out = await mine.post("/logout", data={"csrf_token": await csrf(mine, "/schedule")})
            assert out.status_code == 303

            after = await thief.get("/schedule")  # ...and never after the logout
            assert after.status_code == 303 and after.headers["location"].startswith("/login")
            # And no access token inside the cookie to replay: a CSRF id and the dead handle.
            held = json.loads(base64.b64decode(copied.split(".")[0]))
            assert set(held) == {"sid", "handle"} and held["handle"].startswith("crt_")
    finally:
        await stack.__aexit__(None, None, None)


async def test_a_revoked_sessions_token_is_refused_by_scheduling_within_the_bound(
        database_urls, tmp_path):
    stack = await bounded_stack(database_urls, tmp_path)
    try:
        stolen = await stack.token(*ROOT_LOGIN)
        owner = await stack.token(*ROOT_LOGIN)
        assert (await stack.client.get(MY_REGISTRATIONS, headers=bearer(stolen))).status_code \
            == 200
        ended = await stack.client.delete(f"/api/identity/v1/me/sessions/{sid(stolen)}",
                                          headers=bearer(owner))
        assert ended.status_code == 204
        # Identity reads its own table: refused at once.
        assert (await stack.client.get("/api/identity/v1/me", headers=bearer(stolen))
                ).status_code == 401
        await refused_within(stack, stolen, BOUND)
        assert (await stack.client.get(MY_REGISTRATIONS, headers=bearer(owner))).status_code \
            == 200
    finally:
        await stack.__aexit__(None, None, None)


async def test_a_password_change_ends_the_other_sessions_everywhere(database_urls, tmp_path):
    stack = await bounded_stack(database_urls, tmp_path)
    try:
        other = await stack.token(*ROOT_LOGIN)
        here = await stack.token(*ROOT_LOGIN)
        assert (await stack.client.get(MY_REGISTRATIONS, headers=bearer(other))).status_code \
            == 200
        changed = await stack.client.post("/api/identity/v1/me/password", headers=bearer(here),
                                          json={"current_password": ROOT_LOGIN[1],
                                                "new_password": "a new root password"})
        assert changed.status_code == 200 and changed.json() == {"ended_sessions": 1}
        await refused_within(stack, other, BOUND)
        assert (await stack.client.get(MY_REGISTRATIONS, headers=bearer(here))).status_code \
            == 200
    finally:
        await stack.__aexit__(None, None, None)
