"""The gateway's upstreams: one long-lived client (and pool) per service and for web.

Each upstream has an httpx.AsyncClient built by shared.http.make_client (a cookie jar that stores
nothing, no proxy environment, explicit timeouts and limits). The proxy forwards through
`Upstream.open()`: straight into the pool's lean path when the transport is the gateway's own
PooledTransport, through `client.send(stream=True)` otherwise (httpx's transports, or the
ASGITransports with which tests wire in-process service apps).
"""

from collections.abc import AsyncIterable, AsyncIterator

import httpx

from gateway.settings import UPSTREAMS, GatewaySettings
from gateway.transport import PooledTransport, UpstreamResponse
from shared.http import make_client


class HttpxResponse:
    """An httpx.Response seen through UpstreamResponse's interface."""

    __slots__ = ("status", "headers", "_response")
    complete = False

    def __init__(self, response: httpx.Response) -> None:
        self.status = response.status_code
        self.headers = [(name.lower(), value) for name, value in response.headers.raw]
        self._response = response

    def body(self) -> bytes:  # pragma: no cover - never called: `complete` is False
        raise RuntimeError("stream the body with aiter_raw()")

    def aiter_raw(self) -> AsyncIterator[bytes]:
        return self._response.aiter_raw()

    async def aclose(self) -> None:
        await self._response.aclose()


class Upstream:
    def __init__(self, name: str, url: str, client: httpx.AsyncClient,
                 pool: PooledTransport | None) -> None:
        self.name = name
        self.url = url
        self.client = client
        self._pool = pool

    async def open(
        self,
        method: str,
        target: bytes,
        headers: list[tuple[bytes, bytes]],
        body: AsyncIterable[bytes] | None,
    ) -> UpstreamResponse | HttpxResponse:
        """Send a request (target = raw path and query) and return once the answer's head is in;
        raises httpx.TransportError subclasses. The caller must aclose() the answer."""
        if self._pool is not None:
            return await self._pool.open(method.encode(), target, headers, body)
        # Not client.build_request: it would add the client's default headers (Accept-Encoding,
        # User-Agent...) to what the caller sent.
        request = httpx.Request(method, self.client.base_url.copy_with(raw_path=target),
                                headers=headers, content=body,
                                extensions={"timeout": self.client.timeout.as_dict()})
        return HttpxResponse(await self.client.send(request, stream=True))

    async def aclose(self) -> None:
        await self.client.aclose()


def build_upstreams(
    settings: GatewaySettings,
    transports: dict[str, httpx.AsyncBaseTransport] | None = None,
) -> dict[str, Upstream]:
    transports = transports or {}
    unknown = set(transports) - set(UPSTREAMS)
    if unknown:
        raise ValueError(f"no such upstream: {', '.join(sorted(unknown))}")
    timeout = httpx.Timeout(connect=settings.connect_timeout, read=settings.read_timeout,
                            write=settings.write_timeout, pool=settings.pool_timeout)
    limits = httpx.Limits(max_connections=settings.max_connections,
                          max_keepalive_connections=settings.max_keepalive_connections,
                          keepalive_expiry=settings.keepalive_expiry)
    upstreams = {}
    for name in UPSTREAMS:
        url = settings.upstream_url(name)
        transport = transports.get(name)
        pool = None
        if transport is None:
            if settings.transport == "pool":
                transport = pool = PooledTransport(url, limits=limits, timeout=timeout)
            elif settings.transport == "aiohttp":
                from httpx_aiohttp import AiohttpTransport

                transport = AiohttpTransport(trust_env=False, limits=limits)
        client = make_client(url, transport=transport, timeout=timeout, limits=limits)
        upstreams[name] = Upstream(name, url, client, pool)
    return upstreams
