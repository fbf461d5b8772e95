"""The reach dashboard: what a network admin shows a funder. The headline figures with their
definitions, new and cumulative reach per school year, the cascade's generations, a county map,
and a breakdown by any dimension that sorts, filters and finds a row; each table and chart
downloads. Everything comes from the reach API through the gateway."""

import asyncio
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from web.auth import REACH_ROLES, User, UserDep
from web.clients import ApiError, Clients
from web.clients.reach import Breakdown, BreakdownRow, Growth
from web.dashboard import charts
from web.dashboard.dimensions import (
    CHOICES,
    DIMENSION_LABELS,
    DIMENSIONS,
    FILTER_LABELS,
    FILTERS,
    FIRST_YEAR,
    LAST_YEAR,
    ROLES,
    YEAR_DIMENSIONS,
    school_years,
)
from web.dashboard.map import california
from web.deps import ClientsDep
from web.networks import networks_where
from web.rendering import render, templates

router = APIRouter()
GROWTH_FROM = date(FIRST_YEAR, 7, 1)  # growth is asked over the whole history, then trimmed
TABLES = ("summary", "breakdown", "cascade", "growth")
# The breakdown's columns: (sort key, heading); a row's value for each is in `cell`.
COLUMNS = [("label", "Row"), ("direct", "Direct"), ("conference", "Conference"),
           ("indirect", "Indirect"), ("total", "Total"), ("share", "Share of total"),
           ("schools", "Schools"), ("pd_hours", "PD hours")]
SORTS = dict(COLUMNS)


def school_year(today: date) -> tuple[date, date]:
    """July 1 to June 30, the year schools and their funders count in."""
    start_year = today.year if today.month >= 7 else today.year - 1
    return date(start_year, 7, 1), date(start_year + 1, 6, 30)


def parse_day(value: str | None, default: date) -> tuple[date, str | None]:
    if not value:
        return default, None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return default, "Use a date like 2026-03-14."
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        return default, f"Choose a date from {FIRST_YEAR} to {LAST_YEAR}."
    return day, None


def cell(row: BreakdownRow, key: str) -> Any:
    if key == "label":
        return row.label or "Not recorded"
    if key == "share":
        return row.shares.get("total")
    return getattr(row, key)


@dataclass(frozen=True)
class View:
    """What the dashboard is asked to show, read from the query string; a value that makes no
    sense is dropped with its message beside the field."""

    network_id: str | None
    start: date
    end: date
    filters: dict[str, str] = field(default_factory=dict)
    dimension: str = "county"
    sort: str = ""
    order: str = ""
    q: str = ""
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def parse(cls, params, network_ids: list[str], today: date) -> "View":
        default_start, default_end = school_year(today)
        start, start_error = parse_day(params.get("from"), default_start)
        end, end_error = parse_day(params.get("to"), default_end)
        errors = {k: v for k, v in (("from", start_error), ("to", end_error)) if v}
        if end < start:
            errors["to"] = "The window must end after it starts."
            start, end = default_start, default_end
        wanted = params.get("network_id")
        network_id = wanted if wanted in network_ids else (network_ids[0] if network_ids else None)
        filters = {}
        for name in FILTERS:
            value = (params.get(name) or "").strip()
            if not value:
                continue
            options = CHOICES.get(name) or (school_years(start, end)
                                            if name in YEAR_DIMENSIONS else None)
            if options is not None and value not in dict(options):
                errors[name] = "Choose one from the list."
            elif len(value) > 120:
                errors[name] = "That is too long."
            else:
                filters[name] = value
        dimension = params.get("dimension") or "county"
        if dimension not in DIMENSION_LABELS:
            errors["dimension"] = "Choose one from the list."
            dimension = "county"
        # The headings' links send sort and order; the Sort by select sends "total:desc".
        sort, _, chosen = (params.get("sort") or "").partition(":")
        sort = sort if sort in SORTS else ""
        order = chosen or params.get("order")
        order = order if order in ("asc", "desc") else ""
        return cls(network_id=network_id, start=start, end=end, filters=filters,
                   dimension=dimension, sort=sort, order=order,
                   q=(params.get("q") or "").strip()[:120], errors=errors)

    @property
    def sort_key(self) -> str:
        return self.sort or ("label" if self.dimension in YEAR_DIMENSIONS else "total")

    @property
    def sort_order(self) -> str:
        return self.order or ("asc" if self.sort_key == "label" else "desc")

    def params(self, **changes: str | None) -> dict[str, str]:
        values = {"network_id": self.network_id, "from": self.start.isoformat(),
                  "to": self.end.isoformat(), **self.filters, "dimension": self.dimension,
                  "sort": self.sort, "order": self.order, "q": self.q, **changes}
        return {k: v for k, v in values.items() if v}

    def url(self, path: str = "/reach", **changes: str | None) -> str:
        return f"{path}?{urlencode(self.params(**changes))}"

    def sorted_by(self, key: str) -> str:
        """The link of a column's heading: by it, or the other way round when it already is."""
        order = ("desc" if self.sort_order == "asc" else "asc") if key == self.sort_key else (
            "asc" if key == "label" else "desc")
        return self.url(sort=key, order=order)

    @property
    def sorting(self) -> str:
        """The Sort by select's value for the order shown."""
        return f"{self.sort_key}:{self.sort_order}"

    def sort_choices(self, row_heading: str) -> list[tuple[str, str]]:
        """The Sort by select's options: every column, each way; the one a phone has, where
        the headings are not shown."""
        choices = []
        for key, heading in COLUMNS:
            if key == "label":
                ways = (("asc", f"{row_heading}, A to Z"), ("desc", f"{row_heading}, Z to A"))
            else:
                ways = (("desc", f"{heading}, largest first"),
                        ("asc", f"{heading}, smallest first"))
            choices += [(f"{key}:{order}", text) for order, text in ways]
        return choices

    def aria_sort(self, key: str) -> str:
        if key != self.sort_key:
            return "none"
        return "ascending" if self.sort_order == "asc" else "descending"

    def filtered_by(self, row: BreakdownRow) -> str | None:
        """A row's link: the dashboard with that row's value as a filter."""
        if row.key is None:
            return None
        return self.url(**{self.dimension: row.key, "dimension": self.dimension, "q": None})

    def without(self, name: str) -> str:
        return self.url(**{name: None})

    def rows(self, breakdown: Breakdown) -> list[BreakdownRow]:
        """The breakdown's rows found by q and in the chosen order; withheld figures last."""
        rows = [r for r in breakdown.rows
                if not self.q or self.q.casefold() in (r.label or "Not recorded").casefold()]
        key = self.sort_key
        known = [r for r in rows if cell(r, key) is not None]
        unknown = [r for r in rows if cell(r, key) is None]
        known.sort(key=lambda r: (str(cell(r, key)).casefold() if key == "label"
                                  else cell(r, key)), reverse=self.sort_order == "desc")
        return known + unknown


def growth_periods(growth: Growth) -> list[tuple[str, int | None, int | None]]:
    """(school year, new, cumulative) of total reach, from the first year anyone was reached."""
    periods = [(y.school_year, y.new.get("total"), y.cumulative.get("total"))
               for y in growth.years]
    while periods and periods[0][1] == 0 and periods[0][2] == 0:
        periods.pop(0)
    return periods


def county_map(county_rows: list[BreakdownRow]) -> dict | None:
    """The California map shaded by total reach; each county its figure (None: withheld or not
    reached), its shade, and the map's legend."""
    shapes = california()
    if shapes is None:
        return None
    by_name = {(r.key or r.label or "").casefold(): r for r in county_rows}
    figures = []
    for county in shapes.counties:
        row = by_name.get(county.name.casefold())
        figures.append((county, row))
    scale = charts.shades([r.total for _, r in figures if r and not r.suppressed])
    counties = []
    for county, row in figures:
        withheld = row is not None and (row.suppressed or row.total is None)
        value = None if row is None or withheld else row.total
        shade = None if withheld else scale.of(value)
        counties.append({"fips": county.fips, "name": county.name, "path": county.path,
                         "total": value, "withheld": withheld, "shade": shade,
                         "css": scale.css(value, withheld)})
    elsewhere = [r for r in county_rows
                 if (r.key or r.label or "").casefold() not in
                 {c.name.casefold() for c in shapes.counties}]
    return {"shapes": shapes, "counties": counties, "scale": scale, "elsewhere": elsewhere,
            "palette": PALETTE}


# Light to dark (ColorBrewer's Blues); each class also carries its number and range in the
# legend and the table, so colour is not the only cue. 0: not reached; withheld: hatched.
PALETTE = {0: "#ffffff", 1: "#eff3ff", 2: "#bdd7e7", 3: "#6baed6", 4: "#3182bd", 5: "#08519c"}


async def _networks(clients: Clients, user: User) -> list:
    if not user.can_read_reach:
        raise ApiError(403, "forbidden", "Reach is for a network's admins, analysts and leaders.")
    return await networks_where(clients, user, REACH_ROLES)


async def _view(request: Request, clients: Clients, user: User) -> tuple[View, list]:
    networks = await _networks(clients, user)
    view = View.parse(request.query_params, [n.id for n in networks], date.today())
    return view, networks


def _ask(view: View) -> dict:
    return {"network_id": view.network_id, "start": view.start, "end": view.end,
            "filters": view.filters}


async def _growth(clients: Clients, user: User, view: View) -> Growth:
    return await clients.reach.growth(user.token, **{**_ask(view), "start": GROWTH_FROM})


@router.get("/reach")
async def get_reach(request: Request, clients: ClientsDep, user: UserDep) -> Response:
    view, networks = await _view(request, clients, user)
    names = {n.id: n.name for n in networks}
    context: dict[str, Any] = {
        "networks": [(n.id, n.name) for n in networks], "view": view,
        "network_name": names.get(view.network_id, ""), "errors": dict(view.errors),
        "values": {"network_id": view.network_id, "from": view.start.isoformat(),
                   "to": view.end.isoformat(), "q": view.q, **view.filters},
        "dimensions": DIMENSIONS, "dimension_labels": DIMENSION_LABELS,
        "filter_labels": FILTER_LABELS, "choices": CHOICES,
        "year_choices": school_years(view.start, view.end), "columns": COLUMNS,
        "role_labels": dict(ROLES), "summary": None, "breakdown": None,
    }
    if view.network_id is None or view.errors:
        status = 422 if view.errors else 200
        return render(request, "reach/index.html", context, status_code=status)
    try:
        return await _figures(request, clients, user, view, context)
    except ApiError as exc:
        if exc.code != "network_not_found":
            raise
        # A network identity has just made, before reach has read it from identity's feed.
        context["not_read_yet"] = True
        return render(request, "reach/index.html", context)


async def _figures(request: Request, clients: Clients, user: User, view: View,
                   context: dict[str, Any]) -> Response:
    ask = _ask(view)
    if request.headers.get("HX-Target") == "breakdown":
        breakdown = await clients.reach.breakdown(user.token, dimension=view.dimension, **ask)
        context.update(breakdown=breakdown, rows=view.rows(breakdown))
        return render(request, "reach/index.html", context)
    calls = [clients.reach.summary(user.token, **ask),
             clients.reach.breakdown(user.token, dimension=view.dimension, **ask),
             clients.reach.cascade(user.token, **ask), _growth(clients, user, view)]
    if view.dimension != "county":
        calls.append(clients.reach.breakdown(user.token, dimension="county", **ask))
    try:
        summary, breakdown, cascade, growth, *county = await asyncio.gather(*calls)
    except ApiError as exc:
        if exc.status != 422:
            raise
        context["errors"] = {"_form": exc.detail}
        return render(request, "reach/index.html", context, status_code=422)
    periods = growth_periods(growth)
    context.update(
        summary=summary, breakdown=breakdown, rows=view.rows(breakdown), cascade=cascade,
        generation_widths=charts.widths([g.people for g in cascade.generations]),
        growth=growth, periods=periods, chart=charts.growth_chart(periods) if periods else None,
        map=county_map((county[0] if county else breakdown).rows),
    )
    return render(request, "reach/index.html", context)


@router.get("/reach/export.csv")
async def export_csv(request: Request, clients: ClientsDep, user: UserDep,
                     table: str = "breakdown") -> Response:
    view, _ = await _view(request, clients, user)
    if table not in TABLES or view.network_id is None or view.errors:
        raise ApiError(404, "not_found", "No such table.")
    ask = _ask(view)
    if table == "growth":
        ask["start"] = GROWTH_FROM
    answer = await clients.reach.export_csv(
        user.token, table=table, dimension=view.dimension if table == "breakdown" else None,
        **ask)
    return Response(answer.text, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": answer.disposition})


def _svg(request: Request, name: str, context: dict, filename: str) -> Response:
    body = templates.get_template(name).render({"request": request, "standalone": True,
                                                **context})
    return Response('<?xml version="1.0" encoding="UTF-8"?>\n' + body.strip() + "\n",
                    media_type="image/svg+xml",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@router.get("/reach/growth.svg")
async def growth_svg(request: Request, clients: ClientsDep, user: UserDep) -> Response:
    view, _ = await _view(request, clients, user)
    if view.network_id is None or view.errors:
        raise ApiError(404, "not_found", "No such chart.")
    periods = growth_periods(await _growth(clients, user, view))
    return _svg(request, "reach/_growth.html",
                {"periods": periods, "chart": charts.growth_chart(periods)},
                f"reach-growth-{view.end}.svg")


@router.get("/reach/map.svg")
async def map_svg(request: Request, clients: ClientsDep, user: UserDep) -> Response:
    view, _ = await _view(request, clients, user)
    shaded = None
    if view.network_id is not None and not view.errors:
        breakdown = await clients.reach.breakdown(user.token, dimension="county", **_ask(view))
        shaded = county_map(breakdown.rows)
    if shaded is None:
        raise ApiError(404, "not_found", "No such map.")
    return _svg(request, "reach/_map.html", {"map": shaded, "view": view},
                f"reach-counties-{view.start}-{view.end}.svg")
