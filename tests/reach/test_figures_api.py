"""Reach figures over a small hand-made network (tests/reach/network.py), fed through the feed
double: the definitions, who may read them, and what partners are shown."""

import httpx
import pytest

from tests.reach import network
from tests.reach.callers import WINDOW, admin_of_network, assert_no_personal_data, partner
from tests.reach.feeds import FakeFeeds, reach_app


class TestSummary:
    async def test_figures_follow_the_definitions(self, reach, keys):
        response = await reach.get("/api/reach/v1/summary", params=WINDOW,
                                   headers=admin_of_network(keys))
        assert response.status_code == 200, response.text
        body = response.json()
        assert {k: body[k] for k in network.EXPECTED} == network.EXPECTED
        assert body["from"] == network.START and body["to"] == network.END
        # L1 and L2 led; P1 led s4 (Q1, Q2), Q1 led s5 (R1)
        assert body["active_leaders"] == 2
        assert body["generations"] == [
            {"generation": 1, "and_later": False, "people": 5, "facilitators": 1,
             "multiplier": 2.5},
            {"generation": 2, "and_later": False, "people": 2, "facilitators": 1,
             "multiplier": 2.0},
            {"generation": 3, "and_later": False, "people": 1, "facilitators": 0,
             "multiplier": 1.0}]
        assert body["multipliers"] == {"direct_per_active_leader": 1.5, "total_per_leader": 4.0}
        # attendances of people reached: P1 s1 s2 s3 s4? (P1 is direct; s4 has P2 not P1)
        assert body["variant"].startswith("cascade-reach/") and body["disclosure"] == "exact"
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


class TestPartnerFigures:
    async def test_default_cell_size_withholds_every_small_figure(self, reach, keys):
        body = (await reach.get("/api/reach/v1/summary", params=WINDOW,
                                headers=partner(keys))).json()
        assert body["min_cell_size"] == 10 and body["disclosure"] == "cell_key"
        for name in ("leaders", "direct", "conference", "indirect", "total", "schools"):
            assert body[name] is None
        assert body["footprint"]["total"] == {"schools": None, "districts": None, "counties": None}
        # Hours and sessions go with their set: pd_hours / a session's length is a head count.
        assert body["sessions"] is None and body["pd_hours"] is None
        assert body["depth"]["pd_hours"] is None
        assert set(body["suppressed"]) >= {"leaders", "direct", "conference", "indirect", "total"}
        assert_no_personal_data(body)

    @pytest.mark.parametrize("reach", [3], indirect=True)
    async def test_shown_counts_are_near_the_truth_and_never_under_the_threshold(self, reach,
                                                                                keys):
        body = (await reach.get("/api/reach/v1/summary", params=WINDOW,
                                headers=partner(keys))).json()
        # leaders 2, conference 2, direct_returned 2: under 3, withheld
        assert body["leaders"] is None and body["conference"] is None
        assert body["direct_returned"] is None
        for name, truth in (("direct", 3), ("indirect", 3), ("total", 8)):
            assert body[name] is not None and abs(body[name] - truth) <= 2 and body[name] >= 3
        footprint = body["footprint"]["total"]
        assert 1 <= footprint["schools"] <= body["total"]
        # Hours follow the published total: 26 h over 8 people, scaled to the shown count.
        assert body["pd_hours"] == round(26.0 * body["total"] / 8)
        assert body["sessions"] == 5

    @pytest.mark.parametrize("reach", [3], indirect=True)
    async def test_the_same_question_asked_again_gives_the_same_answer(self, reach, keys):
        first = (await reach.get("/api/reach/v1/summary", params=WINDOW,
                                 headers=partner(keys))).json()
        again = (await reach.get("/api/reach/v1/summary", params=WINDOW,
                                 headers=partner(keys))).json()
        assert {k: first[k] for k in ("direct", "indirect", "total", "pd_hours")} == \
            {k: again[k] for k in ("direct", "indirect", "total", "pd_hours")}

    async def test_partners_ask_for_whole_months(self, reach, keys):
        for start, end in (("2026-07-02", "2027-06-30"), ("2026-07-01", "2027-06-29"),
                           ("2026-09-10", "2026-09-10")):
            response = await reach.get("/api/reach/v1/summary", headers=partner(keys),
                                       params={**WINDOW, "from": start, "to": end})
            assert response.status_code == 422
            assert response.json()["code"] == "partner_window"
        staff = await reach.get("/api/reach/v1/summary", headers=admin_of_network(keys),
                                params={**WINDOW, "from": "2026-09-10", "to": "2026-09-10"})
        assert staff.status_code == 200


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
    async def test_partner_rows_withhold_small_cells_and_perturb_the_rest(self, reach, keys):
        response = await reach.get("/api/reach/v1/breakdown", headers=partner(keys),
                                   params={**WINDOW, "dimension": "county"})
        body = response.json()
        rows = {row["key"]: row for row in body["rows"]}
        assert body["min_cell_size"] == 2
        # Alameda 2/1/1/4, Fresno 1/1/1/3, not recorded 0/0/1/1
        alameda, fresno = rows["Alameda"], rows["Fresno"]
        assert alameda["conference"] is None and alameda["indirect"] is None
        assert abs(alameda["direct"] - 2) <= 2 and abs(alameda["total"] - 4) <= 2
        assert fresno["direct"] is None and abs(fresno["total"] - 3) <= 2
        assert rows[None]["total"] is None and rows[None]["suppressed"]
        assert_no_personal_data(body)

    async def test_outsiders_are_refused(self, reach, keys):
        response = await reach.get("/api/reach/v1/breakdown",
                                   params={**WINDOW, "dimension": "county"},
                                   headers=keys.headers(roles={"elsewhere": ["network_admin"]}))
        assert response.status_code == 403


class TestPartnerQuota:
    async def test_a_partner_key_that_asks_too_fast_is_told_when_to_come_back(self, database_urls,
                                                                              keys):
        feeds = FakeFeeds(keys)
        network.load(feeds)
        app = reach_app(database_urls["reach"], feeds, keys, partner_query_burst=2,
                        partner_queries_per_second=0.01, consume_feeds=False)
        async with app.router.lifespan_context(app), httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://reach") as client:
            await app.state.reach_index.refresh()
            answers = [await client.get("/api/reach/v1/summary", params=WINDOW,
                                        headers=partner(keys)) for _ in range(3)]
            staff = await client.get("/api/reach/v1/summary", params=WINDOW,
                                     headers=admin_of_network(keys))
            other_key = await client.get(
                "/api/reach/v1/summary", params=WINDOW,
                headers=keys.headers(kind="partner", org="partner-org",
                                     networks=[network.NETWORK], sub="apikey:k2",
                                     person_id=None))
        assert [a.status_code for a in answers] == [200, 200, 429]
        assert answers[2].json()["code"] == "rate_limited"
        assert int(answers[2].headers["retry-after"]) >= 1
        assert staff.status_code == 200 and other_key.status_code == 200


FIGURE_ROUTES = [("/api/reach/v1/summary", {}),
                 ("/api/reach/v1/breakdown", {"dimension": "county"}),
                 ("/api/reach/v1/cascade", {}), ("/api/reach/v1/growth", {}),
                 ("/api/reach/v1/export.csv", {}),
                 ("/api/reach/v1/export.csv", {"table": "growth"})]


class TestUnknownNetworks:
    """A network id that names no network is a 404 to whoever may ask for it, and the same 403
    as ever to whoever may not: an outsider learns nothing of which ids exist."""

    @pytest.mark.parametrize(("path", "params"), FIGURE_ROUTES)
    @pytest.mark.parametrize("network_id", ["no-such-network", "D1"])  # D1: a district
    async def test_a_platform_admin_asking_for_no_network_gets_404(self, reach, keys, path,
                                                                    params, network_id):
        response = await reach.get(path, params={**WINDOW, **params, "network_id": network_id},
                                   headers=keys.headers(admin=True))
        assert response.status_code == 404, response.text
        assert response.headers["content-type"] == "application/problem+json"
        body = response.json()
        assert (body["code"], body["type"], body["status"]) == (
            "network_not_found", "/problems/network_not_found", 404)

    @pytest.mark.parametrize(("path", "params"), FIGURE_ROUTES)
    async def test_outsiders_get_the_same_refusal_for_a_network_that_does_not_exist(
            self, reach, keys, path, params):
        outsiders = {"other admin": keys.headers(roles={network.OTHER_NETWORK:
                                                        ["network_admin"]}),
                     "member": keys.headers(roles={network.NETWORK: ["member"]}),
                     "other partner": partner(keys, networks=[network.OTHER_NETWORK])}
        for who, headers in outsiders.items():
            answers = [await reach.get(path, params={**WINDOW, **params, "network_id": n},
                                       headers=headers)
                       for n in (network.NETWORK, "no-such-network")]
            assert [a.status_code for a in answers] == [403, 403], who
            assert answers[0].json()["code"] == answers[1].json()["code"] == "network_forbidden"

    async def test_a_partner_key_for_a_network_reach_does_not_know_gets_404(self, reach, keys):
        response = await reach.get("/api/reach/v1/summary",
                                   params={**WINDOW, "network_id": "no-such-network"},
                                   headers=partner(keys, networks=["no-such-network"]))
        assert response.status_code == 404
        assert response.json()["code"] == "network_not_found"

    async def test_the_404_is_in_each_routes_openapi(self, reach):
        document = (await reach.get("/api/reach/v1/openapi.json")).json()
        for path in {p for p, _ in FIGURE_ROUTES} | {"/api/reach/v1/webhooks"}:
            assert "404" in document["paths"][path]["get"]["responses"], path
