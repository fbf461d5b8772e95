"""Bulk event import from a spreadsheet (both databases): the preview writes nothing and names
each bad line; the import creates exactly the events and sessions the preview showed, each event
whole or not at all, once per Idempotency-Key, and only into the importer's own network."""

from datetime import UTC, datetime

import pytest

from services.scheduling.sessions import service as session_rules
from tests.scheduling.conftest import API, problem
from tests.support.stack import eventually

HEADER = ("event_key,title,kind,subjects,grades,format,venue,county,timezone,credit_hours,"
          "session_title,date,start_time,end_time,capacity,room\n")
LA = "America/Los_Angeles"
# A series either side of the March 2026 DST change (8 March), and a one-day institute.
GOOD = (
    HEADER
    + f"fr,Fraction strips,workshop_series,math,3-5,in person,Lincoln Elementary,alameda,{LA},6,"
      "Session I,2026-03-03,15:30,17:00,30,Room 4\n"
    + f"fr,Fraction strips,workshop_series,math,3-5,in person,Lincoln Elementary,alameda,{LA},6,"
      "Session II,2026-03-10,3:30 PM,5:00 PM,30,Room 4\n"
    + f",Claims and evidence,institute,ELA;ELD,TK-6,virtual,,,{LA},3,,03/14/2026,09:00,12:00,100,\n"
)
BAD_LINES = (
    f",Bad date,webinar,ELA,K,virtual,,,{LA},1,,2026-02-30,09:00,10:00,10,\n"          # 5
    + f",Bad kind,seminar,ELA,K,virtual,,,{LA},1,,2026-04-01,09:00,10:00,10,\n"         # 6
    + f",Bad grade,webinar,ELA,3-13,virtual,,,{LA},1,,2026-04-01,09:00,10:00,10,\n"     # 7
    + f",Backwards,webinar,ELA,K,virtual,,,{LA},1,,2026-04-01,10:00,09:00,10,\n"        # 8
    + ",Mars time,webinar,ELA,K,virtual,,,Mars/Olympus,1,,2026-04-01,09:00,10:00,10,\n"  # 9
    + f",In the gap,webinar,ELA,K,virtual,,,{LA},1,,2026-03-08,02:30,03:30,10,\n"       # 10
)
# Three lines of one event; only the last is bad, so none of the three may be created.
HALF_BAD = (
    f"hb,Half bad,workshop_series,science,6-8,hybrid,,,{LA},4,,2026-05-01,15:00,16:00,20,\n"    # 11
    + f"hb,Half bad,workshop_series,science,6-8,hybrid,,,{LA},4,,2026-05-08,15:00,16:00,20,\n"  # 12
    + f"hb,Half bad,workshop_series,science,6-8,hybrid,,,{LA},4,,2026-05-15,15:00,16:00,x,\n"   # 13
)


async def post_sheet(client, path: str, sheet: str, headers: dict, **params):
    return await client.post(f"{API}{path}", content=sheet.encode(), params=params,
                             headers={**headers, "Content-Type": "text/csv"})


async def events_of(client, api) -> list[dict]:
    response = await client.get(f"{API}/events", params={"network_id": api.network, "limit": 200},
                                headers=api.leader)
    assert response.status_code == 200, response.text
    return response.json()["items"]


async def finished(client, api, job_id: str) -> dict:
    async def done():
        response = await client.get(f"{API}/event-imports/{job_id}", headers=api.leader)
        assert response.status_code == 200, response.text
        body = response.json()
        return body if body["status"] in ("done", "failed") else None
    return await eventually(done)


class TestPreview:
    async def test_preview_groups_lines_into_events_and_writes_nothing(self, api, client):
        response = await post_sheet(client, f"/networks/{api.network}/event-imports/preview",
                                    GOOD, api.leader)
        assert response.status_code == 200, response.text
        preview = response.json()
        assert (preview["lines"], preview["valid_events"], preview["invalid_events"]) == (3, 2, 0)
        assert preview["errors"] == []
        fractions, claims = preview["events"]
        assert fractions["lines"] == [2, 3] and fractions["county"] == "Alameda"
        assert (fractions["grade_min"], fractions["grade_max"], fractions["format"]) == (
            "3", "5", "in_person")
        assert [s["title"] for s in fractions["sessions"]] == ["Session I", "Session II"]
        assert claims["subjects"] == ["ELA", "ELD"] and claims["grade_min"] == "TK"
        assert claims["sessions"][0]["title"] == "Session 1"
        assert await events_of(client, api) == []

    async def test_each_bad_line_is_named_with_what_is_wrong(self, api, client):
        response = await post_sheet(client, f"/networks/{api.network}/event-imports/preview",
                                    GOOD + BAD_LINES, api.leader)
        assert response.status_code == 200, response.text
        preview = response.json()
        errors = {e["line"]: e["message"] for e in preview["errors"]}
        assert set(errors) == {5, 6, 7, 8, 9, 10}
        assert "date '2026-02-30'" in errors[5]
        assert errors[6].startswith("kind:")
        assert "'13' is not a grade" in errors[7]
        assert "end_time must be after start_time" in errors[8]
        assert "unknown time zone 'Mars/Olympus'" in errors[9]
        assert "02:30 does not exist on 2026-03-08" in errors[10]
        assert (preview["valid_events"], preview["invalid_events"]) == (2, 6)
        assert await events_of(client, api) == []

    async def test_a_line_that_disagrees_with_its_event_is_an_error(self, api, client):
        sheet = GOOD.replace("Room 4\n", "Room 4\n", 1).replace(
            "in person,Lincoln Elementary,alameda,America/Los_Angeles,6,Session II",
            "virtual,Lincoln Elementary,alameda,America/Los_Angeles,6,Session II")
        preview = (await post_sheet(client, f"/networks/{api.network}/event-imports/preview",
                                    sheet, api.leader)).json()
        assert preview["errors"][0]["line"] == 3
        assert "format differ from line 2" in preview["errors"][0]["message"]
        assert preview["events"][0]["valid"] is False

    async def test_a_sheet_without_the_header_is_refused_whole(self, api, client):
        response = await post_sheet(client, f"/networks/{api.network}/event-imports/preview",
                                    "title,date\nx,2026-01-01\n", api.leader)
        assert problem(response, 422)["code"] == "invalid_event_sheet"


class TestImport:
    async def test_import_creates_exactly_the_events_and_sessions_in_utc(self, api, client):
        response = await post_sheet(client, f"/networks/{api.network}/event-imports", GOOD,
                                    api.leader, status="published")
        assert response.status_code == 202, response.text
        job = await finished(client, api, response.json()["job_id"])
        assert job["status"] == "done", job
        assert (job["total"], job["processed"], job["events_created"],
                job["sessions_created"]) == (2, 2, 2, 3)
        events = {e["title"]: e for e in await events_of(client, api)}
        assert set(events) == {"Fraction strips", "Claims and evidence"}
        assert {e["event_id"] for e in job["events"]} == {e["id"] for e in events.values()}
        fractions = events["Fraction strips"]
        assert fractions["status"] == "published" and fractions["county"] == "Alameda"
        # 15:30 in Los Angeles is 23:30Z in PST (3 March) and 22:30Z in PDT (10 March).
        starts = [datetime.fromisoformat(s["starts_at"]) for s in fractions["sessions"]]
        assert starts == [datetime(2026, 3, 3, 23, 30, tzinfo=UTC),
                          datetime(2026, 3, 10, 22, 30, tzinfo=UTC)]
        assert [s["capacity"] for s in fractions["sessions"]] == [30, 30]
        assert [s["room"] for s in fractions["sessions"]] == ["Room 4", "Room 4"]
        claims = events["Claims and evidence"]
        assert datetime.fromisoformat(claims["sessions"][0]["ends_at"]) == datetime(
            2026, 3, 14, 19, 0, tzinfo=UTC)

    async def test_events_are_drafts_unless_asked(self, api, client):
        response = await post_sheet(client, f"/networks/{api.network}/event-imports", GOOD,
                                    api.leader)
        job = await finished(client, api, response.json()["job_id"])
        assert job["event_status"] == "draft"
        assert {e["status"] for e in await events_of(client, api)} == {"draft"}
        anonymous = (await client.get(f"{API}/events", params={"network_id": api.network})).json()
        assert anonymous["items"] == []

    async def test_a_sheet_with_errors_imports_nothing_unless_bad_events_are_skipped(
            self, api, client):
        sheet = GOOD + BAD_LINES + HALF_BAD
        refused = await post_sheet(client, f"/networks/{api.network}/event-imports", sheet,
                                   api.leader)
        assert problem(refused, 422)["code"] == "event_sheet_has_errors"
        assert await events_of(client, api) == []

        response = await post_sheet(client, f"/networks/{api.network}/event-imports", sheet,
                                    api.leader, skip_invalid="true")
        assert response.status_code == 202, response.text
        job = await finished(client, api, response.json()["job_id"])
        assert (job["status"], job["events_created"], job["skipped_events"]) == ("done", 2, 7)
        assert {e["line"] for e in job["errors"]} == {5, 6, 7, 8, 9, 10, 13}
        # The half-bad event's two good lines were not created either.
        assert {e["title"] for e in await events_of(client, api)} == {
            "Fraction strips", "Claims and evidence"}

    async def test_an_event_refused_while_importing_leaves_none_of_its_sessions(
            self, api, client, monkeypatch):
        """The database refusing an event's second session rolls its first session and the event
        back; the other events are still created."""
        real = session_rules.create_session
        calls = {"n": 0}

        async def refuse_the_second(db, **kwargs):
            calls["n"] += 1
            if calls["n"] == 2:
                from services.scheduling.errors import InvalidSchedule
                raise InvalidSchedule("refused for the test")
            return await real(db, **kwargs)

        monkeypatch.setattr(session_rules, "create_session", refuse_the_second)
        response = await post_sheet(client, f"/networks/{api.network}/event-imports", GOOD,
                                    api.leader)
        job = await finished(client, api, response.json()["job_id"])
        assert (job["status"], job["events_created"], job["processed"]) == ("done", 1, 2)
        assert job["errors"] == [{"line": 2, "message":
                                  "'Fraction strips' was not created: refused for the test"}]
        events = await events_of(client, api)
        assert [e["title"] for e in events] == ["Claims and evidence"]
        assert len(events[0]["sessions"]) == 1

    async def test_the_same_idempotency_key_imports_once(self, api, client):
        headers = {**api.leader, "Idempotency-Key": "import-once-1"}
        first = await post_sheet(client, f"/networks/{api.network}/event-imports", GOOD, headers)
        assert first.status_code == 202, first.text
        await finished(client, api, first.json()["job_id"])
        again = await post_sheet(client, f"/networks/{api.network}/event-imports", GOOD, headers)
        assert again.status_code == 202
        assert again.headers["Idempotent-Replayed"] == "true"
        assert again.json()["job_id"] == first.json()["job_id"]
        assert len(await events_of(client, api)) == 2
        other = await post_sheet(client, f"/networks/{api.network}/event-imports",
                                 GOOD.replace("Room 4", "Room 5"), headers)
        assert problem(other, 422)["code"] == "idempotency_key_reused"


class TestAccess:
    async def test_another_networks_leader_cannot_preview_import_or_read_the_job(
            self, api, client):
        outsider = api.person(roles={"net-other": ["leader"]})
        for path in ("/event-imports/preview", "/event-imports"):
            response = await post_sheet(client, f"/networks/{api.network}{path}", GOOD, outsider)
            problem(response, 403)
        assert await events_of(client, api) == []
        mine = await post_sheet(client, f"/networks/{api.network}/event-imports", GOOD, api.leader)
        job_id = mine.json()["job_id"]
        await finished(client, api, job_id)
        problem(await client.get(f"{API}/event-imports/{job_id}", headers=outsider), 404)

    @pytest.mark.parametrize("roles", [{}, {"NET": ["member"]}])
    async def test_participants_cannot_import(self, api, client, roles):
        person = api.person(roles={api.network if k == "NET" else k: v for k, v in roles.items()})
        response = await post_sheet(client, f"/networks/{api.network}/event-imports", GOOD, person)
        problem(response, 403)

    async def test_without_a_token_it_is_401(self, api, client):
        response = await post_sheet(client, f"/networks/{api.network}/event-imports", GOOD, {})
        problem(response, 401)
