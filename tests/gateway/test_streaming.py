"""Bodies stream through the gateway both ways, and the size limit holds while streaming: the
gateway and the upstream both run as real uvicorn servers on 127.0.0.1."""

import asyncio
import hashlib

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, StreamingResponse
from starlette.routing import Route

from gateway.main import create_app
from tests.gateway.conftest import serve, settings_for

MiB = 1024 * 1024
SIZE = 24 * MiB


def chunk(index: int) -> bytes:
    return bytes([index % 251]) * (256 * 1024)


def files_app() -> Starlette:
    async def upload(request: Request) -> JSONResponse:
        digest, size = hashlib.sha256(), 0
        try:
            async for part in request.stream():
                digest.update(part)
                size += len(part)
        except ClientDisconnect:  # the gateway cut an oversized upload short
            return JSONResponse({"cut_off_at": size}, status_code=400)
        return JSONResponse({"sha256": digest.hexdigest(), "size": size})

    async def download(request: Request) -> StreamingResponse:
        async def parts():
            for index in range(SIZE // len(chunk(0))):
                yield chunk(index)
        return StreamingResponse(parts(), media_type="application/octet-stream")

    return Starlette(routes=[Route("/api/evidence/v1/files", upload, methods=["POST"]),
                             Route("/api/evidence/v1/files/big", download)])


def expected_digest() -> str:
    digest = hashlib.sha256()
    for index in range(SIZE // len(chunk(0))):
        digest.update(chunk(index))
    return digest.hexdigest()


async def body(total: int):
    for index in range(total // len(chunk(0))):
        yield chunk(index)


@pytest.fixture
async def stack():
    async with serve(files_app()) as evidence_url:
        gateway = create_app(settings_for(evidence_url=evidence_url, max_body_size=32 * MiB))
        async with serve(gateway) as gateway_url:
            async with httpx.AsyncClient(base_url=gateway_url, timeout=30) as client:
                yield client
        for upstream in gateway.state.upstreams.values():
            await upstream.aclose()


async def test_a_large_upload_streams_through_unchanged(stack):
    response = await stack.post("/api/evidence/v1/files", content=body(SIZE))  # chunked
    assert response.status_code == 200
    assert response.json() == {"sha256": expected_digest(), "size": SIZE}


async def test_an_upload_with_content_length_streams_through_unchanged(stack):
    data = b"".join(chunk(index) for index in range(8 * MiB // len(chunk(0))))
    response = await stack.post("/api/evidence/v1/files", content=data)
    assert response.json() == {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}


async def test_a_large_download_streams_through_unchanged(stack):
    digest, size = hashlib.sha256(), 0
    async with stack.stream("GET", "/api/evidence/v1/files/big") as response:
        assert response.status_code == 200
        async for part in response.aiter_raw():
            digest.update(part)
            size += len(part)
    assert (size, digest.hexdigest()) == (SIZE, expected_digest())


async def test_a_declared_body_over_the_limit_is_refused_before_it_is_sent(stack):
    # A raw socket: the refusal must come before any of the body is sent.
    url = httpx.URL(str(stack.base_url))
    reader, writer = await asyncio.open_connection(url.host, url.port)
    writer.write(b"POST /api/evidence/v1/files HTTP/1.1\r\nHost: x\r\n"
                 b"Content-Length: %d\r\n\r\n" % (64 * MiB))
    async with asyncio.timeout(5):
        answer = await reader.read(65536)
    writer.close()
    assert answer.startswith(b"HTTP/1.1 413 ")
    assert b"request_too_large" in answer


async def test_a_streamed_body_is_cut_off_once_it_passes_the_limit(stack):
    response = await stack.post("/api/evidence/v1/files", content=body(48 * MiB))
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
