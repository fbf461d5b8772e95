"""Reach figures over a small hand-made network (tests/reach/network.py), fed through the feed
double: the definitions, who may read them, and what partners are shown."""

from datetime import UTC, datetime

import httpx
import pytest

from tests.reach import network
from tests.reach.feeds import FakeFeeds, caught_up, reach_app

WINDOW = {"network_id": network.NETWORK, "from": network.START, "to": network.END}


@pytest.fixture
async def reach(database_urls, keys, request):
    feeds = FakeFeeds(keys)
    network.load(feeds)
    since = datetime.now(UTC)
    app = reach_app(database_urls["reach"], feeds, keys,
                    min_cell_size=getattr(request, "param", 10))
    async with app.router.lifespan_context(app):
        await caught_up(app, since)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                     base_url="http://reach") as client:
            yield client


def admin_of_network(keys):
    return keys.headers(roles={network.NETWORK: ["network_admin"]})


def partner(keys, networks=(network.NETWORK,)):
    return keys.headers(kind="partner", org="partner-org", networks=list(networks),
                        sub="apikey:k1", person_id=None)


def assert_no_personal_data(body) -> None:
    text = str(body)
    for pid in network.PEOPLE:
        assert f"'{pid}'" not in text


class TestSummary:
    async def test_figures_follow_the_definitions(self, reach, keys):
        response = await reach.get("/api/reach/v1/summary", params=WINDOW,
                                   headers=admin_of_network(keys))
        assert response.status_code == 200, response.text
        body = response.json()
        assert {k: body[k] for k in network.EXPECTED} == network.EXPECTED
        assert body["from"] == network.START and body["to"] == network.END
        assert body["generations"] == [{"generation": 1, "people": 5},
                                       {"generation": 2, "people": 2},
                                       {"generation": 3, "people": 1}]
        assert body["footprint"]["direct"] == {"schools": 3, "districts": 2, "counties": 2}
        # C1 (S1, Alameda), C2 (no school, D2, Fresno)
        assert body["footprint"]["conference"] == {"schools": 1, "districts": 2, "counties": 2}
        # Q1 (S3), Q2 (S1), R1 (nowhere recorded)
        assert body["footprint"]["indirect"] == {"schools": 2, "districts": 2, "counties": 2}
        assert body["footprint"]["total"] == {"schools": 3, "districts": 2, "counties": 2}
        assert body["as_of"] is not None and body["suppressed"] == []
        assert body["min_cell_size"] is None and "direct" in body["definitions"]
        assert_no_personal_data(body)

    async def test_a_narrower_window_counts_only_its_sessions(self, reach, keys):
        # Only s1 (09-10) and s0 (09-01): P1, P2, P3 direct; no conference; Z still not reached.
        response = await reach.get("/api/reach/v1/summary", headers=admin_of_network(keys), params={
            **WINDOW, "from": "2026-09-01", "to": "2026-09-10"})
        body = response.json()
        assert (body["direct"], body["conference"], body["indirect"], body["total"]) == (3, 0, 0, 3)
        assert body["direct_returned"] == 0 and body["sessions"] == 1

    @pytest.mark.parametrize("role", ["network_admin", "analyst", "coordinator", "leader"])
    async def test_network_staff_see_exact_figures(self, reach, keys, role):
        response = await reach.get("/api/reach/v1/summary", params=WINDOW,
                                   headers=keys.headers(roles={network.NETWORK: [role]}))
        assert response.status_code == 200
        assert response.json()["conference"] == 2

    async def test_platform_admin_sees_exact_figures(self, reach, keys):
        response = await reach.get("/api/reach/v1/summary", params=WINDOW,
                                   headers=keys.headers(admin=True))
        assert response.json()["total"] == 8

    async def test_outsiders_are_refused(self, reach, keys):
        member = keys.headers(roles={network.NETWORK: ["member"]})
        other_admin = keys.headers(roles={network.OTHER_NETWORK: ["network_admin"]})
        other_partner = partner(keys, networks=[network.OTHER_NETWORK])
        service = keys.headers(kind="service", sub="service:scheduling", person_id=None)
        for headers in (member, other_admin, other_partner, service):
            response = await reach.get("/api/reach/v1/summary", params=WINDOW, headers=headers)
            assert response.status_code == 403
            assert response.headers["content-type"] == "application/problem+json"
        assert (await reach.get("/api/reach/v1/summary", params=WINDOW)).status_code == 401

    async def test_bad_windows_are_problems_not_errors(self, reach, keys):
        headers = admin_of_network(keys)
        backwards = await reach.get("/api/reach/v1/summary", headers=headers,
                                    params={**WINDOW, "from": "2027-01-01", "to": "2026-01-01"})
        not_a_date = await reach.get("/api/reach/v1/summary", headers=headers,
                                     params={**WINDOW, "from": "yesterday"})
        missing = await reach.get("/api/reach/v1/summary", headers=headers,
                                  params={"network_id": network.NETWORK})
        assert backwards.status_code == not_a_date.status_code == missing.status_code == 422
        assert backwards.json()["code"] == "invalid_window"


class TestPartnerSuppression:
    async def test_default_cell_size_withholds_every_small_figure(self, reach, keys):
        body = (await reach.get("/api/reach/v1/summary", params=WINDOW,
                                headers=partner(keys))).json()
        assert body["min_cell_size"] == 10
        for name in ("leaders", "direct", "conference", "indirect", "total", "schools"):
            assert body[name] is None
        assert body["footprint"]["total"] == {"schools": None, "districts": None, "counties": None}
        assert body["sessions"] == 5 and body["pd_hours"] == 26.0  # not counts of people
        assert_no_personal_data(body)

    @pytest.mark.parametrize("reach", [3], indirect=True)
    async def test_no_withheld_figure_follows_from_the_others(self, reach, keys):
        body = (await reach.get("/api/reach/v1/summary", params=WINDOW,
                                headers=partner(keys))).json()
        # leaders 2 and conference 2 are under 3; conference could then be total - direct -
        # indirect, so the smallest of those (direct, 3) is withheld with it.
        assert body["leaders"] is None and body["conference"] is None
        assert body["direct"] is None
        assert (body["indirect"], body["total"]) == (3, 8)
        assert body["direct_returned"] is None  # 2
        assert body["schools"] is None and body["footprint"]["direct"]["schools"] is None
        assert body["footprint"]["indirect"] == {"schools": 2, "districts": 2, "counties": 2}
        assert set(body["suppressed"]) >= {"leaders", "conference", "direct"}
        parts = [body[name] for name in ("direct", "conference", "indirect")]
        assert sum(part is None for part in parts) != 1


class TestBreakdown:
    async def test_rows_by_county_for_network_staff(self, reach, keys):
        response = await reach.get("/api/reach/v1/breakdown", headers=admin_of_network(keys),
                                   params={**WINDOW, "dimension": "county"})
        assert response.status_code == 200, response.text
        body = response.json()
        rows = {row["key"]: row for row in body["rows"]}
        assert body["dimension"] == "county"
        strip = lambda row: {k: row[k] for k in ("label", "direct", "conference",  # noqa: E731
                                                 "indirect", "total", "suppressed")}
        assert strip(rows["Alameda"]) == {"label": "Alameda", "direct": 2, "conference": 1,
                                          "indirect": 1, "total": 4, "suppressed": False}
        assert strip(rows["Fresno"]) == {"label": "Fresno", "direct": 1, "conference": 1,
                                         "indirect": 1, "total": 3, "suppressed": False}
        assert strip(rows[None]) == {"label": "Not recorded", "direct": 0, "conference": 0,
                                     "indirect": 1, "total": 1, "suppressed": False}

    async def test_rows_by_school_and_district_carry_organization_names(self, reach, keys):
        headers = admin_of_network(keys)
        schools = (await reach.get("/api/reach/v1/breakdown", headers=headers,
                                   params={**WINDOW, "dimension": "school"})).json()["rows"]
        districts = (await reach.get("/api/reach/v1/breakdown", headers=headers,
                                     params={**WINDOW, "dimension": "district"})).json()["rows"]
        assert {r["key"]: (r["label"], r["total"]) for r in schools} == {
            "S1": ("School S1", 3), "S2": ("School S2", 1), "S3": ("School S3", 2),
            None: ("Not recorded", 2)}
        assert {r["key"]: (r["label"], r["direct"]) for r in districts} == {
            "D1": ("Oakland Unified", 2), "D2": ("Fresno Unified", 1), None: ("Not recorded", 0)}

    async def test_an_unsupported_dimension_is_422(self, reach, keys):
        response = await reach.get("/api/reach/v1/breakdown", headers=admin_of_network(keys),
                                   params={**WINDOW, "dimension": "shoe_size"})
        assert response.status_code == 422
        assert response.json()["code"] == "unsupported_dimension"

    @pytest.mark.parametrize("reach", [2], indirect=True)
    async def test_partner_rows_hide_small_cells_and_their_complements(self, reach, keys):
        response = await reach.get("/api/reach/v1/breakdown", headers=partner(keys),
                                   params={**WINDOW, "dimension": "county"})
        body = response.json()
        rows = {row["key"]: row for row in body["rows"]}
        assert body["min_cell_size"] == 2
        # Alameda 2/1/1/4, Fresno 1/1/1/3, not recorded 0/0/1/1: the one small total (1) would
        # follow from the summary's total minus the other rows, so Fresno's 3 goes with it.
        assert [rows["Alameda"][k] for k in ("direct", "conference", "indirect", "total")] == [
            2, None, None, 4]
        assert rows["Fresno"]["total"] is None and rows[None]["total"] is None
        assert all(row["suppressed"] for row in body["rows"])
        columns = ("direct", "conference", "indirect", "total")
        for column in columns:
            assert sum(row[column] is None for row in body["rows"]) != 1
        for row in body["rows"]:
            assert sum(row[column] is None for column in columns) != 1
        assert_no_personal_data(body)

    async def test_outsiders_are_refused(self, reach, keys):
        response = await reach.get("/api/reach/v1/breakdown",
                                   params={**WINDOW, "dimension": "county"},
                                   headers=keys.headers(roles={"elsewhere": ["network_admin"]}))
        assert response.status_code == 403
