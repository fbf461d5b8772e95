"""A token bucket per client address on the routes that issue tokens and create accounts."""

import httpx
import pytest

from gateway.main import create_app
from shared.ratelimit import TokenBucket
from tests.gateway.conftest import echo_transports, header, settings_for


def callers(app, *addresses: str) -> list[httpx.AsyncClient]:
    return [httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=(address, 5000)),
                              base_url="http://cascade.test") for address in addresses]


@pytest.mark.parametrize("path", ["/api/identity/v1/token", "/api/identity/v1/accounts",
                                  "/api/identity/v1/password-resets",
                                  "/api/identity/v1/invitations/acceptances"])
async def test_the_request_after_the_burst_is_a_429_with_retry_after(path):
    app = create_app(settings_for(rate_limit_burst=3, rate_limit_per_second=0.5),
                     upstream_transports=echo_transports())
    first, second = callers(app, "198.51.100.1", "198.51.100.2")
    statuses = [(await first.post(path, data={"grant_type": "password"})).status_code
                for _ in range(3)]
    limited = await first.post(path, data={"grant_type": "password"})
    other_address = await second.post(path, data={"grant_type": "password"})
    other_route = await first.post("/api/identity/v1/organizations", json={})
    reads = await first.get(path)
    for caller in (first, second):
        await caller.aclose()

    assert statuses == [200, 200, 200]
    assert limited.status_code == 429
    assert limited.headers["content-type"] == "application/problem+json"
    assert limited.json()["code"] == "rate_limited"
    assert limited.headers["retry-after"] == "2"
    assert other_address.status_code == other_route.status_code == reads.status_code == 200


async def test_webs_forms_are_counted_at_the_api_route_web_calls_not_twice():
    # Web calls /token (or /accounts, ...) through the gateway for each form, with the
    # browser's address: counting the form too made each sign-in cost two.
    app = create_app(settings_for(rate_limit_burst=1), upstream_transports=echo_transports())
    [browser] = callers(app, "198.51.100.1")
    statuses = [(await browser.post(path)).status_code
                for path in ("/login", "/login", "/signup", "/forgot-password")]
    await browser.aclose()
    assert statuses == [200] * 4


async def test_exempt_addresses_are_not_limited():
    app = create_app(settings_for(rate_limit_burst=1, rate_limit_exempt=["10.0.0.0/8"]),
                     upstream_transports=echo_transports())
    web, outsider = callers(app, "10.1.2.3", "198.51.100.9")
    internal = [(await web.post("/api/identity/v1/token")).status_code for _ in range(5)]
    external = [(await outsider.post("/api/identity/v1/token")).status_code for _ in range(2)]
    for caller in (web, outsider):
        await caller.aclose()
    assert internal == [200] * 5
    assert external == [200, 429]


def test_the_bucket_refills_with_time(monkeypatch):
    now = [100.0]
    monkeypatch.setattr("shared.ratelimit.time.monotonic", lambda: now[0])
    bucket = TokenBucket(burst=2, per_second=1.0)
    assert [bucket.take("a"), bucket.take("a")] == [0.0, 0.0]
    assert bucket.take("a") == pytest.approx(1.0)
    now[0] += 0.5
    assert bucket.take("a") == pytest.approx(0.5)
    now[0] += 0.5
    assert bucket.take("a") == 0.0


def behind(app, peer: str, forwarded: str | None) -> httpx.AsyncClient:
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=(peer, 5000)),
                             base_url="http://cascade.test", headers=headers)


class TestClientAddress:
    """The limit and the X-Forwarded-For sent upstream name the client, also behind a load
    balancer; a forwarded address is believed only from a configured trusted proxy."""

    def app(self, trusted_proxies=("10.0.0.0/8",)):
        return create_app(settings_for(rate_limit_burst=2, rate_limit_per_second=0.01,
                                       trusted_proxies=list(trusted_proxies)),
                          upstream_transports=echo_transports())

    async def test_behind_a_trusted_proxy_each_client_has_its_own_bucket(self):
        app = self.app()
        first, second = (behind(app, "10.0.0.5", "198.51.100.1"),
                         behind(app, "10.0.0.6", "198.51.100.2"))
        statuses = [(await first.post("/api/identity/v1/token")).status_code for _ in range(3)]
        other = await second.post("/api/identity/v1/token")
        for caller in (first, second):
            await caller.aclose()
        assert statuses == [200, 200, 429]  # one client, though it came through two proxies
        assert other.status_code == 200
        assert header(other.json(), "x-forwarded-for") == ["198.51.100.2"]

    async def test_the_right_most_untrusted_hop_is_the_client(self):
        # The client wrote the left part itself; the proxies appended what they saw.
        app = self.app()
        caller = behind(app, "10.0.0.5", "192.0.2.66, 198.51.100.1, 10.1.2.3")
        answer = (await caller.get("/api/identity/v1/whoami")).json()
        await caller.aclose()
        assert header(answer, "x-forwarded-for") == ["198.51.100.1"]

    async def test_a_forwarded_address_from_an_untrusted_peer_is_ignored(self):
        app = self.app()
        statuses, seen = [], {}
        for n in range(3):  # a new spoofed address each time: still one bucket, the peer's
            caller = behind(app, "203.0.113.9", f"198.51.100.{n}")
            response = await caller.post("/api/identity/v1/token")
            statuses.append(response.status_code)
            if response.status_code == 200:
                seen = response.json()
            await caller.aclose()
        assert statuses == [200, 200, 429]
        assert header(seen, "x-forwarded-for") == ["203.0.113.9"]

    async def test_with_no_trusted_proxy_the_socket_peer_is_the_client(self):
        app = self.app(trusted_proxies=())
        caller = behind(app, "10.0.0.5", "198.51.100.1")
        answer = (await caller.get("/api/identity/v1/whoami")).json()
        await caller.aclose()
        assert header(answer, "x-forwarded-for") == ["10.0.0.5"]
