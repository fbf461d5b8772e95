"""A lean HTTP/1.1 keep-alive connection pool for one upstream, usable as an httpx transport.

Why not httpx's own transport: httpcore's pool takes a lock and scans every pooled connection
on each request, and throughput falls as concurrency rises (encode/httpx#3215; measured here at
0.025x of direct at 32 concurrent requests). Building httpx Request/Response objects alone costs
the gateway more CPU than the whole service call it forwards (bench/gateway.py prints figures), so
the proxy's hot path calls `PooledTransport.open()` with raw ASGI-style headers, and everything
else (health checks, token exchange, OpenAPI) uses an httpx.AsyncClient over the same pool via
`handle_async_request`.

Protocol: asyncio.Protocol per connection, responses parsed by httptools (uvicorn's parser),
no pipelining, LIFO reuse of idle connections, a fixed connection limit with a wait queue bounded
by the pool timeout. Errors are httpx's exception types, so callers handle one family.

Reuse, as httpcore decides it: a connection goes back to the pool only when both halves of its
exchange are done, the request fully sent (`request_sent`) and the answer fully read
(`response_read`), and neither side asked to close. Anything else (an answer that came before
the whole body was sent, a body cut short, a HEAD, an error, bytes arriving while idle) closes it.

Slots: `_open` counts connections (idle, busy or connecting). A slot freed while requests wait is
handed to the first waiter as it is, a reusable connection or None ("connect with this slot"),
without being uncounted, so no newcomer can take it in between and the count never passes
`max_connections`. A waiter that gives up after being handed something hands it on.
"""

import asyncio
import time
from collections import deque
from collections.abc import AsyncIterable, AsyncIterator

import httptools
import httpx

# Body bytes buffered from the upstream before the socket is paused (flow control).
_READ_HIGH_WATER = 256 * 1024
# Answers up to this size (by Content-Length) are read whole before they are relayed.
_SMALL_BODY = 64 * 1024
_IDEMPOTENT = frozenset({b"GET", b"HEAD", b"OPTIONS"})


class Timeouts:
    __slots__ = ("connect", "read", "write", "pool")

    def __init__(self, connect: float | None, read: float | None, write: float | None,
                 pool: float | None) -> None:
        self.connect, self.read, self.write, self.pool = connect, read, write, pool

    @classmethod
    def from_httpx(cls, timeout: httpx.Timeout | dict) -> "Timeouts":
        values = timeout.as_dict() if isinstance(timeout, httpx.Timeout) else timeout
        return cls(values.get("connect"), values.get("read"), values.get("write"),
                   values.get("pool"))


def _expire(future: asyncio.Future, error: Exception) -> None:
    if not future.done():
        future.set_exception(error)


class _Connection(asyncio.Protocol):
    """One keep-alive connection; carries one request/response exchange at a time."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.transport: asyncio.Transport | None = None
        self.parser = httptools.HttpResponseParser(self)
        self.closed = False
        self.idle_since = 0.0
        self.reused = False
        self.head_request = False  # an answer to HEAD has no body, whatever its headers say
        self._waiter: asyncio.Future | None = None
        self._drain: asyncio.Future | None = None
        self.paused = False
        self._reset()

    def _reset(self) -> None:
        """Ready for the next exchange (only ever called on a reusable connection)."""
        if self.paused and self.transport is not None and not self.closed:
            self.transport.resume_reading()  # a large answer, read whole, left it paused
        self.paused = False
        self.status = 0
        self.headers: list[tuple[bytes, bytes]] = []
        self.headers_done = False
        self.chunks: deque[bytes] = deque()
        self.buffered = 0
        self.request_sent = False  # the head and all of the body are on the wire
        self.complete = False  # the whole answer has arrived (the parser saw its end)
        self.keep_alive = False  # the answer allows another exchange on this connection
        self.until_close = False  # no Content-Length and not chunked: the body ends at EOF
        self.small = False  # a Content-Length of at most _SMALL_BODY
        self.received_any = False
        self.error: Exception | None = None
        self.idle = False

    # asyncio.Protocol
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        if self.idle:
            # Nothing was asked: a late 408, or the tail of a misframed answer. Whatever it
            # is, it must not be read as the next request's answer.
            self.close()
            return
        self.received_any = True
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError as exc:
            self._fail(httpx.RemoteProtocolError(f"invalid response from upstream: {exc}"))
            self.close()
            return
        self._wake()

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if self.headers_done and self.until_close and not self.complete and exc is None:
            self.complete = True  # a reset is a truncated body, not the end of one
        elif not self.complete:
            self._fail(httpx.ReadError("upstream closed the connection") if self.received_any
                       else httpx.RemoteProtocolError("upstream closed the connection "
                                                      "without answering"))
        self._wake()
        if self._drain is not None and not self._drain.done():
            self._drain.set_exception(httpx.WriteError("upstream closed the connection"))

    def pause_writing(self) -> None:
        if self._drain is None or self._drain.done():
            self._drain = self.loop.create_future()

    def resume_writing(self) -> None:
        if self._drain is not None and not self._drain.done():
            self._drain.set_result(None)

    # httptools callbacks. Bytes past the end of the answer (nothing was asked: no pipelining)
    # belong to no exchange: they are dropped, and the connection with them.
    def on_message_begin(self) -> None:
        if self.complete:
            self.keep_alive = False

    def on_header(self, name: bytes, value: bytes) -> None:
        if not self.complete:
            self.headers.append((name.lower(), value))

    def on_headers_complete(self) -> None:
        if self.complete:
            return
        self.status = self.parser.get_status_code()
        if self.status < 200:  # 1xx interim answers are not forwarded; the final one follows
            self.headers = []
            return
        self.headers_done = True
        if self.head_request:
            # httptools cannot be told the body is absent; end here and drop the connection.
            self.complete, self.keep_alive = True, False
            return
        framed = False
        for name, value in self.headers:
            if name == b"content-length":
                framed = True
                self.small = value.isdigit() and int(value) <= _SMALL_BODY
            elif name == b"transfer-encoding":
                framed = True
        self.until_close = not framed and self.status not in (204, 304)

    def on_body(self, body: bytes) -> None:
        if self.complete:
            return
        self.chunks.append(body)
        self.buffered += len(body)
        if self.buffered > _READ_HIGH_WATER and not self.paused and self.transport:
            self.paused = True
            self.transport.pause_reading()

    def on_message_complete(self) -> None:
        if self.status < 200:
            return
        if self.complete:  # the end of an answer nobody asked for
            self.keep_alive = False
            return
        self.complete = True
        self.keep_alive = self.parser.should_keep_alive()

    # exchange
    def _fail(self, error: Exception) -> None:
        if self.error is None:
            self.error = error

    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    async def _wait(self, timeout: float | None) -> None:
        self._waiter = self.loop.create_future()
        timer = (self.loop.call_later(timeout, _expire, self._waiter,
                                      httpx.ReadTimeout("upstream did not answer in time"))
                 if timeout is not None else None)
        try:
            await self._waiter
        finally:
            self._waiter = None
            if timer is not None:
                timer.cancel()

    async def write(self, data: bytes, timeout: float | None) -> None:
        if self.closed or self.transport is None:
            raise httpx.WriteError("upstream closed the connection")
        self.transport.write(data)
        if self._drain is not None and not self._drain.done():
            try:
                async with asyncio.timeout(timeout):
                    await self._drain
            except TimeoutError:
                raise httpx.WriteTimeout("upstream did not take the request in time") from None

    async def response_head(self, timeout: float | None) -> None:
        """Waits for the head of the answer, and for all of a small body: uvicorn writes the
        head and the body in two syscalls, and relaying them as they come costs the gateway a
        second pass and the client a second wake-up for the same few hundred bytes."""
        while not self.headers_done or (self.small and not self.complete):
            if self.error is not None:
                raise self.error
            await self._wait(timeout)

    async def next_chunk(self, timeout: float | None) -> bytes | None:
        while True:
            if self.chunks:
                chunk = self.chunks.popleft()
                self.buffered -= len(chunk)
                if self.paused and self.buffered <= _READ_HIGH_WATER // 2 and not self.closed:
                    self.paused = False
                    self.transport.resume_reading()  # type: ignore[union-attr]
                return chunk
            if self.complete:
                return None
            if self.error is not None:
                raise self.error
            await self._wait(timeout)

    @property
    def response_read(self) -> bool:
        """The whole answer arrived and the caller took every byte of it."""
        return self.complete and not self.chunks

    @property
    def reusable(self) -> bool:
        return (self.request_sent and self.response_read and self.keep_alive
                and self.error is None and not self.closed)

    def close(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.close()


class UpstreamResponse:
    """The head of an upstream answer and its body as raw chunks (decoded only of chunking)."""

    __slots__ = ("status", "headers", "_connection", "_pool", "_read_timeout", "_released")

    def __init__(self, connection: _Connection, pool: "PooledTransport",
                 read_timeout: float | None) -> None:
        self.status = connection.status
        self.headers = connection.headers
        self._connection = connection
        self._pool = pool
        self._read_timeout = read_timeout
        self._released = False

    @property
    def complete(self) -> bool:
        """The whole body has arrived already (most small answers): `body()` won't wait."""
        return self._connection.complete

    def body(self) -> bytes:
        """The whole body, when `complete`."""
        chunks = self._connection.chunks
        data = chunks[0] if len(chunks) == 1 else b"".join(chunks)
        chunks.clear()
        self._connection.buffered = 0
        return data

    async def aiter_raw(self) -> AsyncIterator[bytes]:
        connection = self._connection
        while (chunk := await connection.next_chunk(self._read_timeout)) is not None:
            if chunk:
                yield chunk

    async def aclose(self) -> None:
        if not self._released:
            self._released = True
            self._pool.release(self._connection)


class _ResponseStream(httpx.AsyncByteStream):
    def __init__(self, response: UpstreamResponse) -> None:
        self._response = response

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._response.aiter_raw():
            yield chunk

    async def aclose(self) -> None:
        await self._response.aclose()


class PooledTransport(httpx.AsyncBaseTransport):
    def __init__(self, url: str, *, limits: httpx.Limits, timeout: httpx.Timeout) -> None:
        parsed = httpx.URL(url)
        if parsed.scheme != "http":
            raise ValueError(f"only plain http upstreams are supported, not {url!r}")
        self.host = parsed.host
        self.port = parsed.port or 80
        self._host_header = (b"host", parsed.netloc)
        self.max_connections = limits.max_connections or 100
        self.max_keepalive = (limits.max_keepalive_connections
                              if limits.max_keepalive_connections is not None
                              else self.max_connections)
        self.keepalive_expiry = limits.keepalive_expiry or 0.0
        self.timeouts = Timeouts.from_httpx(timeout)
        self._idle: list[_Connection] = []
        self._open = 0  # idle + busy + connecting
        self._waiters: deque[asyncio.Future] = deque()
        self._closed = False

    # connections
    async def _acquire(self, timeouts: Timeouts) -> _Connection:
        if self._closed:
            raise httpx.ConnectError("the gateway is shutting down")
        now = time.monotonic()
        while self._idle:
            connection = self._idle.pop()
            if not connection.closed and now - connection.idle_since < self.keepalive_expiry:
                connection.idle = False
                connection.reused = True
                return connection
            connection.close()
            self._open -= 1  # no waiters while connections sit idle: the slot is ours next
        if self._open >= self.max_connections:
            waiter = asyncio.get_running_loop().create_future()
            self._waiters.append(waiter)
            try:
                async with asyncio.timeout(timeouts.pool):
                    handed = await waiter
            except BaseException as exc:
                # Given up (a timeout or the caller gone), perhaps after being handed a
                # connection or a slot in the same loop iteration: pass it on, never drop it.
                if waiter.done() and not waiter.cancelled():
                    self._hand_on(waiter.result())
                if isinstance(exc, TimeoutError):
                    raise httpx.PoolTimeout("every connection to the upstream is busy") from None
                raise
            finally:
                if waiter in self._waiters:
                    self._waiters.remove(waiter)
            if handed is not None:
                handed.reused = True
                return handed
            # A slot was freed (its connection closed) and handed over, still counted: ours.
        else:
            self._open += 1
        try:
            return await self._connect(timeouts.connect)
        except BaseException:
            self._free_slot()
            raise

    async def _connect(self, timeout: float | None) -> _Connection:
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(timeout):
                _, connection = await loop.create_connection(
                    lambda: _Connection(loop), self.host, self.port)
        except TimeoutError:
            raise httpx.ConnectTimeout(
                f"no connection to {self.host}:{self.port} in time") from None
        except OSError as exc:
            raise httpx.ConnectError(f"cannot connect to {self.host}:{self.port}: {exc}") from None
        return connection

    def _next_waiter(self) -> asyncio.Future | None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                return waiter
        return None

    def _free_slot(self) -> None:
        """A connection is gone: its slot goes to the first waiter, or is uncounted."""
        waiter = self._next_waiter()
        if waiter is not None:
            waiter.set_result(None)
        else:
            self._open -= 1

    def _hand_on(self, handed: "_Connection | None") -> None:
        """What a waiter was handed and can no longer use: a slot, or a ready connection."""
        if handed is None:
            self._free_slot()
        elif handed.closed or self._closed:
            handed.close()
            self._free_slot()
        else:
            self._park(handed)

    def _release_slot(self, connection: _Connection) -> None:
        """Reuse a finished connection if its exchange is wholly done, else close it."""
        if connection.reusable and not self._closed:
            connection._reset()
            self._park(connection)
        else:
            connection.close()
            self._free_slot()

    def _park(self, connection: _Connection) -> None:
        """A ready connection goes to the first waiter, or waits idle, or is closed."""
        waiter = self._next_waiter()
        if waiter is not None:
            waiter.set_result(connection)
        elif len(self._idle) < self.max_keepalive:
            connection.idle_since = time.monotonic()
            connection.idle = True
            self._idle.append(connection)
        else:
            connection.close()
            self._open -= 1

    def release(self, connection: _Connection) -> None:
        self._release_slot(connection)

    # requests
    async def open(
        self,
        method: bytes,
        target: bytes,
        headers: list[tuple[bytes, bytes]],
        body: AsyncIterable[bytes] | None = None,
        timeouts: Timeouts | None = None,
    ) -> UpstreamResponse:
        """Send a request (headers lower-case, without Host) and return once the answer's head
        has arrived. The caller must `aclose()` the answer. With a body and no Content-Length
        header the body is sent chunked."""
        timeouts = timeouts or self.timeouts
        chunked = body is not None and not any(name == b"content-length" for name, _ in headers)
        head = b"".join((
            method, b" ", target, b" HTTP/1.1\r\nhost: ", self._host_header[1], b"\r\n",
            *(b"%s: %s\r\n" % pair for pair in headers),
            b"transfer-encoding: chunked\r\n\r\n" if chunked else b"\r\n",
        ))
        retry = body is None and method in _IDEMPOTENT
        while True:
            connection = await self._acquire(timeouts)
            connection.head_request = method == b"HEAD"
            try:
                await connection.write(head, timeouts.write)
                if body is None:
                    connection.request_sent = True
                else:
                    await self._send_body(connection, body, chunked, timeouts.write)
                await connection.response_head(timeouts.read)
            except httpx.RemoteProtocolError:
                # A reused connection the upstream had just closed: nothing reached it, so a
                # request without a body and without side effects is safe to send again, once.
                connection.close()
                self._free_slot()
                if retry and connection.reused and not connection.received_any:
                    retry = False
                    continue
                raise
            except BaseException:
                connection.close()
                self._free_slot()
                raise
            return UpstreamResponse(connection, self, timeouts.read)

    async def _send_body(self, connection: _Connection, body: AsyncIterable[bytes],
                         chunked: bool, timeout: float | None) -> None:
        """Sends the body; `request_sent` only once all of it is out. An upstream that answers
        before reading everything (a 413, say) stops the sending, and its answer is relayed;
        the connection, with part of a body on the wire, is then never reused."""
        try:
            async for chunk in body:
                if connection.headers_done:
                    return
                if not chunk:
                    continue
                await connection.write(
                    b"%x\r\n%s\r\n" % (len(chunk), chunk) if chunked else chunk, timeout)
            if connection.headers_done:
                return
            if chunked:
                await connection.write(b"0\r\n\r\n", timeout)
        except httpx.WriteError:
            if not connection.headers_done:
                raise
            return  # it answered and closed: the answer is what counts
        connection.request_sent = True

    # httpx.AsyncBaseTransport: the same pool for httpx.AsyncClient callers
    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        headers = [(name.lower(), value) for name, value in request.headers.raw]
        has_body = any(name in (b"content-length", b"transfer-encoding") for name, _ in headers)
        headers = [(name, value) for name, value in headers
                   if name not in (b"host", b"transfer-encoding")]
        timeout = request.extensions.get("timeout")
        answer = await self.open(
            request.method.encode(), request.url.raw_path, headers,
            request.stream if has_body else None,  # type: ignore[arg-type]
            Timeouts.from_httpx(timeout) if timeout else None,
        )
        return httpx.Response(answer.status, headers=answer.headers,
                              stream=_ResponseStream(answer),
                              extensions={"http_version": b"HTTP/1.1"})

    async def aclose(self) -> None:
        self._closed = True
        for connection in self._idle:
            connection.close()
        self._open -= len(self._idle)
        self._idle.clear()
