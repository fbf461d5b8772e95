"""The pages a network's staff run their offerings with: Manage, editing, publishing and
cancelling an event, scheduling its sessions, and programs with their cohorts. Each works as a
plain form (POST then 303, 422 with errors beside the fields) and refuses those who may not."""

import re
from datetime import UTC, datetime

import pytest

from tests.web.conftest import ADMIN, api_post, bearer, seed_event

API = "/api/scheduling/v1"
HTMX = {"HX-Request": "true"}


async def get_event(stack, event_id: str) -> dict:
    root = await stack.token(*ADMIN)
    response = await stack.client.get(f"{API}/events/{event_id}", headers=bearer(root))
    assert response.status_code == 200, response.text
    return response.json()


async def draft_event(stack, network, **fields) -> dict:
    root = await stack.token(*ADMIN)
    return await api_post(stack, f"{API}/events", root, json={
        "network_id": network.id, "kind": "workshop_series", "title": "Draft series",
        "subjects": ["math"], "grade_min": "6", "grade_max": "8",
        "timezone": "America/Los_Angeles", "status": "draft", **fields})


async def program(stack, network, name: str = "Phase 2") -> dict:
    root = await stack.token(*ADMIN)
    return await api_post(stack, f"{API}/programs", root, json={
        "network_id": network.id, "name": name, "starts_on": "2025-07-01",
        "ends_on": "2027-06-30"})


def edit_form(**changes) -> dict:
    return {"title": "Argument writing, revised", "kind": "workshop_series",
            "subjects": ["ELA", "math"], "grade_min": "6", "grade_max": "9",
            "format": "hybrid", "venue": "County office", "audience": "Middle school teachers",
            "timezone": "America/New_York", "credit_hours": "4.5", "description": "Claims.",
            "program_id": "", **changes}


class TestManageEntry:
    async def test_staff_see_manage_in_the_nav_and_their_networks_events(self, stack, network,
                                                                         visitor):
        event = await seed_event(stack, network)
        draft = await draft_event(stack, network)
        await visitor.login("leader@web.test")
        page = await visitor.get("/manage")
        assert page.status_code == 200
        assert 'href="/manage"' in page.text
        assert f'href="/events/{event["id"]}/edit"' in page.text
        assert f'href="/events/{draft["id"]}/edit"' in page.text  # drafts too
        detail = await visitor.get(f"/events/{event['id']}")
        assert f'href="/events/{event["id"]}/edit"' in detail.text
        assert f'href="/sessions/{event["sessions"][0]["id"]}/edit"' in detail.text

    async def test_a_teacher_gets_no_manage_link_and_no_manage_pages(self, stack, network,
                                                                     visitor):
        event = await seed_event(stack, network)
        draft = await draft_event(stack, network)
        await visitor.login("teacher0@web.test")
        detail = await visitor.get(f"/events/{event['id']}")
        assert 'href="/manage"' not in detail.text and "/edit" not in detail.text
        assert (await visitor.get("/manage")).status_code == 403
        assert (await visitor.get(f"/events/{event['id']}/edit")).status_code == 403
        assert (await visitor.get(f"/events/{event['id']}/sessions/new")).status_code == 403
        session_id = event["sessions"][0]["id"]
        assert (await visitor.get(f"/sessions/{session_id}/edit")).status_code == 403
        # A draft's existence is not disclosed.
        assert (await visitor.get(f"/events/{draft['id']}/edit")).status_code == 404
        refused = await visitor.post(f"/events/{event['id']}/edit", edit_form(title="Mine now"))
        assert refused.status_code == 403
        assert (await visitor.post(f"/events/{event['id']}/cancel", {"confirm": "yes"})
                ).status_code == 403
        assert (await get_event(stack, event["id"]))["title"] == "Argument writing"
        assert (await get_event(stack, event["id"]))["status"] == "published"


class TestEditEvent:
    async def test_the_leader_edits_every_field_and_puts_the_event_in_a_program(
            self, stack, network, visitor):
        event = await seed_event(stack, network)
        phase2 = await program(stack, network)
        await visitor.login("leader@web.test")
        page = await visitor.get(f"/events/{event['id']}/edit")
        assert page.status_code == 200
        assert 'value="Argument writing"' in page.text  # the form starts from the event
        assert phase2["name"] in page.text  # the network's programs are offered
        response = await visitor.post(f"/events/{event['id']}/edit",
                                      edit_form(program_id=phase2["id"]))
        assert response.status_code == 303, response.text
        assert response.headers["location"] == f"/events/{event['id']}"
        saved = await get_event(stack, event["id"])
        assert (saved["title"], saved["format"], saved["venue"], saved["audience"]) == (
            "Argument writing, revised", "hybrid", "County office", "Middle school teachers")
        assert (saved["subjects"], saved["grade_max"], saved["timezone"]) == (
            ["ELA", "math"], "9", "America/New_York")
        assert (saved["credit_hours"], saved["program_id"]) == (4.5, phase2["id"])
        assert "The event is saved." in (await visitor.get(f"/events/{event['id']}")).text

    async def test_the_county_typed_in_the_form_is_shown_and_found_by_the_catalog(
            self, stack, network, visitor):
        event = await seed_event(stack, network)
        await visitor.login("leader@web.test")
        await visitor.get(f"/events/{event['id']}/edit")
        response = await visitor.post(f"/events/{event['id']}/edit",
                                      edit_form(county="  san luis   obispo "))
        assert response.status_code == 303, response.text
        assert (await get_event(stack, event["id"]))["county"] == "San Luis Obispo"
        detail = await visitor.get(f"/events/{event['id']}")
        assert "County office, San Luis Obispo County" in detail.text
        catalog = await visitor.get("/?county=San+Luis+Obispo")
        assert "Argument writing, revised" in catalog.text

    async def test_a_county_the_api_refuses_comes_back_beside_its_field(self, stack, network,
                                                                       visitor):
        event = await seed_event(stack, network)
        await visitor.login("leader@web.test")
        await visitor.get(f"/events/{event['id']}/edit")
        response = await visitor.post(f"/events/{event['id']}/edit", edit_form(county="12"))
        assert response.status_code == 422
        assert re.search(r'id="county"[^>]*aria-invalid="true"', response.text)
        assert (await get_event(stack, event["id"]))["county"] is None

    async def test_an_invalid_edit_comes_back_422_beside_the_fields_and_changes_nothing(
            self, stack, network, visitor):
        event = await seed_event(stack, network)
        await visitor.login("leader@web.test")
        await visitor.get(f"/events/{event['id']}/edit")
        response = await visitor.post(f"/events/{event['id']}/edit",
                                      edit_form(title="", grade_min="9", grade_max="6"))
        assert response.status_code == 422
        assert re.search(r'id="title"[^>]*aria-invalid="true"', response.text)
        assert "The highest grade cannot be below the lowest." in response.text
        assert 'value="County office"' in response.text  # what was typed is kept
        htmx = await visitor.post(f"/events/{event['id']}/edit", edit_form(title=""),
                                  headers={**HTMX, "HX-Target": "event_form"})
        assert htmx.status_code == 422
        assert htmx.text.lstrip().startswith('<form id="event_form"')
        assert (await get_event(stack, event["id"]))["title"] == "Argument writing"

    async def test_a_program_of_another_network_is_refused_beside_the_field(
            self, stack, network, visitor):
        event = await seed_event(stack, network)
        root = await stack.token(*ADMIN)
        other = await api_post(stack, "/api/identity/v1/organizations", root,
                               json={"name": "Other Network", "kind": "network"})
        elsewhere = await api_post(stack, f"{API}/programs", root, json={
            "network_id": other["id"], "name": "Theirs", "starts_on": "2025-07-01",
            "ends_on": "2026-06-30"})
        await visitor.login("leader@web.test")
        await visitor.get(f"/events/{event['id']}/edit")
        response = await visitor.post(f"/events/{event['id']}/edit",
                                      edit_form(program_id=elsewhere["id"]))
        assert response.status_code == 422
        assert "program_id must name one of the event" in response.text
        assert (await get_event(stack, event["id"]))["program_id"] is None


class TestPublishAndCancel:
    async def test_the_leader_publishes_a_draft(self, stack, network, visitor):
        draft = await draft_event(stack, network)
        await visitor.login("leader@web.test")
        page = await visitor.get(f"/events/{draft['id']}")
        assert f'action="/events/{draft["id"]}/publish"' in page.text
        response = await visitor.post(f"/events/{draft['id']}/publish")
        assert response.status_code == 303
        assert (await get_event(stack, draft["id"]))["status"] == "published"

    async def test_cancelling_asks_for_a_confirmation_first(self, stack, network, visitor):
        event = await seed_event(stack, network)
        await visitor.login("admin@web.test")
        page = await visitor.get(f"/events/{event['id']}")
        assert f'href="/events/{event["id"]}/cancel"' in page.text
        confirm = await visitor.get(f"/events/{event['id']}/cancel")
        assert confirm.status_code == 200 and 'name="confirm"' in confirm.text
        unconfirmed = await visitor.post(f"/events/{event['id']}/cancel", {})
        assert unconfirmed.status_code == 422
        assert "Tick the box to confirm the cancellation." in unconfirmed.text
        assert (await get_event(stack, event["id"]))["status"] == "published"
        done = await visitor.post(f"/events/{event['id']}/cancel", {"confirm": "yes"})
        assert done.status_code == 303
        assert (await get_event(stack, event["id"]))["status"] == "cancelled"


class TestSessions:
    async def test_one_session_with_facilitators_ticked_and_chosen_by_email(
            self, stack, network, visitor):
        event = await draft_event(stack, network)
        await visitor.login("admin@web.test")
        page = await visitor.get(f"/events/{event['id']}/sessions/new")
        assert page.status_code == 200
        assert f'name="member_ids" value="{network.leader["id"]}"' in page.text
        response = await visitor.post(f"/events/{event['id']}/sessions/new", {
            "title": "Kickoff", "session_date": "2031-03-12", "start_time": "15:30",
            "end_time": "17:00", "room": "Room 4", "capacity": "25",
            "member_ids": [network.leader["id"]], "facilitators": "Teacher0@web.test"})
        assert response.status_code == 303, response.text
        [session] = (await get_event(stack, event["id"]))["sessions"]
        assert session["facilitator_ids"] == [network.leader["id"], network.teachers[0]["id"]]
        assert datetime.fromisoformat(session["starts_at"]) == datetime(2031, 3, 12, 22, 30,
                                                                         tzinfo=UTC)
        assert (session["room"], session["capacity"]) == ("Room 4", 25)

    async def test_an_unknown_facilitator_email_is_an_error_beside_the_field(
            self, stack, network, visitor):
        event = await draft_event(stack, network)
        form = {"title": "Kickoff", "session_date": "2031-03-12", "start_time": "15:30",
                "end_time": "17:00", "capacity": "25", "facilitators": "nobody@web.test"}
        await visitor.login("admin@web.test")
        await visitor.get(f"/events/{event['id']}/sessions/new")
        response = await visitor.post(f"/events/{event['id']}/sessions/new", form)
        assert response.status_code == 422
        assert re.search(r'id="facilitators"[^>]*aria-invalid="true"', response.text)
        assert "No one with the email nobody@web.test" in response.text
        assert 'value="Kickoff"' in response.text
        assert (await get_event(stack, event["id"]))["sessions"] == []

    async def test_a_leader_ticks_facilitators_since_only_admins_look_up_emails(
            self, stack, network, visitor):
        event = await draft_event(stack, network)
        form = {"title": "Kickoff", "session_date": "2031-03-12", "start_time": "15:30",
                "end_time": "17:00", "capacity": "25"}
        await visitor.login("leader@web.test")
        await visitor.get(f"/events/{event['id']}/sessions/new")
        typed = await visitor.post(f"/events/{event['id']}/sessions/new",
                                   {**form, "facilitators": "teacher0@web.test"})
        assert typed.status_code == 422
        assert "tick the network&#39;s people above instead" in typed.text
        ticked = await visitor.post(f"/events/{event['id']}/sessions/new",
                                    {**form, "member_ids": [network.leader["id"]]})
        assert ticked.status_code == 303, ticked.text
        [session] = (await get_event(stack, event["id"]))["sessions"]
        assert session["facilitator_ids"] == [network.leader["id"]]

    async def test_a_double_submitted_session_form_adds_one_session(self, stack, network,
                                                                    visitor):
        event = await draft_event(stack, network)
        await visitor.login("leader@web.test")
        page = await visitor.get(f"/events/{event['id']}/sessions/new")
        key = re.search(r'name="idempotency_key" value="([^"]+)"', page.text).group(1)
        form = {"title": "Kickoff", "session_date": "2031-03-12", "start_time": "15:30",
                "end_time": "17:00", "capacity": "25", "idempotency_key": key}
        for _ in range(2):
            response = await visitor.post(f"/events/{event['id']}/sessions/new", form)
            assert response.status_code == 303, response.text
        assert len((await get_event(stack, event["id"]))["sessions"]) == 1

    async def test_every_other_tuesday_four_times_makes_four_sessions(self, stack, network,
                                                                      visitor):
        event = await draft_event(stack, network)
        await visitor.login("leader@web.test")
        await visitor.get(f"/events/{event['id']}/sessions/new")
        form = {"series_title": "Lesson study", "series_first_date": "2031-09-01",
                "series_weekday": "tuesday", "series_every_weeks": "2", "series_count": "4",
                "series_start_time": "15:30", "series_end_time": "17:00",
                "series_capacity": "20", "series_member_ids": network.leader["id"]}
        response = await visitor.post(f"/events/{event['id']}/sessions/series", form)
        assert response.status_code == 303, response.text
        sessions = sorted((await get_event(stack, event["id"]))["sessions"],
                          key=lambda s: s["starts_at"])
        assert [s["title"] for s in sessions] == [f"Lesson study {n}" for n in range(1, 5)]
        # Tuesdays two weeks apart, 15:30 Pacific daylight time (22:30 UTC).
        assert [s["starts_at"][:16] for s in sessions] == [
            "2031-09-02T22:30", "2031-09-16T22:30", "2031-09-30T22:30", "2031-10-14T22:30"]
        page = await visitor.get(f"/events/{event['id']}/sessions/new")
        assert "4 sessions are added." in page.text
        bad = await visitor.post(f"/events/{event['id']}/sessions/series",
                                 {**form, "series_count": "0", "series_end_time": "15:00"},
                                 headers={**HTMX, "HX-Target": "series_form"})
        assert bad.status_code == 422
        assert bad.text.lstrip().startswith('<form id="series_form"')
        assert "Enter how many times it meets" in bad.text

    async def test_a_conference_gets_a_slot_and_parallel_sessions_in_it(self, stack, network,
                                                                        visitor):
        event = await draft_event(stack, network, kind="conference")
        await visitor.login("leader@web.test")
        page = await visitor.get(f"/events/{event['id']}/sessions/new")
        assert 'id="slot_form"' in page.text
        response = await visitor.post(f"/events/{event['id']}/slots", {
            "slot_label": "Breakout A", "slot_date": "2031-03-12", "slot_start_time": "10:00",
            "slot_end_time": "11:00"})
        assert response.status_code == 303, response.text
        page = await visitor.get(f"/events/{event['id']}/sessions/new")
        slot_id = re.search(r'<option value="([^"]+)">Breakout A', page.text).group(1)
        for title in ("Fractions", "Ratios"):
            added = await visitor.post(f"/events/{event['id']}/sessions/new", {
                "title": title, "slot_id": slot_id, "capacity": "30"})
            assert added.status_code == 303, added.text
        sessions = (await get_event(stack, event["id"]))["sessions"]
        assert sorted(s["title"] for s in sessions) == ["Fractions", "Ratios"]
        assert {(s["slot_id"], s["starts_at"][:16]) for s in sessions} == {
            (slot_id, "2031-03-12T17:00")}

    async def test_changing_a_sessions_time_title_and_capacity(self, stack, network, visitor):
        event = await seed_event(stack, network)
        session_id = event["sessions"][0]["id"]
        await visitor.login("leader@web.test")
        page = await visitor.get(f"/sessions/{session_id}/edit")
        assert page.status_code == 200 and 'value="Session I"' in page.text
        response = await visitor.post(f"/sessions/{session_id}/edit", {
            "title": "Session one", "session_date": "2031-11-04", "start_time": "15:30",
            "end_time": "17:00", "room": "", "capacity": "12"})
        assert response.status_code == 303, response.text
        [session] = (await get_event(stack, event["id"]))["sessions"]
        assert (session["title"], session["capacity"]) == ("Session one", 12)
        # After the November change, 15:30 Pacific is standard time (23:30 UTC).
        assert session["starts_at"][:16] == "2031-11-04T23:30"
        bad = await visitor.post(f"/sessions/{session_id}/edit", {
            "title": "Session one", "session_date": "2031-11-04", "start_time": "15:30",
            "end_time": "15:00", "capacity": "12"})
        assert bad.status_code == 422
        assert re.search(r'id="end_time"[^>]*aria-invalid="true"', bad.text)


@pytest.fixture
async def phase2(stack, network) -> dict:
    return await program(stack, network)


class TestPrograms:
    async def test_the_network_admin_registers_a_program(self, stack, network, visitor):
        await visitor.login("admin@web.test")
        page = await visitor.get(f"/programs?network_id={network.id}")
        assert page.status_code == 200 and 'id="program_form"' in page.text
        bad = await visitor.post("/programs", {"network_id": network.id, "name": "",
                                               "starts_on": "2026-07-01", "ends_on": "2025-06-30"})
        assert bad.status_code == 422
        assert "It cannot end before it starts." in bad.text
        response = await visitor.post("/programs", {
            "network_id": network.id, "name": "Phase 3", "starts_on": "2026-07-01",
            "ends_on": "2029-06-30", "description": "Third phase"})
        assert response.status_code == 303, response.text
        page = await visitor.get(response.headers["location"])
        assert "Phase 3" in page.text
        assert ["2026-27", "2027-28", "2028-29"] == re.findall(r'<th scope="row">([\d-]+)</th>',
                                                                page.text)

    async def test_cohort_by_email_with_bars_per_year_and_linked_events(
            self, stack, network, visitor, phase2):
        event = await seed_event(stack, network, title="Phase 2 kickoff")
        root = await stack.token(*ADMIN)
        await stack.client.patch(f"{API}/events/{event['id']}", headers=bearer(root),
                                 json={"program_id": phase2["id"]})
        await visitor.login("admin@web.test")
        await visitor.get(f"/programs/{phase2['id']}")
        for email, year, role in (("leader@web.test", "2025-26", "leader"),
                                  ("teacher0@web.test", "2025-26", "coach"),
                                  ("teacher1@web.test", "2026-27", "leader")):
            added = await visitor.post(f"/programs/{phase2['id']}/cohort",
                                       {"email": email, "program_year": year, "role": role})
            assert added.status_code == 303, added.text
        page = await visitor.get(f"/programs/{phase2['id']}")
        assert "Maria Lopez" in page.text and "Teacher 0" in page.text
        assert "Phase 2 kickoff" in page.text  # the event linked to the program
        # 2025-26 has the larger corps (2), so its bar is full; 2026-27 (1) is half.
        assert re.findall(r'<rect x="0" y="0" height="10" width="([\d.]+)"', page.text) == [
            "100.0", "50.0"]
        unknown = await visitor.post(f"/programs/{phase2['id']}/cohort", {
            "email": "nobody@web.test", "program_year": "2025-26", "role": "leader"})
        assert unknown.status_code == 422
        assert re.search(r'id="email"[^>]*aria-invalid="true"', unknown.text)
        twice = await visitor.post(f"/programs/{phase2['id']}/cohort", {
            "email": "leader@web.test", "program_year": "2025-26", "role": "leader"})
        assert twice.status_code == 422 and "already in the 2025-26 cohort" in twice.text

        entry_id = re.search(r'action="/programs/[^/]+/cohort/([^/]+)/remove"', page.text).group(1)
        removed = await visitor.post(f"/programs/{phase2['id']}/cohort/{entry_id}/remove",
                                     {"program_year": "2025-26"})
        assert removed.status_code == 303
        cohort = (await stack.client.get(f"{API}/programs/{phase2['id']}/cohort",
                                         headers=bearer(root))).json()["items"]
        assert len(cohort) == 2 and entry_id not in {e["id"] for e in cohort}

    async def test_a_leader_reads_programs_but_does_not_change_them(self, stack, network,
                                                                    visitor, phase2):
        await visitor.login("leader@web.test")
        page = await visitor.get(f"/programs/{phase2['id']}")
        assert page.status_code == 200
        assert 'id="cohort_form"' not in page.text
        assert 'id="program_form"' not in (await visitor.get("/programs")).text
        refused = await visitor.post(f"/programs/{phase2['id']}/cohort", {
            "email": "teacher0@web.test", "program_year": "2025-26", "role": "leader"})
        assert refused.status_code == 403
        assert (await visitor.post("/programs", {"network_id": network.id, "name": "Mine",
                                                 "starts_on": "2026-07-01",
                                                 "ends_on": "2027-06-30"})).status_code == 403

    async def test_a_teacher_sees_no_programs(self, stack, network, visitor, phase2):
        await visitor.login("teacher0@web.test")
        assert (await visitor.get(f"/programs/{phase2['id']}")).status_code == 404
        assert (await visitor.get("/programs")).status_code == 403
