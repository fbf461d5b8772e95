"""Wrong passwords are counted per email inside identity, whoever calls and from wherever: the
gateway's per-address limit exempts the web front end, which signs every browser user in."""

import asyncio
import time

import pytest

from services.identity.accounts import passwords
from tests.identity.conftest import ADMIN_EMAIL, BASE, PASSWORD

PROBLEM = "application/problem+json"
MAX_FAILURES = 5
EMAIL = "pat@example.org"


@pytest.fixture
def login_window() -> int:
    """Seconds failures are counted for; a test that waits for the window to pass makes it short."""
    return 60


@pytest.fixture
def identity_settings(identity_settings, login_window):
    return identity_settings.model_copy(update={"login_max_failures": MAX_FAILURES,
                                                "login_failure_window": login_window})


async def sign_in(api, email: str, password: str):
    return await api.client.post(f"{BASE}/token", data={
        "grant_type": "password", "username": email, "password": password})


async def fail(api, email: str, times: int = MAX_FAILURES) -> None:
    for _ in range(times):
        assert (await sign_in(api, email, "not the password")).status_code == 401


async def locks(api) -> list[dict]:
    response = await api.client.get(f"{BASE}/audit", params={"limit": 200},
                                    headers=await api.admin())
    assert response.status_code == 200, response.text
    return [entry for entry in response.json()["items"] if entry["action"] == "login.locked"]


def assert_locked(response, window: int) -> None:
    assert response.status_code == 429, response.text
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["code"] == "too_many_attempts"
    assert 1 <= int(response.headers["retry-after"]) <= window


class TestLockout:
    async def test_the_right_password_is_refused_after_five_wrong_ones(self, api, login_window):
        await api.user(EMAIL)
        await fail(api, EMAIL)
        assert_locked(await sign_in(api, EMAIL, PASSWORD), login_window)

    async def test_a_locked_email_is_refused_without_checking_the_password(self, api,
                                                                            monkeypatch):
        await api.user(EMAIL)
        await fail(api, EMAIL)
        checked = []
        real_verify = passwords.verify_password

        async def counting_verify(password_hash, password):
            checked.append(password)
            return await real_verify(password_hash, password)

        monkeypatch.setattr(passwords, "verify_password", counting_verify)
        assert (await sign_in(api, EMAIL, PASSWORD)).status_code == 429
        assert (await sign_in(api, EMAIL, "another guess")).status_code == 429
        assert checked == []

    async def test_an_unknown_email_locks_the_same_way(self, api, login_window):
        await fail(api, "nobody@example.org")
        assert_locked(await sign_in(api, "nobody@example.org", PASSWORD), login_window)

    async def test_the_email_is_counted_whatever_its_case(self, api, login_window):
        await api.user(EMAIL)
        await fail(api, EMAIL.upper(), MAX_FAILURES - 1)
        await fail(api, f"  {EMAIL}", 1)
        assert_locked(await sign_in(api, EMAIL, PASSWORD), login_window)

    async def test_another_email_is_unaffected(self, api):
        await api.user(EMAIL)
        await api.user("sam@example.org")
        await fail(api, EMAIL)
        assert (await sign_in(api, "sam@example.org", "wrong")).status_code == 401
        assert (await sign_in(api, "sam@example.org", PASSWORD)).status_code == 200

    async def test_four_wrong_passwords_still_let_the_right_one_in(self, api):
        await api.user(EMAIL)
        await fail(api, EMAIL, MAX_FAILURES - 1)
        assert (await sign_in(api, EMAIL, PASSWORD)).status_code == 200

    async def test_locking_is_audited_once_without_an_organization(self, api):
        await api.user(EMAIL)
        await fail(api, EMAIL)
        assert (await sign_in(api, EMAIL, "still wrong")).status_code == 429
        assert (await sign_in(api, EMAIL, PASSWORD)).status_code == 429
        [entry] = await locks(api)
        assert entry["organization_id"] is None
        assert entry["details"]["email"] == EMAIL
        assert entry["details"]["failures"] == MAX_FAILURES


class TestRelease:
    async def test_a_successful_sign_in_clears_the_failures(self, api):
        await api.user(EMAIL)
        await fail(api, EMAIL, MAX_FAILURES - 1)
        assert (await sign_in(api, EMAIL, PASSWORD)).status_code == 200
        await fail(api, EMAIL, MAX_FAILURES - 1)
        assert (await sign_in(api, EMAIL, PASSWORD)).status_code == 200

    @pytest.mark.parametrize("login_window", [2])
    async def test_the_right_password_works_once_the_window_has_passed(self, api, login_window):
        await api.user(EMAIL)
        await fail(api, EMAIL)
        locked = await sign_in(api, EMAIL, PASSWORD)
        assert_locked(locked, login_window)
        started = time.monotonic()
        deadline = started + login_window + 3
        while (answer := await sign_in(api, EMAIL, PASSWORD)).status_code == 429:
            assert time.monotonic() < deadline, "still locked long after the window passed"
            await asyncio.sleep(0.1)
        assert answer.status_code == 200, answer.text
        # The success cleared the count: a full new allowance of wrong passwords, not one.
        await fail(api, EMAIL, MAX_FAILURES - 1)
        assert (await sign_in(api, EMAIL, PASSWORD)).status_code == 200


class TestConcurrency:
    async def test_twenty_parallel_wrong_passwords_leave_the_email_locked(self, api,
                                                                         login_window):
        await api.user(EMAIL)
        await api.admin()
        answers = await asyncio.gather(*(sign_in(api, EMAIL, f"guess {n}") for n in range(20)))
        statuses = [answer.status_code for answer in answers]
        assert set(statuses) <= {401, 429}
        assert statuses.count(401) >= MAX_FAILURES
        assert_locked(await sign_in(api, EMAIL, PASSWORD), login_window)
        assert len(await locks(api)) == 1
        # The admin's own sign-in, a different email, was never throttled.
        assert (await sign_in(api, ADMIN_EMAIL, PASSWORD)).status_code == 200
