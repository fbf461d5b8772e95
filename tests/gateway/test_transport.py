"""The gateway's own keep-alive transport against real uvicorn servers on 127.0.0.1."""

import asyncio

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, StreamingResponse
from starlette.routing import Route

from gateway.transport import PooledTransport
from tests.gateway.conftest import echo_app, free_port, serve

TIMEOUT = httpx.Timeout(2.0, connect=0.5)


def client_over(url: str, *, max_connections: int = 4,
                keepalive_expiry: float = 4.0) -> httpx.AsyncClient:
    limits = httpx.Limits(max_connections=max_connections,
                          max_keepalive_connections=max_connections,
                          keepalive_expiry=keepalive_expiry)
    transport = PooledTransport(url, limits=limits, timeout=TIMEOUT)
    return httpx.AsyncClient(transport=transport, base_url=url)


async def test_sequential_requests_reuse_one_connection():
    async with serve(echo_app("web")) as url, client_over(url) as client:
        peers = {(await client.get(f"/page/{i}")).json()["peer"] for i in range(20)}
    assert len(peers) == 1


async def test_concurrency_is_capped_at_max_connections():
    async with serve(echo_app("web")) as url, client_over(url, max_connections=3) as client:
        answers = await asyncio.gather(*(client.get(f"/page/{i}") for i in range(30)))
    assert {a.status_code for a in answers} == {200}
    assert len({a.json()["peer"] for a in answers}) <= 3


async def test_a_connection_the_server_dropped_while_idle_is_replaced():
    async def farewell(request: Request) -> PlainTextResponse:
        return PlainTextResponse("bye", headers={"Connection": "close"})

    app = Starlette(routes=[Route("/bye", farewell), Route("/{p:path}", echo_app("web"))])
    async with serve(app) as url, client_over(url) as client:
        first = await client.get("/hello")
        assert (await client.get("/bye")).text == "bye"
        after = await client.get("/hello")
    assert after.status_code == 200
    assert after.json()["peer"] != first.json()["peer"]


async def test_idle_connections_past_their_expiry_are_not_reused():
    async with serve(echo_app("web")) as url, \
            client_over(url, keepalive_expiry=0.05) as client:
        first = (await client.get("/a")).json()["peer"]
        await asyncio.sleep(0.1)
        second = (await client.get("/b")).json()["peer"]
    assert first != second


async def test_head_and_chunked_answers_leave_the_pool_usable():
    async def chunked(request: Request) -> StreamingResponse:
        async def parts():
            for index in range(5):
                yield f"part{index};".encode()
        return StreamingResponse(parts(), media_type="text/plain")

    app = Starlette(routes=[Route("/chunked", chunked), Route("/{p:path}", echo_app("web"),
                                                             methods=["GET", "HEAD", "POST"])])
    async with serve(app) as url, client_over(url) as client:
        head = await client.head("/page")
        streamed = await client.get("/chunked")
        posted = await client.post("/page", content=b"x" * 1000)
    assert head.status_code == 200 and head.content == b""
    assert int(head.headers["content-length"]) > 0
    assert streamed.text == "part0;part1;part2;part3;part4;"
    assert posted.json()["body_length"] == 1000


async def test_a_refused_connection_is_a_connect_error():
    async with client_over(f"http://127.0.0.1:{free_port()}") as client:
        with pytest.raises(httpx.ConnectError):
            await client.get("/")
