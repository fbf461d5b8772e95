"""The one way Cascade code builds an outgoing HTTP client."""

from http.cookiejar import CookieJar, DefaultCookiePolicy

import httpx


def no_cookies() -> CookieJar:
    # A client shared between callers must never replay one caller's cookies to another.
    return CookieJar(policy=DefaultCookiePolicy(allowed_domains=()))


DEFAULT_TIMEOUT = httpx.Timeout(10.0, connect=2.0, pool=2.0)
DEFAULT_LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=20)


def make_client(
    base_url: str,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
    limits: httpx.Limits = DEFAULT_LIMITS,
) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=base_url,
        transport=transport,
        timeout=timeout,
        limits=limits,
        cookies=no_cookies(),
        follow_redirects=False,
        trust_env=False,
    )
