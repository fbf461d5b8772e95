"""The catalog's county, format and grade-span filters on the page: a plain GET form without
JavaScript, and the results block alone for htmx."""

import re
from datetime import UTC, datetime, timedelta

import pytest

from tests.web.conftest import ADMIN, api_post

HTMX = {"HX-Request": "true", "HX-Target": "results"}


async def published(stack, network, title: str, **fields) -> None:
    root = await stack.token(*ADMIN)
    event = await api_post(stack, "/api/scheduling/v1/events", root, json={
        "network_id": network.id, "kind": "workshop_series", "title": title, "subjects": ["math"],
        "timezone": "America/Los_Angeles", "status": "published", **fields})
    starts = datetime.now(UTC) + timedelta(days=10)
    await api_post(stack, f"/api/scheduling/v1/events/{event['id']}/sessions", root, json={
        "title": "Session I", "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(hours=2)).isoformat(), "capacity": 20})


@pytest.fixture
async def catalog(stack, network):
    await published(stack, network, "Number talks", grade_min="K", grade_max="2",
                    county="Alameda", format="in_person")
    await published(stack, network, "Fraction strips", grade_min="3", grade_max="5",
                    county="Alameda", format="virtual")
    await published(stack, network, "Ratio tables", grade_min="6", grade_max="8",
                    county="Fresno", format="hybrid")


def titles(html: str) -> set[str]:
    return set(re.findall(r'<h3><a href="/events/\w+">([^<]+)</a></h3>', html))


class TestCatalogFilters:
    async def test_the_form_is_a_get_form_offering_the_counties_that_exist(
            self, stack, catalog, visitor):
        page = await visitor.get("/")
        form = re.search(r'<form method="get" action="/" role="search".*?</form>', page.text, re.S)
        assert form, page.text
        counties = re.search(r'<select id="county" name="county".*?</select>', form.group(0), re.S)
        assert counties and re.findall(r'<option value="([^"]*)"', counties.group(0)) == [
            "", "Alameda", "Fresno"]
        for name in ("format", "grade", "grade_to"):
            assert f'<select id="{name}" name="{name}"' in form.group(0)
        assert "Alameda County" in page.text

    async def test_without_javascript_the_query_filters_the_whole_page(
            self, stack, catalog, visitor):
        page = await visitor.get("/?county=Alameda&format=virtual")
        assert page.text.lstrip().startswith("<!doctype html>")
        assert titles(page.text) == {"Fraction strips"}
        assert re.search(r'<option value="Alameda" selected>', page.text)
        assert re.search(r'<option value="virtual" selected>', page.text)
        span = await visitor.get("/?grade=2&grade_to=6")
        assert titles(span.text) == {"Number talks", "Fraction strips", "Ratio tables"}
        one = await visitor.get("/?grade=4")
        assert titles(one.text) == {"Fraction strips"}

    async def test_htmx_gets_only_the_filtered_results(self, stack, catalog, visitor):
        response = await visitor.get("/?county=Fresno&grade=K&grade_to=6", headers=HTMX)
        assert response.text.lstrip().startswith('<section id="results"')
        assert "<form" not in response.text
        assert titles(response.text) == {"Ratio tables"}
        response = await visitor.get("/?format=hybrid&county=Alameda", headers=HTMX)
        assert titles(response.text) == set()
        assert 'href="/">Show all events</a>' in response.text

    async def test_a_backwards_span_or_unknown_format_is_dropped_with_a_message(
            self, stack, catalog, visitor):
        page = await visitor.get("/?grade=6&grade_to=3&format=outdoors")
        assert page.status_code == 200
        assert "Choose a grade at or above the first one." in page.text
        assert "Choose a format from the list." in page.text
        # What was left of the filters still applies: grade 6 and up.
        assert titles(page.text) == {"Ratio tables"}
