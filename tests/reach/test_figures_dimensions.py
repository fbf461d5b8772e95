"""Every dimension as a filter and as a breakdown, the cascade, growth and CSV, over the hand-made
network of tests/reach/network.py (its docstring works the figures out)."""

import csv
import io

import pytest

from services.reach.figures.service import csv_text
from tests.reach.callers import WINDOW, admin_of_network, assert_no_personal_data, partner

SETS = ("direct", "conference", "indirect", "total")


async def summary(reach, keys, **params):
    response = await reach.get("/api/reach/v1/summary", headers=admin_of_network(keys),
                               params={**WINDOW, **params})
    assert response.status_code == 200, response.text
    return response.json()


def sets(body) -> tuple:
    return tuple(body[name] for name in SETS)


class TestFilters:
    async def test_people_filters_keep_the_people_of_a_place(self, reach, keys):
        assert sets(await summary(reach, keys, county="Alameda")) == (2, 1, 1, 4)
        assert sets(await summary(reach, keys, county="fresno")) == (1, 1, 1, 3)
        assert sets(await summary(reach, keys, district="D2")) == (1, 1, 1, 3)
        assert sets(await summary(reach, keys, school="S1")) == (1, 1, 1, 3)  # P1, C1, Q2
        assert sets(await summary(reach, keys, role="coach_tosa")) == (0, 1, 0, 1)  # C2
        assert sets(await summary(reach, keys, high_poverty="yes")) == (1, 1, 1, 3)
        assert sets(await summary(reach, keys, county="Nowhere")) == (0, 0, 0, 0)

    async def test_a_school_with_a_headcount_gives_its_penetration(self, reach, keys):
        body = await summary(reach, keys, school="S1")
        assert body["penetration"] == {"organization_id": "S1", "headcount": 40, "reached": 3,
                                       "rate": 0.075}
        assert (await summary(reach, keys, school="S2"))["penetration"] is None

    async def test_session_filters_keep_the_sessions_of_matching_events(self, reach, keys):
        # math: s1, s2 (P1-P3), s4 (Q1, Q2 via P1), s5 (R1 via Q1); the ELA conference is out
        math = await summary(reach, keys, subject="math")
        assert sets(math) == (3, 0, 3, 6)
        assert [g["people"] for g in math["generations"]] == [3, 2, 1]
        # ELA: the conference alone; P1 is conference reach now, and s4 (math) is not counted
        assert sets(await summary(reach, keys, subject="ELA")) == (0, 3, 0, 3)
        assert sets(await summary(reach, keys, grade_span="3-5")) == (0, 3, 0, 3)
        assert sets(await summary(reach, keys, grade_span="6-8")) == (3, 0, 3, 6)
        assert sets(await summary(reach, keys, grade_span="9-12")) == (0, 0, 0, 0)
        # workshop series only: no community of practice, so P1's s4 reaches no one
        assert sets(await summary(reach, keys, event_kind="workshop_series")) == (3, 0, 0, 3)

    async def test_year_filters_narrow_the_window(self, reach, keys):
        assert sets(await summary(reach, keys, school_year="2026-27")) == (3, 2, 3, 8)
        assert sets(await summary(reach, keys, school_year="2025-26")) == (0, 0, 0, 0)
        both = await summary(reach, keys, county="Alameda", subject="math")
        assert sets(both) == (2, 0, 1, 3)  # P1, P2 / Q2
        assert both["filters"] == {"county": "Alameda", "subject": "math"}

    @pytest.mark.parametrize("params, code", [
        ({"shoe_size": "9"}, "unknown_filter"),
        ({"County": "Fresno"}, "unknown_filter"),
        ({"role": "wizard"}, "unknown_filter"),
        ({"school_year": "1999-00"}, "unknown_filter"),
        ({"grade_span": "K-12"}, "unknown_filter"),
        ({"from": "9999-01-01", "to": "9999-12-31"}, "invalid_input"),
        ({"county": "Ala\x01meda"}, "invalid_input"),
        ({"school": "S1\x1b"}, "invalid_input"),
    ])
    async def test_an_unknown_filter_is_a_problem_never_ignored(self, reach, keys, params, code):
        for path in ("summary", "breakdown", "growth", "cascade"):
            response = await reach.get(f"/api/reach/v1/{path}", headers=admin_of_network(keys),
                                       params={**WINDOW, "dimension": "county", **params})
            assert response.status_code == 422, (path, response.text)
            assert response.headers["content-type"] == "application/problem+json"
            assert response.json()["code"] == code


async def breakdown(reach, keys, dimension, headers=None, **params):
    response = await reach.get("/api/reach/v1/breakdown",
                               headers=headers or admin_of_network(keys),
                               params={**WINDOW, "dimension": dimension, **params})
    assert response.status_code == 200, response.text
    return {row["key"]: row for row in response.json()["rows"]}


class TestBreakdowns:
    async def test_every_dimension_answers(self, reach, keys):
        for dimension in ("county", "district", "school", "role", "high_poverty", "el_serving",
                          "rural", "subject", "grade_span", "event_kind", "school_year",
                          "program_year"):
            rows = await breakdown(reach, keys, dimension)
            assert rows, dimension
            assert_no_personal_data(rows)

    async def test_session_dimensions_count_a_person_in_every_row_they_belong_to(self, reach,
                                                                                 keys):
        subjects = await breakdown(reach, keys, "subject")
        assert {k: r["total"] for k, r in subjects.items()} == {"ELA": 3, "math": 6}
        assert subjects["math"]["label"] == "Math"
        kinds = await breakdown(reach, keys, "event_kind")
        assert {k: r["total"] for k, r in kinds.items()} == {"conference": 3,
                                                            "workshop_series": 3}
        spans = await breakdown(reach, keys, "grade_span")
        assert {k: r["total"] for k, r in spans.items()} == {"TK-2": 3, "3-5": 3, "6-8": 6}

    async def test_person_dimensions_and_shares(self, reach, keys):
        roles = await breakdown(reach, keys, "role")
        assert {k: r["total"] for k, r in roles.items()} == {"teacher": 7, "coach_tosa": 1}
        assert roles["coach_tosa"]["shares"]["conference"] == 0.5
        lens = await breakdown(reach, keys, "high_poverty")
        assert {k: r["total"] for k, r in lens.items()} == {"yes": 3, None: 5}
        schools = await breakdown(reach, keys, "school")
        assert schools["S1"]["penetration"] == 0.075 and schools["S2"]["penetration"] is None

    async def test_years_carry_corps_size_and_role_mix(self, reach, keys):
        years = await breakdown(reach, keys, "program_year", **{"from": "2025-07-01"})
        assert list(years) == ["2025-26", "2026-27"]
        assert years["2025-26"]["leaders"] == 1 and years["2025-26"]["total"] == 0  # L0
        assert years["2026-27"]["leaders"] == 2 and years["2026-27"]["total"] == 8
        assert years["2026-27"]["role_mix"]["teacher"] == 1.0

    async def test_a_filtered_breakdown_keeps_its_filter(self, reach, keys):
        rows = await breakdown(reach, keys, "county", subject="math")
        assert {k: r["total"] for k, r in rows.items()} == {"Alameda": 3, "Fresno": 2, None: 1}


class TestCascade:
    async def test_the_whole_network_and_its_lineage(self, reach, keys):
        response = await reach.get("/api/reach/v1/cascade", headers=admin_of_network(keys),
                                   params=WINDOW)
        body = response.json()
        assert response.status_code == 200, response.text
        assert body["leaders"] == 2 and [g["people"] for g in body["generations"]] == [5, 2, 1]
        lineage = {(row["generation"], row["facilitator_role"]): row for row in body["lineage"]}
        assert lineage[(0, "teacher")]["facilitators"] == 2
        assert lineage[(0, "teacher")]["reached_roles"] == {"teacher": 4, "coach_tosa": 1}
        assert (lineage[(1, "teacher")]["facilitators"], lineage[(1, "teacher")]["reached"]) == \
            (1, 2)
        assert lineage[(2, "teacher")]["reached"] == 1
        assert_no_personal_data(body)

    async def test_one_leaders_cascade(self, reach, keys):
        headers = admin_of_network(keys)
        l1 = (await reach.get("/api/reach/v1/cascade", headers=headers,
                              params={**WINDOW, "leader_id": "L1"})).json()
        l2 = (await reach.get("/api/reach/v1/cascade", headers=headers,
                              params={**WINDOW, "leader_id": "L2"})).json()
        assert l1["leader"] and [g["people"] for g in l1["generations"]] == [3, 2, 1]
        assert [g["people"] for g in l2["generations"]] == [2]
        not_a_leader = await reach.get("/api/reach/v1/cascade", headers=headers,
                                       params={**WINDOW, "leader_id": "P1"})
        assert not_a_leader.status_code == 422
        assert not_a_leader.json()["code"] == "leader_not_in_network"

    async def test_partners_read_the_network_cascade_without_lineage_or_leaders(self, reach,
                                                                               keys):
        response = await reach.get("/api/reach/v1/cascade", headers=partner(keys),
                                   params=WINDOW)
        assert response.status_code == 200 and response.json()["lineage"] == []
        one = await reach.get("/api/reach/v1/cascade", headers=partner(keys),
                              params={**WINDOW, "leader_id": "L1"})
        assert one.status_code == 403


class TestGrowth:
    async def test_new_and_cumulative_reach_per_school_year(self, reach, keys):
        response = await reach.get("/api/reach/v1/growth", headers=admin_of_network(keys),
                                   params={**WINDOW, "from": "2025-07-01"})
        assert response.status_code == 200, response.text
        years = {y["school_year"]: y for y in response.json()["years"]}
        assert list(years) == ["2025-26", "2026-27"]
        assert years["2025-26"]["cumulative"]["total"] == 0 and years["2025-26"]["leaders"] == 1
        # Cumulative windows start 2025-07-01, when L0 still led: L0's s6 reaches X as well.
        assert years["2026-27"]["new"] == {"direct": 4, "conference": 2, "indirect": 3,
                                           "total": 9}
        assert years["2026-27"]["cumulative"]["total"] == 9
        assert years["2026-27"]["active_leaders"] == 2


class TestExport:
    @pytest.mark.parametrize("table, first", [("summary", "figure"), ("breakdown", "county"),
                                              ("cascade", "generation"),
                                              ("growth", "school_year")])
    async def test_each_answer_downloads_as_csv(self, reach, keys, table, first):
        response = await reach.get("/api/reach/v1/export.csv", headers=admin_of_network(keys),
                                   params={**WINDOW, "table": table, "dimension": "county"})
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("text/csv")
        assert "attachment" in response.headers["content-disposition"]
        rows = list(csv.reader(io.StringIO(response.text)))
        assert rows[0][0] == first and len(rows) > 1

    async def test_the_breakdown_csv_has_the_rows_of_the_json(self, reach, keys):
        response = await reach.get("/api/reach/v1/export.csv", headers=admin_of_network(keys),
                                   params={**WINDOW, "table": "breakdown", "dimension": "county"})
        rows = {r["key"]: r for r in csv.DictReader(io.StringIO(response.text))}
        assert rows["Alameda"]["total"] == "4" and rows["Fresno"]["direct"] == "1"

    def test_a_cell_a_spreadsheet_would_run_is_made_inert(self):
        text = csv_text(["name"], [["=HYPERLINK(\"x\")"], ["+1"], ["@SUM(A1)"], ["-2"], ["ok"]])
        assert [r[0] for r in csv.reader(io.StringIO(text))][1:] == [
            "'=HYPERLINK(\"x\")", "'+1", "'@SUM(A1)", "'-2", "ok"]
