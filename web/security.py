"""Security headers on every answer, and the CSRF gate in front of every unsafe request."""

from fastapi import Request
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from web.auth import csrf_token_valid

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    # Pico draws its select arrows and check marks with data: SVG images.
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "geolocation=(), camera=(), microphone=()",
}
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _personal(scope: Scope) -> bool:
    """An answer rendered for a signed-in user: the session (read by SessionMiddleware, inside
    this middleware) holds the sign-in (web/auth.py keeps its login-session handle under
    "handle"). The stylesheet and scripts are the same for everyone and stay cacheable."""
    return (bool(scope.get("session", {}).get("handle"))
            and not scope["path"].startswith("/static/"))


class SecurityHeadersMiddleware:
    """The headers above on every answer; and, on every answer to a signed-in browser (pages,
    partials, PDFs, redirects, errors alike), Cache-Control: no-store unless the route chose
    its own: what a person's pages show (roster, transcript, mailbox, schedule) must not stay
    in the browser's cache or a shared one for the next user of the machine."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
                if _personal(scope):
                    headers.setdefault("Cache-Control", "no-store")
            await send(message)

        await self.app(scope, receive, send_with_headers)


class CsrfRejected(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def expected_origin(request: Request) -> str:
    # The gateway sets X-Forwarded-Host/Proto and never passes the caller's own values through.
    headers = request.headers
    host = headers.get("x-forwarded-host") or headers.get("host", "")
    scheme = headers.get("x-forwarded-proto") or request.url.scheme
    return f"{scheme}://{host.split(',')[0].strip()}"


def check_same_origin(request: Request) -> None:
    site = request.headers.get("sec-fetch-site")
    if site is not None and site not in ("same-origin", "none"):
        raise CsrfRejected(f"cross-site request ({site})")
    origin = request.headers.get("origin")
    if origin is not None and origin != expected_origin(request):
        raise CsrfRejected("the request came from another origin")


async def csrf_protect(request: Request) -> None:
    """Every POST must come from our own pages: same origin, and carrying the session's token
    (a hidden form field, or the X-CSRF-Token header htmx adds from <body hx-headers>)."""
    if request.method in SAFE_METHODS:
        return
    check_same_origin(request)
    candidates = [request.headers.get("x-csrf-token")]
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()  # cached on the request: the route reads it again for free
        field = form.get("csrf_token")
        candidates.append(field if isinstance(field, str) else None)
    if not any(csrf_token_valid(request, sent) for sent in candidates):
        raise CsrfRejected("the form is missing its security token or it has expired")
