"""The reverse proxy: pure ASGI dispatch of /api/<service>/... to that service and of everything
else to web, streaming both ways.

It runs as the innermost middleware, ahead of FastAPI's routing: proxied requests (nearly all of
them) never pay for route matching or Request objects. Only the gateway's own few routes
(health, API docs) fall through to the FastAPI app.
"""

import logging
from collections.abc import AsyncIterator

import httpx

from gateway.apikeys import API_KEY_PREFIX, ApiKeyExchange, InvalidApiKey, TokenExchangeFailed
from gateway.middleware import RequestTooLarge
from gateway.upstreams import Upstream
from shared.errors import problem_response
from shared.requests import current_request_id

log = logging.getLogger("cascade.gateway")

# Never forwarded upstream: hop-by-hop headers (RFC 9110 7.6.1), Host (the transport sets the
# upstream's), Expect (uvicorn has already answered it), and what the gateway sets itself,
# whatever the caller claims.
_DROP_REQUEST = frozenset({
    b"connection", b"keep-alive", b"proxy-authenticate", b"proxy-authorization",
    b"proxy-connection", b"te", b"trailer", b"transfer-encoding", b"upgrade", b"host", b"expect",
    b"x-request-id", b"x-forwarded-for", b"x-forwarded-proto", b"x-forwarded-host",
    b"x-forwarded-port", b"x-forwarded-prefix", b"x-real-ip", b"forwarded",
})
# Never passed back: hop-by-hop headers, and Date/Server, which the gateway's server adds.
_DROP_RESPONSE = frozenset({
    b"connection", b"keep-alive", b"proxy-authenticate", b"proxy-connection", b"te", b"trailer",
    b"transfer-encoding", b"upgrade", b"date", b"server",
})
_BEARER_KEY = b"bearer " + API_KEY_PREFIX.encode()


class ClientDisconnected(Exception):
    """The caller went away while its request body was being forwarded."""


def _connection_tokens(value: bytes) -> set[bytes]:
    return {token.strip().lower() for token in value.split(b",")}


async def _request_body(receive) -> AsyncIterator[bytes]:
    more_body = True
    while more_body:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientDisconnected()
        more_body = message.get("more_body", False)
        yield message.get("body", b"")


def _failure(upstream: str, exc: httpx.TransportError, retry_after: int):
    """The problem the caller gets for a failure the gateway itself observed."""
    log.warning("upstream %s failed: %r", upstream, exc)
    if isinstance(exc, httpx.PoolTimeout):  # a TimeoutException too: keep it first
        return problem_response(
            503, "gateway_saturated", title="Too many requests in flight",
            detail=f"Every connection to {upstream} is busy; try again shortly.",
            headers={"Retry-After": "1"})
    if isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout)):
        return problem_response(
            503, "upstream_unavailable", title="Service unavailable",
            detail=f"The {upstream} service cannot be reached.",
            headers={"Retry-After": str(retry_after)})
    if isinstance(exc, httpx.TimeoutException):
        return problem_response(
            504, "upstream_timeout", title="Gateway timeout",
            detail=f"The {upstream} service did not answer in time.")
    return problem_response(
        502, "bad_gateway", title="Bad gateway",
        detail=f"The {upstream} service gave no valid answer.")


class ProxyMiddleware:
    def __init__(self, app, *, upstreams: dict[str, Upstream], api_keys: ApiKeyExchange,
                 retry_after: int, local_paths: frozenset[str]) -> None:
        self.app = app  # the FastAPI routes: health and API docs
        self.web = upstreams["web"]
        self.apis = {name: upstream for name, upstream in upstreams.items() if name != "web"}
        self.api_keys = api_keys
        self.retry_after = retry_after
        self.local_paths = local_paths

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            if scope["type"] == "websocket":  # no upstream speaks websocket
                await send({"type": "websocket.close", "code": 1000})
                return
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        if path in self.local_paths:
            await self.app(scope, receive, send)
            return
        try:
            await self.dispatch(path, scope, receive, send)
        except RequestTooLarge:
            raise  # answered by BodySizeLimitMiddleware
        except Exception:
            # FastAPI's error middleware is not around the proxy (see gateway.main.GatewayApp).
            log.exception("gateway failure on %s %s", scope["method"], path)
            answer = problem_response(500, "internal_error",
                                      detail="Something went wrong on our side.")
            await answer(scope, receive, send)

    async def dispatch(self, path: str, scope, receive, send) -> None:
        if path.startswith("/api/"):
            end = path.find("/", 5)
            upstream = self.apis.get(path[5:end] if end > 0 else path[5:])
            if upstream is None:
                await problem_response(
                    404, "unknown_service", title="No such API",
                    detail="API paths are /api/<service>/v1/...; the service is not one of "
                           + ", ".join(self.apis) + ".", instance=path,
                )(scope, receive, send)
            else:
                await self.forward(scope, receive, send, upstream, api=True)
        else:
            await self.forward(scope, receive, send, self.web, api=False)

    async def forward(self, scope, receive, send, upstream: Upstream, *, api: bool) -> None:
        headers: list[tuple[bytes, bytes]] = []
        host = b""
        nominated: bytes | None = None
        has_body = False
        api_key: str | None = None
        for name, value in scope["headers"]:
            if name in _DROP_REQUEST:
                if name == b"host":
                    host = value
                elif name == b"connection":
                    nominated = value
                elif name == b"transfer-encoding":
                    has_body = True
                continue
            if name == b"content-length":
                has_body = True
            elif api:
                if name == b"cookie":  # the APIs take bearer tokens only
                    continue
                if name == b"authorization" and value[:11].lower() == _BEARER_KEY:
                    api_key = value[7:].strip().decode("latin-1")
                    continue
            headers.append((name, value))
        if nominated is not None:
            tokens = _connection_tokens(nominated)
            headers = [pair for pair in headers if pair[0] not in tokens]
        client = scope.get("client")
        headers += (
            (b"x-request-id", (current_request_id() or "").encode()),
            (b"x-forwarded-for", client[0].encode() if client else b"unknown"),
            (b"x-forwarded-proto", scope["scheme"].encode()),
        )
        if host:
            headers.append((b"x-forwarded-host", host))
        if api_key is not None:
            token = await self._exchange(scope, receive, send, api_key)
            if token is None:
                return
            headers.append((b"authorization", b"Bearer " + token.encode()))

        target = scope.get("raw_path") or scope["path"].encode()
        if scope["query_string"]:
            target += b"?" + scope["query_string"]
        try:
            answer = await upstream.open(scope["method"], target, headers,
                                         _request_body(receive) if has_body else None)
        except httpx.TransportError as exc:
            await _failure(upstream.name, exc, self.retry_after)(scope, receive, send)
            return
        except ClientDisconnected:
            return
        try:
            await self._relay(answer, send)
        except httpx.TransportError as exc:
            # The status line is out: all that is left is to cut the connection short.
            log.warning("upstream %s failed mid-answer: %r", upstream.name, exc)
        finally:
            await answer.aclose()

    @staticmethod
    async def _relay(answer, send) -> None:
        headers = answer.headers
        nominated = next((value for name, value in headers if name == b"connection"), None)
        drop = _DROP_RESPONSE | _connection_tokens(nominated) if nominated else _DROP_RESPONSE
        await send({"type": "http.response.start", "status": answer.status,
                    "headers": [pair for pair in headers if pair[0] not in drop]})
        if answer.complete:
            await send({"type": "http.response.body", "body": answer.body()})
            return
        async for chunk in answer.aiter_raw():
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b""})

    async def _exchange(self, scope, receive, send, api_key: str) -> str | None:
        """The JWT for a partner key, or None once a problem answer has been sent."""
        try:
            return await self.api_keys.token_for(api_key)
        except InvalidApiKey:
            response = problem_response(
                401, "invalid_api_key", title="Invalid API key",
                detail="The API key is unknown, revoked or expired.",
                headers={"WWW-Authenticate": "Bearer"})
        except httpx.TransportError as exc:
            response = _failure("identity", exc, self.retry_after)
        except TokenExchangeFailed as exc:
            log.warning("API key exchange failed: %s", exc)
            response = problem_response(
                502, "token_exchange_failed", title="Bad gateway",
                detail="The API key could not be checked; try again shortly.")
        await response(scope, receive, send)
        return None
