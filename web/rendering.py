"""One template per page; an htmx request that targets an element gets only the block of the
same name, every other request the whole document (see Vary)."""

from datetime import UTC, date, datetime, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from web.auth import csrf_token, current_user
from web.htmx import get_htmx
from web.vocabulary import EVENT_KINDS, FORMATS

TEMPLATES = Path(__file__).resolve().parent / "templates"
# The answer depends on these request headers; caches must key on them.
VARY = "HX-Request, HX-History-Restore-Request, HX-Target"

KIND_LABELS = dict(EVENT_KINDS)
FORMAT_LABELS = dict(FORMATS)


def zone(name: str | None) -> ZoneInfo | timezone:
    try:
        return ZoneInfo(name) if name else UTC
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def local_time(value: datetime | None, tz_name: str | None, style: str = "full") -> str:
    """A UTC instant as people in the event's time zone read it: "Tue 3 Mar 2026, 3:30 PM PST"."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    local = value.astimezone(zone(tz_name))
    clock = local.strftime("%I:%M %p").lstrip("0")
    if style == "time":
        return f"{clock} {local.tzname()}"
    day = f"{local.strftime('%a')} {local.day} {local.strftime('%b %Y')}"
    return day if style == "date" else f"{day}, {clock} {local.tzname()}"


def iso_local(value: datetime | None, tz_name: str | None) -> str:
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(zone(tz_name)).isoformat()


def long_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    return f"{value.day} {value.strftime('%B %Y')}"


def hours(value: float | int | None) -> str:
    if value is None:
        return ""
    return f"{value:g}"


WITHHELD = "—"


def figure(value: float | int | None, places: int = 1) -> str:
    """A count as people read it (12,345); a withheld figure (None) as a dash."""
    if value is None:
        return WITHHELD
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.{places}f}"
    return f"{int(value):,}"


def percent(value: float | None) -> str:
    return WITHHELD if value is None else f"{100 * value:.0f}%"


def shade(value: int | None, scale: Any, withheld: bool = False) -> str:
    """The map's and tables' shading class of a value on a web.dashboard.charts.Shades scale."""
    return scale.css(value, withheld)


templates = Jinja2Templates(directory=TEMPLATES)
templates.env.filters.update(local_time=local_time, iso_local=iso_local, long_date=long_date,
                             hours=hours, figure=figure, percent=percent, shade=shade)
templates.env.globals.update(KIND_LABELS=KIND_LABELS, FORMAT_LABELS=FORMAT_LABELS)
# Macros as a global rather than an {% import %}: a block rendered alone never runs the
# template's top-level imports.
templates.env.globals["forms"] = templates.env.get_template("_forms.html").module
templates.env.globals["jobs"] = templates.env.get_template("imports/_job.html").module


def flash(request: Request, message: str) -> None:
    """A message shown once, on the next whole page this browser renders."""
    request.session["flash"] = [*request.session.get("flash", []), message]


def page_context(request: Request, context: dict[str, Any], *, whole_page: bool) -> dict[str, Any]:
    ctx = {"request": request, "user": current_user(request), "csrf_token": csrf_token(request),
           "flashes": [], **context}
    if whole_page and request.session.get("flash"):
        ctx["flashes"] = request.session.pop("flash")
    return ctx


def render(
    request: Request,
    name: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    block: str | None = None,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """The page `name`, or, for an htmx request, the block named `block` or else the block whose
    name is the id of the element the request targets (when the template has one)."""
    htmx = get_htmx(request)
    template = templates.get_template(name)
    if block is None and htmx.wants_fragment and htmx.target in template.blocks:
        block = htmx.target
    if block is not None:
        ctx = page_context(request, context or {}, whole_page=False)
        html = "".join(template.blocks[block](template.new_context(ctx)))
    else:
        html = template.render(page_context(request, context or {}, whole_page=True))
    response = HTMLResponse(html, status_code=status_code, headers=headers)
    response.headers["Vary"] = VARY
    return response


def render_partial(request: Request, name: str, context: dict[str, Any] | None = None, *,
                   status_code: int = 200) -> HTMLResponse:
    """A partial template (templates/<feature>/_name.html), the answer to an htmx action."""
    html = templates.get_template(name).render(page_context(request, context or {},
                                                            whole_page=False))
    response = HTMLResponse(html, status_code=status_code)
    response.headers["Vary"] = VARY
    return response


def see_other(request: Request, url: str, *, full_reload: bool = False) -> Response:
    """POST then redirect: 303 for a plain browser; for htmx, HX-Location (navigate without a
    reload) or HX-Redirect (reload everything, e.g. when the session and its CSRF token change)."""
    if get_htmx(request).request:
        header = "HX-Redirect" if full_reload else "HX-Location"
        response: Response = Response(status_code=200, headers={header: url})
    else:
        response = RedirectResponse(url, status_code=303)
    response.headers["Vary"] = VARY
    return response
