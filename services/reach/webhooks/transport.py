"""Webhooks go to public addresses only, checked when each POST is sent (a name that resolved to
a public address when it was subscribed may resolve to 127.0.0.1 or 169.254.169.254 today).

The host is resolved once, every address it resolves to is checked, and the connection is made
to the address that was checked: the request keeps its Host header and TLS its server name (and
certificate check) for the host, so no second lookup can swap an internal address in (DNS
rebinding). Connections are not kept alive: a pooled connection, keyed by address, would carry
the next host's request without checking that host's certificate.
"""

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable

import httpx

from services.reach.webhooks.service import LOCAL_HOSTS, internal_kind

Resolve = Callable[[str, int], Awaitable[list[str]]]


class InternalAddress(httpx.TransportError):
    """The host resolves to an address webhooks are not delivered to."""


async def resolve(host: str, port: int) -> list[str]:
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


class PublicAddressTransport(httpx.AsyncBaseTransport):
    def __init__(self, *, allow_localhost: bool, max_connections: int,
                 resolver: Resolve = resolve,
                 inner: httpx.AsyncBaseTransport | None = None) -> None:
        self.allow_localhost = allow_localhost  # the setting webhook_allow_http_localhost
        self.resolve = resolver
        self.inner = inner or httpx.AsyncHTTPTransport(
            trust_env=False, limits=httpx.Limits(max_connections=max_connections,
                                                 max_keepalive_connections=0))

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        host = request.url.host
        port = request.url.port or (443 if request.url.scheme == "https" else 80)
        address = await self.checked_address(host, port)
        extensions = dict(request.extensions)
        if request.url.scheme == "https":
            extensions["sni_hostname"] = host
        pinned = httpx.Request(request.method, request.url.copy_with(host=address),
                               headers=request.headers,  # Host: still the host's name
                               stream=request.stream, extensions=extensions)
        return await self.inner.handle_async_request(pinned)

    async def checked_address(self, host: str, port: int) -> str:
        """The address to connect to: the first the host resolves to, once none is internal."""
        try:
            addresses = await self.resolve(host, port)
        except (OSError, UnicodeError) as error:
            raise httpx.ConnectError(f"{host} could not be resolved: {error}") from None
        if not addresses:
            raise httpx.ConnectError(f"{host} could not be resolved")
        if self.allow_localhost and host in LOCAL_HOSTS:
            return addresses[0]
        for address in addresses:
            kind = internal_kind(ipaddress.ip_address(address.split("%")[0]))
            if kind:
                raise InternalAddress(f"refused: {host} resolves to {address}, a {kind} "
                                      "address; webhooks go to public addresses only")
        return addresses[0]

    async def aclose(self) -> None:
        await self.inner.aclose()
