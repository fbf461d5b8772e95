"""The gateway's settings, from GATEWAY_* environment variables (tests build them directly)."""

from typing import Literal

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

# The services a path /api/<name>/... may name, in the order the docs list them.
API_SERVICES = ("identity", "scheduling", "evidence", "reach")
UPSTREAMS = (*API_SERVICES, "web")


class GatewaySettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GATEWAY_", extra="ignore", populate_by_name=True)

    identity_url: str = "http://127.0.0.1:8011"
    scheduling_url: str = "http://127.0.0.1:8012"
    evidence_url: str = "http://127.0.0.1:8013"
    reach_url: str = "http://127.0.0.1:8014"
    web_url: str = "http://127.0.0.1:8010"

    # Seconds. A refused connection fails at once; connect_timeout bounds a silent host; read is
    # the longest wait for the next bytes of an answer (not a total deadline).
    connect_timeout: float = 0.5
    read_timeout: float = 10.0
    write_timeout: float = 10.0
    # How long a request waits for a free connection when an upstream's pool is full. As long as
    # a read: in a sign-up storm (200 at once, measured by bench/signups.py) a 1 s wait turned up
    # to 86 sign-ups into 503s while the service was merely busy, not down.
    pool_timeout: float = 10.0
    # Per upstream: a slow service can exhaust only its own pool (bulkhead).
    max_connections: int = 100
    max_keepalive_connections: int = 100
    # Below uvicorn's 5 s keep-alive, so the gateway drops an idle connection before the
    # service does and never writes a request into a socket being closed.
    keepalive_expiry: float = 4.0
    # "pool": the gateway's own keep-alive transport (see gateway/transport.py, chosen by
    # bench/gateway.py); "aiohttp": aiohttp's ClientSession on the proxy's path; "httpx":
    # httpx's stock transport; "httpx-aiohttp": httpx_aiohttp's.
    transport: Literal["pool", "aiohttp", "httpx", "httpx-aiohttp"] = "pool"

    max_body_size: int = 50 * 1024 * 1024
    retry_after: int = 5  # what a 503 for an unreachable upstream tells the client

    # The load balancers, ingress controllers and web front ends in front of the gateway
    # (addresses or CIDRs): a request whose socket peer is one of them comes from the
    # right-most address of its X-Forwarded-For that is not one of them (see
    # shared.requests.client_address); every other request from its socket peer. That address
    # is the one rate limited and the one passed upstream in X-Forwarded-For. Web must be one
    # of them: it signs browsers in through the gateway, passing each browser's address on;
    # untrusted, every sign-in through web is limited as web's one address. Loopback covers
    # `cascade run`, where web calls the gateway on 127.0.0.1.
    trusted_proxies: list[str] = ["127.0.0.1/32", "::1/128"]

    # Token bucket per client address on the account-creating and token-issuing routes.
    rate_limit_burst: int = 30
    rate_limit_per_second: float = 1.0
    # Client addresses (or networks) that are not rate limited: loopback, for `cascade run`
    # and the tests (the browser there is on loopback too). Never web's address: web passes
    # each browser's on, so browsers signing in through web are limited one by one.
    rate_limit_exempt: list[str] = ["127.0.0.1/32", "::1/128"]

    # Partner API keys are exchanged at identity for a JWT, kept at most this long.
    api_key_cache_seconds: float = 60.0

    health_timeout: float = 1.0
    openapi_cache_seconds: float = 10.0

    log_level: str = Field("INFO", validation_alias=AliasChoices("GATEWAY_LOG_LEVEL",
                                                                 "CASCADE_LOG_LEVEL"))

    def upstream_url(self, name: str) -> str:
        return getattr(self, f"{name}_url")
