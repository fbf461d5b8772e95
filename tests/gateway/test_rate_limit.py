"""A token bucket per client address on the routes that issue tokens and create accounts."""

import httpx
import pytest

from gateway.main import create_app
from gateway.middleware import TokenBucket
from tests.gateway.conftest import echo_transports, settings_for

def callers(app, *addresses: str) -> list[httpx.AsyncClient]:
    return [httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=(address, 5000)),
                              base_url="http://cascade.test") for address in addresses]


@pytest.mark.parametrize("path", ["/api/identity/v1/token", "/api/identity/v1/accounts",
                                  "/login", "/signup"])
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


async def test_cascades_own_callers_are_not_limited():
    # web signs every browser user in from its one address: limiting it would limit them all.
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
    monkeypatch.setattr("gateway.middleware.time.monotonic", lambda: now[0])
    bucket = TokenBucket(burst=2, per_second=1.0)
    assert [bucket.take("a"), bucket.take("a")] == [0.0, 0.0]
    assert bucket.take("a") == pytest.approx(1.0)
    now[0] += 0.5
    assert bucket.take("a") == pytest.approx(0.5)
    now[0] += 0.5
    assert bucket.take("a") == 0.0
