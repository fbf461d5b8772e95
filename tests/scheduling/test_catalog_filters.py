"""The catalog's county, format and grade-span filters, alone and together, and the county list
the catalog page offers (both databases, through the API)."""

import pytest

from tests.scheduling.conftest import API, problem


@pytest.fixture
async def catalog(api):
    """Four published events of one network, spread over counties, formats and grades."""
    return {
        "k2_alameda": await api.event(title="Number talks", grade_min="K", grade_max="2",
                                      county="Alameda", format="in_person"),
        "35_alameda_virtual": await api.event(title="Fractions", grade_min="3", grade_max="5",
                                              county="alameda", format="virtual"),
        "68_slo_hybrid": await api.event(title="Argument writing", grade_min="6",
                                         grade_max="8", county="San Luis  Obispo",
                                         format="hybrid"),
        "912_nowhere": await api.event(title="Lab safety", grade_min="9", grade_max="12",
                                       format="virtual"),
    }


async def found(client, network: str, **params) -> set[str]:
    response = await client.get(f"{API}/events", params={"network_id": network, **params})
    assert response.status_code == 200, response.text
    return {event["title"] for event in response.json()["items"]}


class TestCounty:
    async def test_county_is_stored_in_one_spelling_and_returned(self, api, client, catalog):
        assert catalog["35_alameda_virtual"]["county"] == "Alameda"
        assert catalog["68_slo_hybrid"]["county"] == "San Luis Obispo"
        assert catalog["912_nowhere"]["county"] is None

    async def test_filter_by_county_matches_however_it_is_typed(self, api, client, catalog):
        assert await found(client, api.network, county="Alameda") == {"Number talks", "Fractions"}
        assert await found(client, api.network, county=" san luis obispo ") == {"Argument writing"}
        assert await found(client, api.network, county="Fresno") == set()

    @pytest.mark.parametrize("county", ["", "   ", "Alameda; DROP", "County 9", "x" * 101])
    async def test_a_county_that_is_not_a_name_is_refused(self, api, client, county):
        body = {"network_id": api.network, "kind": "webinar", "title": "x", "grade_min": "K",
                "grade_max": "2", "timezone": "UTC", "county": county}
        problem(await client.post(f"{API}/events", json=body, headers=api.leader), 422)

    async def test_county_can_be_changed_and_cleared(self, api, client, catalog):
        url = f"{API}/events/{catalog['912_nowhere']['id']}"
        changed = await client.patch(url, json={"county": "st. mary's"}, headers=api.leader)
        assert changed.status_code == 200, changed.text
        assert changed.json()["county"] == "St. Mary's"
        assert await found(client, api.network, county="St. Mary's") == {"Lab safety"}
        cleared = await client.patch(url, json={"county": None}, headers=api.leader)
        assert cleared.json()["county"] is None
        assert await found(client, api.network, county="St. Mary's") == set()

    async def test_the_county_list_names_each_county_once_with_its_events(
            self, api, client, catalog):
        pages, cursor = [], None
        while True:
            params = {"status": "published", "limit": 1, **({"cursor": cursor} if cursor else {})}
            response = await client.get(f"{API}/events/counties", params=params)
            assert response.status_code == 200, response.text
            pages.append(response.json()["items"])
            cursor = response.json()["next_cursor"]
            if not cursor:
                break
        counties = {item["name"]: item["events"] for page in pages for item in page}
        assert counties["Alameda"] == 2 and counties["San Luis Obispo"] == 1
        assert all(len(page) <= 1 for page in pages)

    async def test_the_county_list_leaves_out_drafts_outsiders_cannot_see(self, api, client):
        await api.event(title="Secret", county="Modoc", status="draft")
        outsider = (await client.get(f"{API}/events/counties", params={"limit": 200})).json()
        assert "Modoc" not in {item["name"] for item in outsider["items"]}
        staff = (await client.get(f"{API}/events/counties", params={"limit": 200},
                                  headers=api.leader)).json()
        assert "Modoc" in {item["name"] for item in staff["items"]}


class TestFormat:
    async def test_filter_by_format(self, api, client, catalog):
        assert await found(client, api.network, format="virtual") == {"Fractions", "Lab safety"}
        assert await found(client, api.network, format="hybrid") == {"Argument writing"}
        assert await found(client, api.network, format="in_person") == {"Number talks"}

    async def test_an_unknown_format_is_a_422(self, client):
        problem(await client.get(f"{API}/events", params={"format": "outdoors"}), 422)


class TestGradeSpan:
    @pytest.mark.parametrize(("grade", "titles"), [
        ("4", {"Fractions"}),
        ("2-3", {"Number talks", "Fractions"}),
        ("TK-K", {"Number talks"}),
        ("k-12", {"Number talks", "Fractions", "Argument writing", "Lab safety"}),
        ("8 - 9", {"Argument writing", "Lab safety"}),
        ("TK", set()),
    ])
    async def test_events_whose_range_overlaps_the_span(self, api, client, catalog, grade, titles):
        assert await found(client, api.network, grade=grade) == titles

    @pytest.mark.parametrize("grade", ["5-3", "13", "3-", "K-14", "first"])
    async def test_a_span_that_is_not_one_is_a_422(self, client, grade):
        body = problem(await client.get(f"{API}/events", params={"grade": grade}), 422)
        assert "grade" in str(body)


class TestCombined:
    async def test_county_format_grade_text_and_dates_narrow_together(self, api, client, catalog):
        for event in catalog.values():
            await api.session(event["id"], starts_at="2026-03-04T09:00:00-08:00",
                              ends_at="2026-03-04T11:00:00-08:00")
        assert await found(client, api.network, county="Alameda", format="virtual") == {"Fractions"}
        assert await found(client, api.network, county="Alameda", grade="K-1") == {"Number talks"}
        assert await found(client, api.network, county="Alameda", grade="K-1",
                           format="virtual") == set()
        assert await found(client, api.network, format="virtual", grade="3-12", q="lab",
                           **{"from": "2026-03-04", "to": "2026-03-04"}) == {"Lab safety"}
        assert await found(client, api.network, format="virtual", grade="3-12",
                           **{"from": "2026-03-05"}) == set()
