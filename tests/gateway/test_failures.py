"""Failures the gateway observes itself, over real sockets on 127.0.0.1: a stopped service, a hung
one, a full pool, and bodies too large to take."""

import asyncio
import time

import pytest

from tests.gateway.conftest import free_port, gateway_client, hung_server, settings_for


def assert_problem(response, status: int, code: str) -> None:
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == code
    assert response.json()["request_id"] == response.headers["x-request-id"]


@pytest.mark.parametrize("transport", ["pool", "httpx"])
async def test_a_stopped_service_is_a_503_with_retry_after_within_a_second(transport):
    settings = settings_for(scheduling_url=f"http://127.0.0.1:{free_port()}",
                            transport=transport)
    async with gateway_client(settings) as gateway:
        started = time.monotonic()
        response = await gateway.get("/api/scheduling/v1/events")
        elapsed = time.monotonic() - started
    assert_problem(response, 503, "upstream_unavailable")
    assert int(response.headers["retry-after"]) > 0
    assert elapsed < 1.0


@pytest.mark.parametrize("transport", ["pool", "httpx"])
async def test_a_hung_service_is_a_504_after_the_read_timeout(transport):
    async with hung_server() as url:
        settings = settings_for(evidence_url=url, read_timeout=0.5, transport=transport)
        async with gateway_client(settings) as gateway:
            started = time.monotonic()
            response = await gateway.get("/api/evidence/v1/files")
            elapsed = time.monotonic() - started
    assert_problem(response, 504, "upstream_timeout")
    assert 0.45 <= elapsed < 2.0


async def test_a_full_pool_is_a_503_with_retry_after():
    async with hung_server() as url:
        settings = settings_for(reach_url=url, read_timeout=3.0, max_connections=1,
                                pool_timeout=0.2)
        async with gateway_client(settings) as gateway:
            holder = asyncio.create_task(gateway.get("/api/reach/v1/reports/slow"))
            await asyncio.sleep(0.1)  # the only connection is now waiting on the hung service
            started = time.monotonic()
            response = await gateway.get("/api/reach/v1/reports")
            elapsed = time.monotonic() - started
            holder.cancel()
            await asyncio.gather(holder, return_exceptions=True)
    assert_problem(response, 503, "gateway_saturated")
    assert response.headers["retry-after"] == "1"
    assert elapsed < 1.0


async def test_a_service_closing_without_an_answer_is_a_502():
    async def close_at_once(reader, writer):
        await reader.readuntil(b"\r\n\r\n")
        writer.close()

    server = await asyncio.start_server(close_at_once, "127.0.0.1", 0)
    url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    try:
        async with gateway_client(settings_for(identity_url=url)) as gateway:
            response = await gateway.post("/api/identity/v1/accounts", json={})
    finally:
        server.close()
        await server.wait_closed()
    assert_problem(response, 502, "bad_gateway")
