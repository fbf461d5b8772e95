"""Helpers for the gateway tests: real servers on 127.0.0.1 (uvicorn, or a raw socket server that
never answers), started and stopped within a test and bounded in time, and small upstream apps
that show what reached them."""

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from gateway.main import create_app
from gateway.settings import UPSTREAMS, GatewaySettings

START_TIMEOUT = 5.0


def free_port() -> int:
    """A port nothing listens on (the socket is closed again at once)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def settings_for(**overrides) -> GatewaySettings:
    """Settings whose upstreams all point at a closed port unless overridden."""
    nowhere = f"http://127.0.0.1:{free_port()}"
    urls = {f"{name}_url": nowhere for name in UPSTREAMS}
    return GatewaySettings(**{**urls, **overrides})


@asynccontextmanager
async def serve(app) -> AsyncIterator[str]:
    """Run an ASGI app on a real uvicorn server on 127.0.0.1; yields its base URL."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, lifespan="off", log_level="warning",
                                           access_log=False))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        async with asyncio.timeout(START_TIMEOUT):
            while not server.started:
                if task.done():
                    task.result()
                await asyncio.sleep(0.01)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        try:
            async with asyncio.timeout(START_TIMEOUT):
                await task
        except TimeoutError:
            task.cancel()
        sock.close()


@asynccontextmanager
async def hung_server() -> AsyncIterator[str]:
    """A TCP server that accepts connections and reads, but never answers."""
    connections: list[asyncio.StreamWriter] = []

    async def accept(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(writer)
        while await reader.read(65536):
            pass

    server = await asyncio.start_server(accept, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        for writer in connections:
            writer.close()
        server.close()
        await server.wait_closed()


def echo_app(name: str) -> Starlette:
    """An upstream that answers with what it received, and sets a cookie on /set-cookie."""

    async def echo(request: Request) -> JSONResponse:
        body = await request.body()
        response = JSONResponse({
            "service": name,
            "method": request.method,
            "path": request.scope["path"],
            "raw_path": request.scope["raw_path"].decode("latin-1"),
            "query": request.scope["query_string"].decode("latin-1"),
            "headers": [[k.decode("latin-1"), v.decode("latin-1")]
                        for k, v in request.scope["headers"]],
            "body_length": len(body),
            "peer": request.client.port if request.client else None,
        })
        if request.url.path.endswith("/set-cookie"):
            response.set_cookie("session", f"{name}-secret")
        if request.url.path.endswith("/fail"):
            response.status_code = 500
        return response

    return Starlette(routes=[Route("/{path:path}", echo, methods=[
        "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"])])


def header(answer: dict, name: str) -> list[str]:
    return [value for key, value in answer["headers"] if key == name]


def echo_transports() -> dict[str, httpx.AsyncBaseTransport]:
    return {name: httpx.ASGITransport(app=echo_app(name)) for name in UPSTREAMS}


@asynccontextmanager
async def gateway_client(settings: GatewaySettings | None = None, *,
                         transports: dict | None = None,
                         client: tuple[str, int] = ("203.0.113.7", 40000)):
    """An httpx client talking in-process to a gateway app; closes the gateway's upstreams."""
    app = create_app(settings or settings_for(), upstream_transports=transports)
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app, client=client),
            base_url="http://cascade.test",
        ) as caller:
            yield caller
    finally:
        for upstream in app.state.upstreams.values():
            await upstream.aclose()


@pytest.fixture
async def echo_gateway():
    async with gateway_client(transports=echo_transports()) as caller:
        yield caller
