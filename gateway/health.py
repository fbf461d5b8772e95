"""/healthz and /readyz of the gateway: each upstream's own check of the same name, all at once,
through the upstreams' long-lived clients, with a short overall timeout. 503 if any is down."""

import asyncio
import time

import httpx
from fastapi import APIRouter
from fastapi.responses import JSONResponse

from gateway.upstreams import Upstream


async def _check(upstream: Upstream, path: str, timeout: float) -> dict:
    started = time.perf_counter()
    try:
        async with asyncio.timeout(timeout):
            response = await upstream.client.get(path, timeout=timeout)
            await response.aread()
    except TimeoutError:
        return {"status": "down", "error": f"no answer within {timeout:g}s"}
    except httpx.HTTPError as exc:
        return {"status": "down", "error": f"{type(exc).__name__}: {exc}"[:200]}
    result = {"status": "ok" if response.status_code == 200 else "down",
              "http_status": response.status_code,
              "ms": round((time.perf_counter() - started) * 1000, 1)}
    return result


def health_router(upstreams: dict[str, Upstream], *, timeout: float) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    async def check_all(path: str) -> JSONResponse:
        results = await asyncio.gather(
            *(_check(upstream, path, timeout) for upstream in upstreams.values()))
        by_name = dict(zip(upstreams, results, strict=True))
        healthy = all(result["status"] == "ok" for result in by_name.values())
        return JSONResponse({"status": "ok" if healthy else "unavailable", "upstreams": by_name},
                            status_code=200 if healthy else 503)

    @router.get("/healthz")
    async def healthz() -> JSONResponse:
        return await check_all("/healthz")

    @router.get("/readyz")
    async def readyz() -> JSONResponse:
        return await check_all("/readyz")

    return router
