"""The gateway's pure ASGI middleware (BaseHTTPMiddleware breaks streaming and contextvars):
the client's address behind trusted proxies, a request body size limit enforced while
streaming, and a per-address rate limit on the routes that create accounts and issue tokens."""

import ipaddress
import math

from shared.errors import problem_response
from shared.ratelimit import TokenBucket
from shared.requests import client_address, networks

# The API routes that issue tokens, create accounts or mail links (each one a mail to someone).
# Not web's forms that call them: web calls these routes through the gateway with the browser's
# address (X-Forwarded-For, believed from web as a trusted proxy), so a sign-in through web is
# counted here once, against the browser, as one straight to the API is.
RATE_LIMITED_PATHS = frozenset({"/api/identity/v1/token", "/api/identity/v1/accounts",
                                "/api/identity/v1/accounts/confirmations",
                                "/api/identity/v1/password-resets",
                                "/api/identity/v1/invitations/acceptances"})


class RequestTooLarge(Exception):
    pass


class ClientAddressMiddleware:
    """Puts the client's own address in the scope (`client`, and `scheme` from
    X-Forwarded-Proto) when the request came through a trusted proxy, so the rate limit and the
    X-Forwarded-For the proxy sets upstream both name the client, not the load balancer. From
    any other peer, X-Forwarded-* say nothing (and the proxy drops them)."""

    def __init__(self, app, *, trusted_proxies: list[str]) -> None:
        self.app = app
        self.trusted = networks(trusted_proxies)

    async def __call__(self, scope, receive, send) -> None:
        client = scope.get("client")
        if scope["type"] == "http" and self.trusted and client:
            address = client_address(scope, self.trusted)
            if address != client[0]:
                scope = {**scope, "client": (address, 0)}
                proto = [value for name, value in scope["headers"]
                         if name == b"x-forwarded-proto"]
                scheme = proto[-1].split(b",")[-1].strip().decode("latin-1") if proto else ""
                if scheme in ("http", "https"):
                    scope["scheme"] = scheme
        await self.app(scope, receive, send)


class BodySizeLimitMiddleware:
    """413 for a body over the limit: at once when Content-Length says so, otherwise as soon as
    the streamed body passes it (the upstream connection is then dropped mid-request).
    The client's connection stays open: uvicorn discards the rest of the body, so a client that
    sends all of it before reading still gets the 413 instead of a reset connection."""

    def __init__(self, app, *, max_body_size: int) -> None:
        self.app = app
        self.max_body_size = max_body_size

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        has_body = False
        for name, value in scope["headers"]:
            if name == b"content-length":
                has_body = True
                if not value.isdigit() or int(value) > self.max_body_size:
                    await self._too_large(scope, receive, send)
                    return
            elif name == b"transfer-encoding":
                has_body = True
        if not has_body:
            await self.app(scope, receive, send)
            return

        received = 0
        started = False

        async def limited_receive():
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_size:
                    raise RequestTooLarge()
            return message

        async def tracking_send(message):
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except RequestTooLarge:
            if started:
                raise
            await self._too_large(scope, receive, send)

    async def _too_large(self, scope, receive, send) -> None:
        await problem_response(
            413, "request_too_large", title="Request too large",
            detail=f"The request body may be at most {self.max_body_size} bytes.",
        )(scope, receive, send)


class RateLimitMiddleware:
    def __init__(self, app, *, burst: int, per_second: float, exempt: list[str]) -> None:
        self.app = app
        self.bucket = TokenBucket(burst=burst, per_second=per_second)
        self.exempt = [ipaddress.ip_network(network, strict=False) for network in exempt]

    def _is_exempt(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in self.exempt)

    async def __call__(self, scope, receive, send) -> None:
        if (scope["type"] == "http" and scope["method"] == "POST"
                and scope["path"] in RATE_LIMITED_PATHS):
            client = scope.get("client")
            address = client[0] if client else "unknown"
            wait = 0.0 if self._is_exempt(address) else self.bucket.take(address)
            if wait:
                retry_after = str(math.ceil(wait)) if math.isfinite(wait) else "3600"
                await problem_response(
                    429, "rate_limited", title="Too many requests",
                    detail="Too many attempts from this address; try again later.",
                    headers={"Retry-After": retry_after},
                )(scope, receive, send)
                return
        await self.app(scope, receive, send)
