"""Request ids and JSON logs: every log line of a request carries the id the gateway assigned;
and the headers every answer carries unless the app chose otherwise."""

import ipaddress
import json
import logging
import re
import sys
import uuid
from collections.abc import Iterable, Sequence
from contextvars import ContextVar

_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
_VALID_ID = re.compile(r"^[A-Za-z0-9._-]{1,128}$")


def current_request_id() -> str | None:
    return _request_id.get()


class RequestIdMiddleware:
    """Pure ASGI: takes X-Request-ID when `trust_incoming` (services behind the gateway) and it
    is well formed, otherwise mints one; echoes it on the response."""

    def __init__(self, app, *, trust_incoming: bool = True) -> None:
        self.app = app
        self.trust_incoming = trust_incoming

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        request_id = None
        if self.trust_incoming:
            for name, value in scope["headers"]:
                if name == b"x-request-id":
                    candidate = value.decode("latin-1")
                    request_id = candidate if _VALID_ID.match(candidate) else None
                    break
        request_id = request_id or uuid.uuid4().hex
        token = _request_id.set(request_id)
        # Also on the scope: an unexpected error is answered by Starlette's outermost middleware,
        # after this context has ended.
        scope.setdefault("state", {})["request_id"] = request_id

        async def send_with_id(message):
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k != b"x-request-id"]
                headers.append((b"x-request-id", request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            _request_id.reset(token)


# Every API answer: never sniffed into another type (a JSON string rendered as HTML), and never
# stored by a browser or a shared cache (a bearer's answers are that person's data). A route
# that may be cached says so itself (identity's jwks.json, say).
API_RESPONSE_HEADERS = {"X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"}


class DefaultHeadersMiddleware:
    """Pure ASGI: adds `headers` to every answer that does not already carry them."""

    def __init__(self, app, *, headers: dict[str, str]) -> None:
        self.app = app
        self.headers = [(name.lower().encode("latin-1"), value.encode("latin-1"))
                        for name, value in headers.items()]

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_with_defaults(message):
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [pair for pair in self.headers if pair[0] not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_defaults)


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def networks(cidrs: Iterable[str]) -> list[Network]:
    """Addresses or CIDRs (settings such as GATEWAY_TRUSTED_PROXIES) as networks."""
    return [ipaddress.ip_network(cidr.strip(), strict=False) for cidr in cidrs if cidr.strip()]


def _within(address: str, trusted: Sequence[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in trusted)


def client_address(scope, trusted_proxies: Sequence[Network]) -> str | None:
    """The address of whoever sent the request: the socket peer; or, when the peer is one of
    `trusted_proxies`, the right-most address of X-Forwarded-For that is not a trusted proxy.
    Each proxy appends the peer it saw, so that is the first hop nobody trusted could forge;
    everything left of it is whatever the client wrote. A malformed hop ends the walk at the
    last address that parsed."""
    client = scope.get("client")
    peer = client[0] if client else None
    if peer is None or not _within(peer, trusted_proxies):
        return peer
    hops = b",".join(value for name, value in scope["headers"] if name == b"x-forwarded-for")
    address = peer
    for hop in reversed(hops.decode("latin-1").split(",")):
        try:
            ip = ipaddress.ip_address(hop.strip())
        except ValueError:
            break
        address = str(ip)
        if not any(ip in network for network in trusted_proxies):
            break
    return address


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": current_request_id(),
        }
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry)


def configure_logging(level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # A line for every outgoing request (feed polls, several a second) drowns what matters.
    for chatty in ("httpx", "httpcore"):
        logging.getLogger(chatty).setLevel(max(logging.WARNING, root.level))
