"""The pages over the real suite: whole documents without JavaScript, the named block for an
htmx request, POST then 303, and invalid forms back with 422 and their errors beside the fields."""

import re
from datetime import UTC, datetime, timedelta

from tests.support.stack import eventually
from tests.web.conftest import ADMIN, api_post, bearer, seed_event, under_way

HTMX = {"HX-Request": "true"}


def signup_area(html: str, session_id: str) -> str:
    found = re.search(rf'<div id="signup_{session_id}".*?</div>', html, re.S)
    assert found, html
    return found.group(0)


class TestCatalog:
    async def test_without_htmx_the_catalog_is_a_whole_document(self, stack, network, visitor):
        await seed_event(stack, network)
        response = await visitor.get("/")
        assert response.status_code == 200
        assert response.text.lstrip().startswith("<!doctype html>")
        assert "Argument writing" in response.text
        assert "HX-Request" in response.headers["vary"]

    async def test_htmx_targeting_the_results_gets_only_the_results_block(self, stack, network,
                                                                          visitor):
        await seed_event(stack, network)
        await seed_event(stack, network, title="Fractions on a number line")
        response = await visitor.get("/?q=fractions", headers={**HTMX, "HX-Target": "results"})
        assert response.status_code == 200
        assert response.text.lstrip().startswith('<section id="results"')
        assert "<html" not in response.text
        assert "Fractions on a number line" in response.text
        assert "Argument writing" not in response.text
        assert {"HX-Request", "HX-History-Restore-Request", "HX-Target"} <= {
            v.strip() for v in response.headers["vary"].split(",")}

    async def test_a_history_restore_gets_the_whole_document(self, stack, visitor):
        response = await visitor.get("/?q=x", headers={**HTMX, "HX-Target": "results",
                                                       "HX-History-Restore-Request": "true"})
        assert response.text.lstrip().startswith("<!doctype html>")

    async def test_more_pages_by_cursor(self, stack, network, visitor):
        for n in range(22):
            await seed_event(stack, network, title=f"Workshop {n:02d}")
        first = await visitor.get("/")
        more = re.search(r'<a href="(/\?cursor=[^"]+)"', first.text)
        assert more, "a More link"
        second = await visitor.get(more.group(1).replace("&amp;", "&"),
                                   headers={**HTMX, "HX-Target": "more_events"})
        assert "<section" not in second.text and "<ul" in second.text
        shown = set(re.findall(r"Workshop \d\d", first.text + second.text))
        assert len(shown) == 22

    async def test_filters_that_make_no_sense_are_dropped_with_a_message(self, stack, visitor):
        response = await visitor.get("/?grade=13&from=yesterday")
        assert response.status_code == 200
        assert "Choose a grade from the list." in response.text
        assert 'aria-invalid="true"' in response.text


class TestNewEvent:
    def form(self, network, **changes) -> dict:
        return {
            "network_id": network.id, "title": "Claims and evidence", "kind": "workshop_series",
            "subjects": ["ELA", "ELD"], "grade_min": "3", "grade_max": "5", "format": "in_person",
            "timezone": "America/Los_Angeles", "credit_hours": "3", "session_date": "2031-03-12",
            "start_time": "15:30", "end_time": "17:30", "capacity": "2",
            "facilitator_id": network.leader["id"], "publish": "on", **changes,
        }

    async def test_a_network_admin_creates_a_published_series_with_its_first_session(
            self, stack, network, visitor):
        await visitor.login("admin@web.test")
        page = await visitor.get("/events/new")
        assert page.status_code == 200
        assert "Maria Lopez" in page.text  # the network's leader, offered as facilitator
        response = await visitor.post("/events/new", self.form(network))
        assert response.status_code == 303, response.text
        event_id = response.headers["location"].removeprefix("/events/")
        event = (await stack.client.get(f"/api/scheduling/v1/events/{event_id}")).json()
        assert event["status"] == "published"
        assert event["subjects"] == ["ELA", "ELD"]
        [session] = event["sessions"]
        # 15:30 in Los Angeles in March 2031 (PDT, UTC-7) is 22:30 UTC.
        assert datetime.fromisoformat(session["starts_at"]) == datetime(2031, 3, 12, 22, 30,
                                                                         tzinfo=UTC)
        assert session["facilitator_ids"] == [network.leader["id"]]
        page = await visitor.get(f"/events/{event_id}")
        assert "3:30 PM PDT" in page.text and "Your event is ready." in page.text

    async def test_an_invalid_form_comes_back_422_with_errors_beside_the_fields(
            self, stack, network, visitor):
        await visitor.login("admin@web.test")
        await visitor.get("/events/new")
        response = await visitor.post("/events/new", self.form(
            network, title="", end_time="15:00", subjects=[]))
        assert response.status_code == 422
        html = response.text
        assert re.search(r'id="title"[^>]*aria-invalid="true"', html)
        assert 'id="title-error"' in html and "Give the event a title." in html
        assert "The session must end after it starts." in html
        assert "Choose at least one subject." in html
        assert 'value="Claims and evidence"' not in html  # the title was empty
        assert 'value="2031-03-12"' in html  # what was typed is kept
        listed = (await stack.client.get("/api/scheduling/v1/events",
                                         headers=bearer(await stack.token(*ADMIN)))).json()
        assert listed["items"] == []

    async def test_htmx_gets_the_form_block_on_422_and_hx_location_on_success(
            self, stack, network, visitor):
        await visitor.login("admin@web.test")
        await visitor.get("/events/new")
        headers = {**HTMX, "HX-Target": "event_form"}
        invalid = await visitor.post("/events/new", self.form(network, capacity="0"),
                                     headers=headers)
        assert invalid.status_code == 422
        assert invalid.text.lstrip().startswith('<form id="event_form"')
        valid = await visitor.post("/events/new", self.form(network), headers=headers)
        assert valid.status_code == 200
        assert valid.headers["HX-Location"].startswith("/events/")

    async def test_a_teacher_without_a_network_role_is_not_offered_the_form(
            self, stack, network, visitor):
        await visitor.login("teacher0@web.test")
        assert 'href="/events/new"' not in (await visitor.get("/")).text
        assert (await visitor.get("/events/new")).status_code == 403


class TestSignUp:
    async def test_without_javascript_sign_up_redirects_to_the_event_showing_the_state(
            self, stack, network, visitor):
        event = await seed_event(stack, network, capacity=1)
        session_id = event["sessions"][0]["id"]
        await visitor.login("teacher0@web.test")
        page = await visitor.get(f"/events/{event['id']}")
        key = re.search(r'name="idempotency_key" value="([^"]+)"', page.text).group(1)
        path = f"/events/{event['id']}/sessions/{session_id}/register"
        first = await visitor.post(path, {"idempotency_key": key})
        again = await visitor.post(path, {"idempotency_key": key})  # a double submit
        assert first.status_code == again.status_code == 303
        assert first.headers["location"] == f"/events/{event['id']}#session_{session_id}"
        area = signup_area((await visitor.get(f"/events/{event['id']}")).text, session_id)
        assert "You&#39;re registered" in area or "You're registered" in area
        assert "0</strong> of 1" in area or "Full" in area
        roster = (await stack.client.get(f"/api/scheduling/v1/sessions/{session_id}/registrations",
                                         headers=bearer(await stack.token(*ADMIN)))).json()
        assert len(roster["items"]) == 1

    async def test_with_htmx_the_button_area_swaps_to_the_waitlist_place(
            self, stack, network, visitor, another_visitor):
        event = await seed_event(stack, network, capacity=1)
        session_id = event["sessions"][0]["id"]
        path = f"/events/{event['id']}/sessions/{session_id}/register"
        target = {**HTMX, "HX-Target": f"signup_{session_id}"}
        await visitor.login("teacher0@web.test")
        await visitor.get(f"/events/{event['id']}")
        confirmed = await visitor.post(path, {"idempotency_key": "first-key-0001"}, headers=target)
        assert confirmed.status_code == 200
        assert confirmed.text.startswith(f'<div id="signup_{session_id}"')
        assert "registered" in confirmed.text
        await another_visitor.login("teacher1@web.test")
        await another_visitor.get(f"/events/{event['id']}")
        waitlisted = await another_visitor.post(path, {"idempotency_key": "second-key-001"},
                                                headers=target)
        assert "on the waitlist (#1)" in waitlisted.text

    async def test_cancel_frees_the_seat(self, stack, network, visitor):
        event = await seed_event(stack, network, capacity=1)
        session_id = event["sessions"][0]["id"]
        await visitor.login("teacher0@web.test")
        await visitor.get(f"/events/{event['id']}")
        await visitor.post(f"/events/{event['id']}/sessions/{session_id}/register",
                           {"idempotency_key": "cancel-test-key"})
        page = await visitor.get(f"/events/{event['id']}")
        cancel = re.search(r'action="(/events/[^"]+/cancel)"', page.text).group(1)
        response = await visitor.post(cancel, {"session_id": session_id},
                                      headers={**HTMX, "HX-Target": f"signup_{session_id}"})
        assert response.status_code == 200
        assert "1</strong> of 1 seats left" in response.text
        assert "Sign up" in response.text

    async def test_an_anonymous_visitor_is_asked_to_sign_in(self, stack, network, visitor):
        event = await seed_event(stack, network)
        page = await visitor.get(f"/events/{event['id']}")
        assert "Sign in to sign up" in page.text
        assert "idempotency_key" not in page.text


class TestCheckIn:
    async def test_the_leader_checks_a_participant_in_and_the_row_swaps(
            self, stack, network, visitor):
        event = await seed_event(stack, network, starts=under_way())
        session_id = event["sessions"][0]["id"]
        teacher = await stack.token("teacher0@web.test", "teacher-password")
        await api_post(stack, f"/api/scheduling/v1/sessions/{session_id}/registrations", teacher)
        await visitor.login("leader@web.test")
        page = await visitor.get(f"/sessions/{session_id}/check-in")
        assert page.status_code == 200
        assert "Teacher 0" in page.text
        person_id = network.teachers[0]["id"]
        row = await visitor.post(f"/sessions/{session_id}/check-in/{person_id}",
                                 headers={**HTMX, "HX-Target": f"roster_{person_id}"})
        assert row.status_code == 200
        assert row.text.startswith(f'<tr id="roster_{person_id}"')
        assert "Checked in" in row.text
        assert "Checked in" in (await visitor.get(f"/sessions/{session_id}/check-in")).text

    async def test_a_participant_may_not_see_the_roster(self, stack, network, visitor):
        event = await seed_event(stack, network)
        await visitor.login("teacher0@web.test")
        response = await visitor.get(f"/sessions/{event['sessions'][0]['id']}/check-in")
        assert response.status_code == 403


class TestScheduleAndReach:
    async def test_my_schedule_lists_my_sessions_in_the_event_time_zone(self, stack, network,
                                                                         visitor):
        starts = datetime(2031, 1, 15, 17, 0, tzinfo=UTC)  # 9:00 AM PST
        event = await seed_event(stack, network, starts=starts)
        teacher = await stack.token("teacher0@web.test", "teacher-password")
        await api_post(stack, f"/api/scheduling/v1/sessions/{event['sessions'][0]['id']}"
                              "/registrations", teacher)
        await visitor.login("teacher0@web.test")
        page = await visitor.get("/schedule")
        assert "Argument writing" in page.text and "9:00 AM PST" in page.text

    async def test_reach_shows_the_figures_and_the_breakdowns_with_names(self, stack, network,
                                                                          visitor):
        starts = datetime.now(UTC) - timedelta(hours=3)
        event = await seed_event(stack, network, starts=starts)
        session_id = event["sessions"][0]["id"]
        teacher = await stack.token("teacher0@web.test", "teacher-password")
        await api_post(stack, f"/api/scheduling/v1/sessions/{session_id}/registrations", teacher)
        await api_post(stack, f"/api/scheduling/v1/sessions/{session_id}/attendance",
                       await stack.token(*ADMIN),
                       json={"person_id": network.teachers[0]["id"], "source": "check_in"})
        await visitor.login("admin@web.test")
        day = timedelta(days=1)
        window = f"from={(starts - day).date()}&to={(starts + day).date()}"

        async def reached():
            page = await visitor.get(f"/reach?network_id={network.id}&{window}")
            assert page.status_code == 200, page.text
            # The two feeds arrive independently, and the page reads the summary and each
            # breakdown in parallel, each at its own moment: wait until every part shows them.
            direct = re.search(r'id="figure_direct">\s*<p class="figure-value">1<', page.text)
            return page.text if direct and "Alameda: 1</title>" in page.text else None

        html = await eventually(reached, timeout=15)
        assert re.search(r'id="figure_leaders">\s*<p class="figure-value">1<', html)
        assert re.search(r'id="figure_direct">\s*<p class="figure-value">1<', html)
        assert 'title="Show only Alameda"' in html and "<svg class=\"bar\"" in html
        for dimension, name in (("district", "Oakland Unified"), ("school", "Lincoln Elementary")):
            page = await visitor.get(f"/reach?network_id={network.id}&{window}"
                                     f"&dimension={dimension}")
            assert f'title="Show only {name}"' in page.text
