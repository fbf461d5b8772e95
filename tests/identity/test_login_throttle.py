"""Wrong passwords are counted inside identity per (email, client address), with a growing
back-off, and per email from every address together against a far higher ceiling. The client
address is the gateway's X-Forwarded-For, believed only from a trusted peer (the tests' client
is 127.0.0.1, trusted by default, like the gateway in `cascade run`)."""

import asyncio
import time

import httpx
import pytest

from services.identity.accounts import passwords
from services.identity.logins.service import backoff
from tests.identity.conftest import ADMIN_EMAIL, BASE, PASSWORD

PROBLEM = "application/problem+json"
MAX_FAILURES = 5
EMAIL = "pat@example.org"


@pytest.fixture
def login_window() -> int:
    """Seconds failures are counted for; a test that waits for the window to pass makes it short."""
    return 60


@pytest.fixture
def login_backoff() -> int:
    return 60


@pytest.fixture
def email_ceiling() -> int:
    return 100


@pytest.fixture
def identity_settings(identity_settings, login_window, login_backoff, email_ceiling):
    return identity_settings.model_copy(update={
        "login_max_failures": MAX_FAILURES, "login_failure_window": login_window,
        "login_backoff_seconds": login_backoff, "login_email_ceiling": email_ceiling})


async def sign_in(api, email: str, password: str, *, address: str | None = None,
                  client: httpx.AsyncClient | None = None):
    headers = {"X-Forwarded-For": address} if address else {}
    return await (client or api.client).post(f"{BASE}/token", headers=headers, data={
        "grant_type": "password", "username": email, "password": password})


async def fail(api, email: str, times: int = MAX_FAILURES, **where) -> None:
    for _ in range(times):
        assert (await sign_in(api, email, "not the password", **where)).status_code == 401


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


ATTACKER, OWNER = "198.51.100.66", "203.0.113.10"


class TestPerAddress:
    async def test_an_attackers_wrong_passwords_do_not_lock_the_owner_out(self, api,
                                                                          login_window):
        await api.user(EMAIL)
        await fail(api, EMAIL, address=ATTACKER)
        assert_locked(await sign_in(api, EMAIL, PASSWORD, address=ATTACKER), login_window)
        # Before, five wrong passwords locked the email for everyone.
        assert (await sign_in(api, EMAIL, PASSWORD, address=OWNER)).status_code == 200
        # The owner's sign-in does not lift the attacker's back-off.
        assert_locked(await sign_in(api, EMAIL, PASSWORD, address=ATTACKER), login_window)
        [entry] = await locks(api)
        assert entry["details"]["client_address"] == ATTACKER

    @pytest.mark.parametrize("login_backoff", [2])
    async def test_the_back_off_doubles_with_each_further_failure(self, api, login_backoff):
        await api.user(EMAIL)
        await fail(api, EMAIL, address=ATTACKER)
        waits = []
        for _ in range(2):
            locked = await sign_in(api, EMAIL, "guess", address=ATTACKER)
            assert locked.status_code == 429, locked.text
            waits.append(int(locked.headers["retry-after"]))
            deadline = time.monotonic() + waits[-1] + 3
            # Once the wait is over, one more guess is taken (and is wrong).
            while (answer := await sign_in(api, EMAIL, "guess", address=ATTACKER)
                   ).status_code == 429:
                assert time.monotonic() < deadline, "still locked long after the back-off"
                await asyncio.sleep(0.1)
            assert answer.status_code == 401
        locked = await sign_in(api, EMAIL, "guess", address=ATTACKER)
        waits.append(int(locked.headers["retry-after"]))
        # 2 s, 4 s, 8 s (a second less if the clock ticked between failure and refusal).
        assert 1 <= waits[0] <= 2 and 3 <= waits[1] <= 4 and 7 <= waits[2] <= 8

    def test_the_back_off_is_capped(self, identity_settings):
        settings = identity_settings.model_copy(update={"login_backoff_seconds": 60,
                                                        "login_backoff_max": 900})
        assert [backoff(settings, n) for n in (4, 5, 6, 7, 9, 40)] == [
            0, 60, 120, 240, 900, 900]

    @pytest.mark.parametrize("email_ceiling", [12])
    async def test_the_ceiling_per_email_stops_guesses_from_many_addresses(self, api,
                                                                           login_window):
        await api.user(EMAIL)
        for n in range(3):  # each address stays under its own limit
            await fail(api, EMAIL, MAX_FAILURES - 1, address=f"192.0.2.{n}")
        # Twelve from everywhere: the email is locked for everyone, the owner included.
        assert_locked(await sign_in(api, EMAIL, PASSWORD, address=OWNER), login_window)
        assert (await sign_in(api, ADMIN_EMAIL, PASSWORD, address=OWNER)).status_code == 200
        audited = await api.client.get(f"{BASE}/audit", params={"limit": 200},
                                       headers=await api.admin())
        ceilings = [e for e in audited.json()["items"] if e["action"] == "login.email_locked"]
        assert [e["details"]["failures"] for e in ceilings] == [12]

    async def test_a_forwarded_address_from_an_untrusted_peer_is_ignored(self, api,
                                                                         identity_app,
                                                                         login_window):
        await api.user(EMAIL)
        outsider = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=identity_app, client=("203.0.113.99", 4000)),
            base_url="http://identity")
        async with outsider:
            for n in range(MAX_FAILURES):  # a new made-up address each time
                answer = await sign_in(api, EMAIL, "guess", address=f"192.0.2.{n}",
                                       client=outsider)
                assert answer.status_code == 401
            # All counted against the peer itself: it is locked, whatever it claims.
            assert_locked(await sign_in(api, EMAIL, PASSWORD, address="192.0.2.200",
                                        client=outsider), login_window)
        [entry] = await locks(api)
        assert entry["details"]["client_address"] == "203.0.113.99"
