"""The gateway's own keep-alive transport against real servers on 127.0.0.1, well-behaved or
not."""

import asyncio
from contextlib import asynccontextmanager

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route

from gateway.main import create_app
from gateway.transport import PooledTransport, Timeouts
from tests.gateway.conftest import echo_app, free_port, serve, settings_for

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


# Misbehaving upstreams. The pool's four bugs of issue 7 (B1-B4), each against a real upstream
# on 127.0.0.1, then the invariants that hold whatever the upstream does, for the gateway's own
# pool and for aiohttp's client (transport="aiohttp"), which the gateway may use instead.

TRANSPORTS = ["pool", "aiohttp"]


def pool_over(url: str, *, max_connections: int = 1, read: float = 2.0,
              pool: float = 2.0) -> PooledTransport:
    limits = httpx.Limits(max_connections=max_connections,
                          max_keepalive_connections=max_connections, keepalive_expiry=4.0)
    return PooledTransport(url, limits=limits,
                           timeout=httpx.Timeout(read, connect=0.5, pool=pool))


async def fetch(pool: PooledTransport, path: str) -> tuple[int, bytes]:
    answer = await pool.open(b"GET", path.encode(), [])
    try:
        body = answer.body() if answer.complete else b"".join(
            [chunk async for chunk in answer.aiter_raw()])
        return answer.status, body
    finally:
        await answer.aclose()


def path_app() -> Starlette:
    """Answers every GET with its own path; /big with 300 KiB (past the read high-water mark)."""
    async def answer(request: Request) -> PlainTextResponse:
        if request.url.path == "/big":
            return PlainTextResponse("x" * (300 * 1024))
        return PlainTextResponse(request.url.path)
    return Starlette(routes=[Route("/{p:path}", answer)])


class TestPoolBookkeeping:
    @pytest.mark.parametrize("turns", [0, 1, 2])
    async def test_a_waiter_handed_a_connection_as_its_pool_timeout_fires_gives_it_back(
            self, turns):
        # B1: the handover and the timeout land in one loop iteration (a pool timeout of 0
        # fires on the waiter's first turn), so the waiter times out holding a connection.
        async with serve(path_app()) as url:
            pool = pool_over(url)
            held = await pool.open(b"GET", b"/held", [])
            while not held.complete:
                await asyncio.sleep(0.01)
            waiting = asyncio.create_task(pool.open(
                b"GET", b"/late", [], timeouts=Timeouts(0.5, 2.0, 2.0, 0.0)))
            for _ in range(turns + 1):
                await asyncio.sleep(0)
            held.body()
            await held.aclose()  # hands the connection to the waiter
            try:
                late = await waiting
                await late.aclose()
            except httpx.PoolTimeout:
                pass
            # Whatever the waiter got, the pool's one connection is not lost.
            assert await fetch(pool, "/after") == (200, b"/after")
            assert pool._open == 1
            await pool.aclose()

    async def test_a_cancelled_waiter_handed_a_free_slot_passes_it_on_once(self):
        # B2: the held answer is not reusable (the upstream closes), so its slot is freed and
        # handed to the waiter, which is cancelled before it runs: the slot must be counted once.
        async def closing(request: Request) -> PlainTextResponse:
            return PlainTextResponse("bye", headers={"Connection": "close"})

        app = Starlette(routes=[Route("/bye", closing), Route("/{p:path}", path_app())])
        async with serve(app) as url:
            pool = pool_over(url)
            held = await pool.open(b"GET", b"/bye", [])
            waiting = asyncio.create_task(pool.open(b"GET", b"/never", []))
            await asyncio.sleep(0)
            assert len(pool._waiters) == 1
            await held.aclose()  # frees the slot for the waiter
            waiting.cancel()
            with pytest.raises(asyncio.CancelledError):
                await waiting
            assert pool._open == 0
            # The limit still holds: two requests at once share one connection in turn.
            assert await asyncio.gather(fetch(pool, "/a"), fetch(pool, "/b")) == [
                (200, b"/a"), (200, b"/b")]
            assert pool._open == 1
            await pool.aclose()

    async def test_a_large_answer_read_whole_leaves_the_connection_reading(self):
        # B4: past 256 KiB the socket is paused; an answer complete before it is relayed is
        # taken whole, and the connection must not go back to the pool still paused.
        async with serve(path_app()) as url:
            pool = pool_over(url, read=1.0)
            answer = await pool.open(b"GET", b"/big", [])
            async with asyncio.timeout(2):
                while not answer.complete:
                    await asyncio.sleep(0.01)
            assert len(answer.body()) == 300 * 1024
            await answer.aclose()
            assert await fetch(pool, "/next") == (200, b"/next")  # a ReadTimeout before
            await pool.aclose()

    async def test_a_body_cut_short_by_the_upstream_is_an_error_and_not_reused(self):
        async def half(reader, writer):
            await reader.readuntil(b"\r\n\r\n")
            writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 200000\r\n\r\n" + b"x" * 100000)
            await writer.drain()
            writer.close()

        async with raw_upstream(half) as url:
            pool = pool_over(url)
            with pytest.raises(httpx.ReadError):
                await fetch(pool, "/half")
            assert pool._open == 0 and pool._idle == []
            await pool.aclose()


@asynccontextmanager
async def raw_upstream(handle):
    """A TCP server on 127.0.0.1 that speaks HTTP by hand through `handle(reader, writer)`,
    so it can misbehave in ways no framework allows; yields its base URL."""
    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    try:
        yield f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    finally:
        server.close()
        await server.wait_closed()


@asynccontextmanager
async def gateway_over(url: str, transport: str, **settings):
    """The gateway on a real uvicorn server, every API pointed at `url`; yields a client."""
    app = create_app(settings_for(identity_url=url, transport=transport, **settings))
    try:
        async with serve(app) as gateway_url, httpx.AsyncClient(
                base_url=gateway_url, timeout=5.0) as client:
            yield client, app
    finally:
        for upstream in app.state.upstreams.values():
            await upstream.aclose()


def early_answer_app() -> Starlette:
    """/upload refuses at once, before reading the body (as evidence does past its limit). The
    head goes out first and the rest a moment later, so the gateway sees the answer begin while
    it is still sending, and end after it has stopped."""
    async def refuse(request: Request) -> StreamingResponse:
        async def later():
            await asyncio.sleep(0.05)
            yield b"too large"
        return StreamingResponse(later(), status_code=413, media_type="text/plain")

    async def echo(request: Request) -> PlainTextResponse:
        return PlainTextResponse(f"{request.method} {request.url.path} "
                                 f"{len(await request.body())}")

    return Starlette(routes=[Route("/api/identity/v1/upload", refuse, methods=["POST"]),
                             Route("/{p:path}", echo, methods=["GET", "POST"])])


async def slow_body(size: int = 64 * 1024, parts: int = 20):
    for _ in range(parts):
        yield b"y" * size
        await asyncio.sleep(0.005)


class TestMisbehavingUpstreams:
    @pytest.mark.parametrize("transport", TRANSPORTS)
    @pytest.mark.parametrize("framing", ["chunked", "content-length"])
    async def test_an_answer_before_the_whole_body_is_relayed_and_the_connection_dropped(
            self, transport, framing):
        # B3: with the connection back in the pool, half a body on the wire, the next request
        # was read upstream as body bytes (a 400, or a wait until the read timeout).
        headers = {"content-length": str(20 * 64 * 1024)} if framing == "content-length" else {}
        async with serve(early_answer_app()) as url, \
                gateway_over(url, transport, max_connections=1, read_timeout=2.0) as (gw, _):
            refused = await gw.post("/api/identity/v1/upload", content=slow_body(),
                                    headers=headers)
            after = [await gw.get(f"/api/identity/v1/after/{n}") for n in range(3)]
            posted = await gw.post("/api/identity/v1/small", content=b"z" * 10)
        assert (refused.status_code, refused.text) == (413, "too large")
        assert [(a.status_code, a.text) for a in after] == [
            (200, f"GET /api/identity/v1/after/{n} 0") for n in range(3)]
        assert posted.text == "POST /api/identity/v1/small 10"

    @pytest.mark.parametrize("transport", TRANSPORTS)
    async def test_an_upstream_closing_mid_body_fails_that_answer_only(self, transport):
        served = 0

        async def half_then_whole(reader, writer):
            nonlocal served
            while head := await reader.readuntil(b"\r\n\r\n"):
                served += 1
                if b"/half" in head.split(b"\r\n", 1)[0]:
                    writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 200000\r\n\r\n"
                                 + b"x" * 100000)
                    await writer.drain()
                    writer.close()
                    return
                writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nwhole")
                await writer.drain()

        async with raw_upstream(half_then_whole) as url:
            async with gateway_over(url, transport, max_connections=1) as (gw, _):
                with pytest.raises(httpx.RemoteProtocolError):  # not relayed as complete
                    await gw.get("/api/identity/v1/half")
                after = await gw.get("/api/identity/v1/whole")
        assert (after.status_code, after.text) == (200, "whole")

    @pytest.mark.parametrize("transport", TRANSPORTS)
    async def test_bytes_sent_on_an_idle_connection_are_never_read_as_an_answer(self, transport):
        async def stray_after_first(reader, writer):
            head = await reader.readuntil(b"\r\n\r\n")
            target = head.split(b" ", 2)[1]
            writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: %d\r\n\r\n%s"
                         % (len(target), target))
            # Then, unasked, what a server timing out an idle connection may send.
            writer.write(b"HTTP/1.1 408 Request Timeout\r\ncontent-length: 5\r\n\r\nstray")
            await writer.drain()
            await reader.read()
            writer.close()

        async with raw_upstream(stray_after_first) as url:
            async with gateway_over(url, transport, max_connections=1) as (gw, _):
                answers = [await gw.get(f"/api/identity/v1/n{n}") for n in range(3)]
        assert [(a.status_code, a.text) for a in answers] == [
            (200, f"/api/identity/v1/n{n}") for n in range(3)]

    @pytest.mark.parametrize("transport", TRANSPORTS)
    async def test_a_stalled_answer_times_out_and_frees_its_connection(self, transport):
        async def stall_once(reader, writer):
            head = await reader.readuntil(b"\r\n\r\n")
            if b"/stall" in head.split(b"\r\n", 1)[0]:
                writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nabc")
                await writer.drain()
                await reader.read()  # says nothing more until the gateway hangs up
                writer.close()
                return
            writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok")
            await writer.drain()
            writer.close()

        async with raw_upstream(stall_once) as url:
            async with gateway_over(url, transport, max_connections=1, read_timeout=0.3,
                                    pool_timeout=0.5) as (gw, _):
                stalled = await gw.get("/api/identity/v1/stall")
                after = await gw.get("/api/identity/v1/ok")
        assert stalled.status_code == 504  # the answer had not begun to be relayed
        assert (after.status_code, after.text) == (200, "ok")

    @pytest.mark.parametrize("transport", TRANSPORTS)
    async def test_large_answers_then_small_ones_on_the_same_connections(self, transport):
        big = b"".join(bytes([65 + n % 26]) * 1024 for n in range(4 * 1024))  # 4 MiB

        async def bodies(request: Request) -> Response:
            if request.url.path.endswith("/big"):
                return Response(big)
            return PlainTextResponse(request.url.path)

        app = Starlette(routes=[Route("/{p:path}", bodies)])
        async with serve(app) as url, gateway_over(url, transport, max_connections=2,
                                                   read_timeout=2.0) as (gw, _):
            for round_ in range(3):
                answers = await asyncio.gather(
                    gw.get("/api/identity/v1/big"), gw.get(f"/api/identity/v1/s{round_}"),
                    gw.get("/api/identity/v1/big"))
                assert answers[0].content == big and answers[2].content == big
                assert answers[1].text == f"/api/identity/v1/s{round_}"

    @pytest.mark.parametrize("transport", TRANSPORTS)
    async def test_the_pool_never_leaks_never_passes_its_limit_never_mixes_answers(
            self, transport):
        open_now = most_open = 0

        async def counting(reader, writer):
            # Every answer names its request; some come slowly, so callers give up waiting.
            nonlocal open_now, most_open
            open_now += 1
            most_open = max(most_open, open_now)
            try:
                while True:
                    head = await reader.readuntil(b"\r\n\r\n")
                    target = head.split(b" ", 2)[1]
                    if b"slow" in target:
                        await asyncio.sleep(0.2)
                    writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: %d\r\n\r\n%s"
                                 % (len(target), target))
                    await writer.drain()
            except (asyncio.IncompleteReadError, ConnectionError):
                pass
            finally:
                open_now -= 1
                writer.close()

        async with raw_upstream(counting) as url:
            async with gateway_over(url, transport, max_connections=3, read_timeout=2.0,
                                    pool_timeout=3.0) as (gw, app):
                async def one(n: int):
                    path = f"/api/identity/v1/{'slow' if n % 4 == 0 else 'fast'}/{n}"
                    try:
                        answer = await gw.get(path, timeout=0.1 if n % 7 == 0 else 5.0)
                    except httpx.TimeoutException:
                        return None
                    assert answer.status_code == 200
                    assert answer.text == path  # its own answer, never another's
                    return answer

                for _ in range(3):
                    done = await asyncio.gather(*(one(n) for n in range(40)))
                    assert sum(answer is not None for answer in done) >= 20
                assert most_open <= 3
                # Nothing leaked: once callers are gone, every slot can be used again.
                finals = await asyncio.gather(*(one(n * 4 + 1) for n in range(6)))
                assert all(finals)
                pool = app.state.upstreams["identity"]._pool
                if isinstance(pool, PooledTransport):
                    assert pool._open == len(pool._idle) <= 3
                    assert not pool._waiters
        assert most_open <= 3
