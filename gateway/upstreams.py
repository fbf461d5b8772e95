"""The gateway's upstreams: one long-lived client (and pool) per service and for web.

Each upstream has an httpx.AsyncClient built by shared.http.make_client (a cookie jar that stores
nothing, no proxy environment, explicit timeouts and limits). The proxy forwards through
`Upstream.open()`: straight into the pool's lean path when the transport is the gateway's own
PooledTransport, into aiohttp's client session when the transport is "aiohttp", through
`client.send(stream=True)` otherwise (httpx's transports, or the ASGITransports with which tests
wire in-process service apps).
"""

import time
from collections.abc import AsyncIterable, AsyncIterator

import aiohttp
import httpx
import yarl

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


_SMALL_BODY = 64 * 1024  # as the pool: answers up to this size are read whole, then relayed


class AiohttpResponse:
    """An aiohttp answer seen through UpstreamResponse's interface."""

    __slots__ = ("status", "headers", "complete", "_response", "_body")

    def __init__(self, response: aiohttp.ClientResponse, body: bytes | None) -> None:
        self.status = response.status
        self.headers = [(name.lower(), value) for name, value in response.raw_headers]
        self.complete = body is not None
        self._response = response
        self._body = body

    def body(self) -> bytes:
        return self._body or b""

    async def aiter_raw(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._response.content.iter_any():
                yield chunk
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise _as_httpx(exc) from None

    async def aclose(self) -> None:
        self._response.release()  # reused only when the whole answer was read


def _as_httpx(exc: BaseException, *, pool_wait: bool = False) -> httpx.TransportError:
    """aiohttp's failures as the httpx exceptions the proxy answers for."""
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        return (httpx.PoolTimeout if pool_wait else httpx.ConnectTimeout)(str(exc))
    if isinstance(exc, (aiohttp.ServerTimeoutError, TimeoutError)):
        return httpx.ReadTimeout(str(exc) or "upstream did not answer in time")
    if isinstance(exc, aiohttp.ClientConnectorError):
        return httpx.ConnectError(str(exc))
    if isinstance(exc, aiohttp.ClientPayloadError):
        return httpx.ReadError(str(exc))
    return httpx.RemoteProtocolError(str(exc) or type(exc).__name__)


class AiohttpClient:
    """aiohttp's ClientSession used directly on the proxy's hot path: its TCPConnector pools
    keep-alive connections, and raw proxying needs no decompression and no default headers."""

    def __init__(self, url: str, *, limits: httpx.Limits, timeout: httpx.Timeout) -> None:
        self._base = url.rstrip("/")
        self._limits, self._timeout = limits, timeout
        self._session: aiohttp.ClientSession | None = None

    def _open_session(self) -> aiohttp.ClientSession:
        # Built on first use: a session belongs to the running event loop.
        connector = aiohttp.TCPConnector(
            limit=self._limits.max_connections or 100, limit_per_host=0,
            keepalive_timeout=self._limits.keepalive_expiry or 0.0,
            force_close=not self._limits.keepalive_expiry, enable_cleanup_closed=False)
        timeout = self._timeout
        self._session = aiohttp.ClientSession(
            connector=connector, cookie_jar=aiohttp.DummyCookieJar(), trust_env=False,
            auto_decompress=False, skip_auto_headers=("User-Agent", "Accept", "Accept-Encoding",
                                                      "Content-Type"),
            # connect: waiting for a pooled connection and connecting; sock_connect: connecting.
            timeout=aiohttp.ClientTimeout(
                total=None, connect=(timeout.pool or 0) + (timeout.connect or 0),
                sock_connect=timeout.connect, sock_read=timeout.read))
        return self._session

    async def open(self, method: str, target: bytes, headers: list[tuple[bytes, bytes]],
                   body: AsyncIterable[bytes] | None) -> AiohttpResponse:
        session = self._session or self._open_session()
        started = time.monotonic()
        try:
            response = await session.request(
                method, yarl.URL(self._base + target.decode("latin-1"), encoded=True),
                headers=[(name.decode("latin-1"), value.decode("latin-1"))
                         for name, value in headers],
                data=body, allow_redirects=False)
        except (aiohttp.ClientError, TimeoutError) as exc:
            waited = time.monotonic() - started >= (self._timeout.pool or 0)
            raise _as_httpx(exc, pool_wait=waited) from None
        length = response.headers.get("Content-Length", "")
        if method != "HEAD" and length.isdigit() and int(length) <= _SMALL_BODY:
            try:
                return AiohttpResponse(response, await response.read())
            except (aiohttp.ClientError, TimeoutError) as exc:
                response.release()
                raise _as_httpx(exc) from None
        return AiohttpResponse(response, None)

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()


class Upstream:
    def __init__(self, name: str, url: str, client: httpx.AsyncClient,
                 pool: PooledTransport | AiohttpClient | None) -> None:
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
    ) -> UpstreamResponse | AiohttpResponse | HttpxResponse:
        """Send a request (target = raw path and query) and return once the answer's head is in;
        raises httpx.TransportError subclasses. The caller must aclose() the answer."""
        if isinstance(self._pool, AiohttpClient):
            return await self._pool.open(method, target, headers, body)
        if self._pool is not None:
            return await self._pool.open(method.encode(), target, headers, body)
        # Not client.build_request: it would add the client's default headers (Accept-Encoding,
        # User-Agent...) to what the caller sent.
        request = httpx.Request(method, self.client.base_url.copy_with(raw_path=target),
                                headers=headers, content=body,
                                extensions={"timeout": self.client.timeout.as_dict()})
        return HttpxResponse(await self.client.send(request, stream=True))

    async def aclose(self) -> None:
        if isinstance(self._pool, AiohttpClient):
            await self._pool.aclose()
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
                pool = AiohttpClient(url, limits=limits, timeout=timeout)
            elif settings.transport == "httpx-aiohttp":
                from httpx_aiohttp import AiohttpTransport

                transport = AiohttpTransport(trust_env=False, limits=limits)
        client = make_client(url, transport=transport, timeout=timeout, limits=limits)
        upstreams[name] = Upstream(name, url, client, pool)
    return upstreams
