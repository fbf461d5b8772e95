"""The whole suite in one process: the gateway in front of the four services and web, each app
built by its real factory and wired through httpx ASGI transports instead of sockets.

    async with InProcessStack(database_urls, var_dir=tmp_path) as stack:
        await stack.create_admin("root@example.org", "long-password")
        response = await stack.client.get("/api/identity/v1/jwks.json")
"""

import asyncio
import secrets
import time
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import httpx

from gateway.main import create_app as create_gateway
from gateway.settings import GatewaySettings
from services.evidence.main import create_app as create_evidence
from services.evidence.settings import EvidenceSettings
from services.identity.cli import create_account, create_platform_admin
from services.identity.main import create_app as create_identity
from services.identity.settings import IdentitySettings
from services.reach.main import create_app as create_reach
from services.reach.settings import ReachSettings
from services.runner import CLIENTS, client_secret_hash
from services.scheduling.main import create_app as create_scheduling
from services.scheduling.settings import SchedulingSettings
from web.main import create_app as create_web
from web.settings import WebSettings

# Each service's own client secret, and what identity keeps of them (as `cascade run` does).
CLIENT_SECRETS = {client: secrets.token_urlsafe(32) for client in CLIENTS}
SERVICE_CLIENTS = {client: client_secret_hash(value) for client, value in CLIENT_SECRETS.items()}
KEY_ENCRYPTION_KEY = secrets.token_urlsafe(32)
BASE_URL = "http://testserver"
ROOT_LOGIN = ("root@stack.test", "root-password-123")  # the platform admin of the `stack` fixture


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


class _LateBoundApp:
    """Services need a transport to the gateway before the gateway (which needs them) exists."""

    app: Any = None

    async def __call__(self, scope, receive, send):
        await self.app(scope, receive, send)


class InProcessStack:
    def __init__(self, database_urls: dict[str, str], *, var_dir: Path,
                 revocation_cache_seconds: float = 30.0, gateway: dict | None = None,
                 internal_address: str = "127.0.0.1") -> None:
        self.database_urls = database_urls
        self.var_dir = var_dir
        # GatewaySettings fields (the rate limit, its trusted proxies), and the address web and
        # the services call the gateway from.
        self.gateway_fields = gateway or {}
        self.internal_address = internal_address
        # How long services (and web) may go on accepting an ended session's tokens.
        self.revocation_cache_seconds = revocation_cache_seconds
        self._exit = AsyncExitStack()

    def _settings(self, cls, service: str, **fields):
        return cls(database_url=self.database_urls[service], var_dir=self.var_dir,
                   gateway_url=BASE_URL, client_secret=CLIENT_SECRETS.get(service, ""),
                   revocation_cache_seconds=self.revocation_cache_seconds, **fields)

    async def __aenter__(self) -> "InProcessStack":
        to_gateway = _LateBoundApp()
        transport = httpx.ASGITransport(app=to_gateway, client=(self.internal_address, 123))
        self.identity_settings = self._settings(IdentitySettings, "identity",
                                                service_clients=SERVICE_CLIENTS,
                                                key_encryption_key=KEY_ENCRYPTION_KEY)
        self.apps = {
            "identity": create_identity(self.identity_settings, gateway_transport=transport),
            "scheduling": create_scheduling(self._settings(SchedulingSettings, "scheduling"),
                                            gateway_transport=transport),
            "evidence": create_evidence(self._settings(EvidenceSettings, "evidence"),
                                        gateway_transport=transport),
            "reach": create_reach(self._settings(ReachSettings, "reach"),
                                  gateway_transport=transport),
            "web": create_web(WebSettings(var_dir=self.var_dir, gateway_url=BASE_URL,
                                          secret_key=secrets.token_urlsafe(32),
                                          revocation_cache_seconds=self.revocation_cache_seconds),
                              gateway_transport=transport),
        }
        self.gateway = create_gateway(
            GatewaySettings(**self.gateway_fields),
            upstream_transports={name: httpx.ASGITransport(app=app)
                                 for name, app in self.apps.items()},
        )
        to_gateway.app = self.gateway
        for app in (*self.apps.values(), self.gateway):
            await self._exit.enter_async_context(app.router.lifespan_context(app))
        self.client = await self._exit.enter_async_context(
            httpx.AsyncClient(transport=httpx.ASGITransport(app=self.gateway), base_url=BASE_URL)
        )
        return self

    async def __aexit__(self, *exc_info) -> None:
        await self._exit.aclose()

    async def create_admin(self, email: str, password: str) -> None:
        await create_platform_admin(self.identity_settings, email=email, password=password)

    async def create_account(self, email: str, password: str, full_name: str = "Pat Doe") -> str:
        """A confirmed account, made as an operator makes one (sign-ups confirm by mail)."""
        return await create_account(self.identity_settings, email=email, password=password,
                                    full_name=full_name)

    async def token(self, email: str, password: str) -> str:
        response = await self.client.post(
            "/api/identity/v1/token",
            data={"grant_type": "password", "username": email, "password": password},
        )
        response.raise_for_status()
        return response.json()["access_token"]


async def eventually(check: Callable[[], Awaitable[Any]], *, timeout: float = 10.0,
                     interval: float = 0.1) -> Any:
    """Polls `check` until it returns something truthy: waits for a feed, never sleeps blindly."""
    deadline = time.monotonic() + timeout
    while True:
        result = await check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"not true within {timeout}s; last result: {result!r}")
        await asyncio.sleep(interval)


async def reach_summary(client, headers: dict, params: dict):
    """GET reach's summary as a client told to come back would: through 503 while reach's index
    loads and 404 until reach has read a network identity made a moment ago."""

    async def answered():
        response = await client.get("/api/reach/v1/summary", headers=headers, params=params)
        return None if response.status_code in (503, 404) else response

    return await eventually(answered)
