"""The reach dashboard over the real suite: a network admin's figures, filters, every breakdown,
sorting and finding rows, the CSV and SVG downloads, and what a withheld figure looks like."""

import re
from datetime import UTC, datetime, timedelta

import pytest

from services.identity.organizations.models import Organization
from tests.support.stack import eventually
from tests.web.conftest import ADMIN, api_post, person_with_account, seed_event
from web.clients.reach import Breakdown
from web.dashboard.dimensions import DIMENSIONS
from web.dashboard.map import california
from web.pages.reach import COLUMNS, View
from web.rendering import templates

HTMX = {"HX-Request": "true", "HX-Target": "breakdown"}
STARTS = datetime.now(UTC) - timedelta(hours=3)
DAY = timedelta(days=1)
WINDOW = f"from={(STARTS - DAY).date()}&to={(STARTS + DAY).date()}"


def figure(html: str, name: str) -> str | None:
    found = re.search(rf'id="figure_{name}">\s*<p class="figure-value">(.*?)</p>', html, re.S)
    return found.group(1) if found else None


@pytest.fixture
async def reached(stack, network, visitor):
    """Two teachers reached by the leader's session three hours ago: one in Alameda, one in
    Fresno; the visitor is the network's admin, and the page already shows both."""
    root = await stack.token(*ADMIN)
    fresno = await person_with_account(stack, root, "fresno@web.test", "Fresno Teacher",
                                       county="Fresno")
    event = await seed_event(stack, network, starts=STARTS, capacity=5)
    session_id = event["sessions"][0]["id"]
    for person in (network.teachers[0], fresno):
        await api_post(stack, f"/api/scheduling/v1/sessions/{session_id}/attendance", root,
                       json={"person_id": person["id"], "source": "check_in"})
    await visitor.login("admin@web.test")
    url = f"/reach?network_id={network.id}&{WINDOW}"

    async def shown():
        page = await visitor.get(url)
        assert page.status_code == 200, page.text
        # The summary and each breakdown are read in parallel: wait until every part has both.
        ready = (figure(page.text, "direct") == "2" and "Fresno: 1</title>" in page.text
                 and 'id="growth-table"' in page.text)
        return page.text if ready else None

    return url, await eventually(shown, timeout=20)


async def test_the_headline_figures_with_their_definitions(reached):
    _, html = reached
    assert figure(html, "leaders") == "1"
    assert figure(html, "direct") == "2" and figure(html, "total") == "2"
    assert figure(html, "counties") == "2"
    assert "What these figures mean" in html and "non-leaders who attended" in html
    assert 'id="depth"' in html and "Came back for Session II" in html


async def test_growth_is_a_chart_with_a_table_beside_it(reached):
    _, html = reached
    chart = re.search(r'<svg[^>]*class="chart".*?</svg>', html, re.S).group(0)
    assert "<title id=\"growth-title\">" in chart and "<desc" in chart
    table = re.search(r'<table class="cards" id="growth-table">.*?</table>', html, re.S).group(0)
    rows = re.findall(r'<th scope="row">(\d{4}-\d\d)</th>', table)
    assert rows and rows[0] >= "2025-26"  # the empty years before anyone was reached are gone
    assert re.search(r'data-label="New">2<', table) and re.search(r'data-label="Cumulative">2<',
                                                                   table)


async def test_the_map_shades_the_reached_counties_and_says_so_in_words(reached):
    _, html = reached
    assert california() is not None, "make assets installs the county boundaries"
    assert html.count("<path d=") == 58
    assert "<title>Alameda: 1</title>" in html and "<title>Kern: not reached</title>" in html
    assert "U.S. Census Bureau" in html
    table = re.search(r'id="map-table">.*?</table>', html, re.S).group(0)
    assert "Alameda" in table and "Fresno" in table and "Kern" not in table


async def test_the_cascade_shows_its_generations(reached):
    _, html = reached
    cascade = re.search(r'id="cascade-table">.*?</table>', html, re.S).group(0)
    assert re.search(r'id="generation_1">\s*<th scope="row">1: direct and conference</th>\s*'
                     r'<td class="num" data-label="People">2<', cascade)
    assert "Who reached whom" in html


async def test_a_county_filter_changes_the_figures(reached, visitor):
    url, _ = reached
    page = await visitor.get(f"{url}&county=Fresno")
    assert page.status_code == 200
    assert figure(page.text, "direct") == "1" and figure(page.text, "counties") == "1"
    assert "Filtered by:" in page.text and "County: Fresno" in page.text
    role = await visitor.get(f"{url}&role=administrator")
    assert figure(role.text, "direct") == "0"


async def test_every_dimension_has_its_table(reached, visitor):
    url, _ = reached
    expected = {"county": "Fresno", "district": "Oakland Unified", "school": "Lincoln Elementary",
                "role": "Teacher", "subject": "ELA", "grade_span": "6-8",
                "event_kind": "Workshop series"}
    for dimension, label in DIMENSIONS:
        page = await visitor.get(f"{url}&dimension={dimension}", headers=HTMX)
        assert page.status_code == 200, (dimension, page.text)
        assert page.text.lstrip().startswith('<section aria-labelledby="breakdown-heading"')
        assert f"By {label.lower()}" in page.text and "<html" not in page.text
        assert "HX-Target" in page.headers["vary"]
        assert 'id="breakdown-table"' in page.text, dimension
        if dimension in expected:
            assert expected[dimension] in page.text, dimension
        assert f"dimension={dimension}" in page.text  # its CSV link


async def test_the_breakdown_sorts_and_finds_rows(reached, visitor):
    url, _ = reached

    def counties(html: str) -> list[str]:
        table = re.search(r'id="breakdown-table">.*?</table>', html, re.S).group(0)
        return re.findall(r'title="Show only ([^"]+)"', table)

    down = await visitor.get(f"{url}&sort=label&order=desc", headers=HTMX)
    assert counties(down.text) == ["Fresno", "Alameda"]
    assert re.search(r'aria-sort="descending">\s*<a[^>]*order=asc', down.text)
    up = await visitor.get(f"{url}&sort=label&order=asc", headers=HTMX)
    assert counties(up.text) == ["Alameda", "Fresno"]
    found = await visitor.get(f"{url}&q=fres", headers=HTMX)
    assert counties(found.text) == ["Fresno"]
    nothing = await visitor.get(f"{url}&q=nowhere", headers=HTMX)
    assert "No row matches" in nothing.text


async def test_every_table_downloads_as_csv(reached, visitor):
    url, _ = reached
    query = url.split("?", 1)[1]
    for table in ("summary", "breakdown", "cascade", "growth"):
        response = await visitor.get(f"/reach/export.csv?{query}&table={table}&dimension=county")
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("text/csv")
        assert response.headers["content-disposition"].startswith("attachment")
    by_county = await visitor.get(f"/reach/export.csv?{query}&table=breakdown&dimension=county")
    assert "Alameda" in by_county.text and "Fresno" in by_county.text
    filtered = await visitor.get(f"/reach/export.csv?{query}&table=breakdown&county=Fresno")
    assert "Fresno" in filtered.text and "Alameda" not in filtered.text


async def test_the_chart_and_the_map_download_as_svg(reached, visitor):
    url, _ = reached
    query = url.split("?", 1)[1]
    for name, inside in (("growth", "New and cumulative total reach"),
                         ("map", "<title>Fresno: 1</title>")):
        response = await visitor.get(f"/reach/{name}.svg?{query}")
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("image/svg+xml")
        assert response.headers["content-disposition"].startswith("attachment")
        assert response.text.startswith('<?xml version="1.0"')
        assert 'xmlns="http://www.w3.org/2000/svg"' in response.text and inside in response.text


async def test_a_bad_date_is_an_error_beside_its_field(stack, network, visitor):
    await visitor.login("admin@web.test")
    page = await visitor.get(f"/reach?network_id={network.id}&from=2026-02-30&to=2026-03-01")
    assert page.status_code == 422
    assert "Use a date like 2026-03-14." in page.text
    assert re.search(r'id="from"[^>]*aria-invalid="true"', page.text)
    old = await visitor.get(f"/reach?network_id={network.id}&from=1850-01-01")
    assert old.status_code == 422 and "Choose a date from 2000" in old.text
    role = await visitor.get(f"/reach?network_id={network.id}&role=wizard")
    assert role.status_code == 422 and "Choose one from the list." in role.text


async def test_people_without_a_reach_role_are_refused(stack, network, visitor):
    await visitor.login("teacher0@web.test")
    page = await visitor.get(f"/reach?network_id={network.id}")
    assert page.status_code == 403
    csv = await visitor.get(f"/reach/export.csv?network_id={network.id}&table=summary")
    assert csv.status_code == 403


def test_withheld_figures_show_as_a_dash():
    """A figure the API withholds (null) or a suppressed row reads as a dash or a note, never 0."""
    view = View.parse({"network_id": "n1", "from": "2025-07-01", "to": "2026-06-30"}, ["n1"],
                      datetime(2026, 1, 1).date())
    breakdown = Breakdown.model_validate({"dimension": "county", "rows": [
        {"key": "Alameda", "label": "Alameda", "direct": 12, "conference": None, "indirect": 3,
         "total": 1234, "shares": {"total": 0.5}, "suppressed": False},
        {"key": "Alpine", "label": "Alpine", "suppressed": True}]})
    template = templates.get_template("reach/index.html")
    context = {"view": view, "breakdown": breakdown, "rows": view.rows(breakdown),
               "errors": {}, "dimensions": DIMENSIONS, "dimension_labels": dict(DIMENSIONS),
               "columns": COLUMNS}
    html = "".join(template.blocks["breakdown"](template.new_context(context)))
    assert 'data-label="Conference">—<' in html
    assert 'data-label="Total">1,234<' in html and 'data-label="Share of total">50%<' in html
    assert "Withheld: fewer than the minimum cell size" in html


async def test_a_phone_sorts_the_breakdown_with_its_sort_by_select(reached, visitor):
    """At phone width the headings are hidden (each row is a card): the breakdown's form has a
    Sort by select, sent as a plain GET without JavaScript and swapped in place with htmx."""
    url, html = reached

    def counties(page: str) -> list[str]:
        table = re.search(r'id="breakdown-table">.*?</table>', page, re.S).group(0)
        return re.findall(r'title="Show only ([^"]+)"', table)

    form = re.search(r'<form method="get" action="/reach" class="filters breakdown-form".*?'
                     r'</form>', html, re.S).group(0)
    select = re.search(r'<label for="sort">Sort by</label>\s*<select id="sort" name="sort"'
                       r'[^>]*hx-get="/reach"[^>]*>(.*?)</select>', form, re.S)
    assert select, form
    options = re.findall(r'<option value="([^"]+)"( selected)?>([^<]+)</option>', select.group(1))
    assert ("total:desc", " selected", "Total, largest first") in options
    assert ("label:asc", "", "County, A to Z") in options and len(options) == 2 * len(COLUMNS)
    assert 'name="sort" value' not in form  # no hidden sort beside the select

    for headers in ({}, HTMX):  # the form submitted without JavaScript, and by htmx
        down = await visitor.get(f"{url}&sort=label:desc", headers=headers)
        assert down.status_code == 200
        assert counties(down.text) == ["Fresno", "Alameda"]
        assert '<option value="label:desc" selected>County, Z to A</option>' in down.text
        assert re.search(r'aria-sort="descending">\s*<a[^>]*sort=label&amp;order=asc', down.text)
        up = await visitor.get(f"{url}&sort=label:asc", headers=headers)
        assert counties(up.text) == ["Alameda", "Fresno"]
    odd = await visitor.get(f"{url}&sort=label:sideways", headers=HTMX)
    assert odd.status_code == 200 and '<option value="label:asc" selected>' in odd.text


def test_the_sort_by_select_reads_as_the_headings_do():
    view = View.parse({"sort": "pd_hours:asc"}, ["n"], datetime(2026, 9, 1).date())
    assert (view.sort_key, view.sort_order, view.sorting) == ("pd_hours", "asc", "pd_hours:asc")
    linked = View.parse({"sort": "schools", "order": "asc"}, ["n"], datetime(2026, 9, 1).date())
    assert linked.sorting == "schools:asc"
    assert View.parse({}, ["n"], datetime(2026, 9, 1).date()).sorting == "total:desc"


async def test_a_network_reach_has_not_read_yet_is_a_page_that_says_so(stack, network, visitor):
    """Identity knows the network; reach, which reads it from identity's feed, not yet (here: it
    never will, the row was written without its event). The page says so, not 'not found'."""
    async with stack.apps["identity"].state.sessions() as db:
        unread = Organization(name="Brand New Network", kind="network")
        db.add(unread)
        await db.commit()
        unread_id = unread.id
    await visitor.login(*ADMIN)
    page = await visitor.get(f"/reach?network_id={unread_id}")
    assert page.status_code == 200, page.text
    assert "Reach: Brand New Network" in page.text
    assert "Reach has not yet read this network" in page.text
    assert 'id="figures-heading"' not in page.text
