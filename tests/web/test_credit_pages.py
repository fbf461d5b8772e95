"""PD credit pages over the real suite: a district coordinator's queue with approve and revoke
forms (no JavaScript, 422 beside the field), and a teacher's transcript and its printable view."""

import re

import pytest

from tests.web.conftest import ADMIN, api_post, person_with_account, seed_event, under_way

API = "/api/scheduling/v1"


@pytest.fixture
async def credit(stack, network):
    """Oakland's coordinator, an event teacher 0 attended, and the leader's request for credit."""
    root = await stack.token(*ADMIN)
    coordinator = await person_with_account(stack, root, "coord@web.test", "Cora Coordinator")
    await api_post(stack, f"/api/identity/v1/organizations/{network.district_id}/members", root,
                   json={"person_id": coordinator["id"], "role": "coordinator"})
    event = await seed_event(stack, network, title="Close reading", starts=under_way())
    await api_post(stack, f"{API}/sessions/{event['sessions'][0]['id']}/attendance", root,
                   json={"person_id": network.teachers[0]["id"]})
    leader = await stack.token("leader@web.test", "teacher-password")
    request = await api_post(stack, f"{API}/events/{event['id']}/credit/requests", leader,
                             json={"district_id": network.district_id, "note": "3 h series"})
    return {"event": event, "approval_id": request["id"]}


def form_fields(credit: dict, **fields) -> dict:
    return {"approval_id": credit["approval_id"], "district_id": "",
            "title": "Close reading", "idempotency_key": "", **fields}


class TestCreditQueue:
    async def test_a_coordinator_approves_then_revokes_and_the_transcript_follows(
            self, stack, network, credit, visitor, another_visitor):
        await visitor.login("coord@web.test")
        queue = await visitor.get("/credit")
        assert queue.status_code == 200
        assert "Close reading" in queue.text and "Oakland Unified" in queue.text
        assert f'id="hours-{credit["approval_id"]}"' in queue.text

        url = f"/credit/{credit['event']['id']}/approve"
        fields = form_fields(credit, district_id=network.district_id, note="agenda checked")
        approved = await visitor.post(url, {**fields, "hours": "3"})
        assert approved.status_code == 303 and approved.headers["location"] == "/credit"
        after = await visitor.get("/credit")
        assert "Approved for 3 hours" in after.text and "Nothing is waiting" in after.text

        await another_visitor.login("teacher0@web.test")
        transcript = await another_visitor.get("/transcript")
        assert transcript.status_code == 200
        assert re.search(r"<strong>3</strong> approved PD hours", transcript.text)
        assert "Close reading" in transcript.text and "1 of 1" in transcript.text

        revoked = await visitor.post(f"/credit/{credit['event']['id']}/revoke",
                                     form_fields(credit, district_id=network.district_id,
                                                 note="no sign-in sheet"))
        assert revoked.status_code == 303
        transcript = await another_visitor.get("/transcript")
        assert re.search(r"<strong>0</strong> approved PD hours", transcript.text)
        assert "Not approved" in transcript.text

    async def test_hours_above_the_events_come_back_422_beside_the_field(
            self, stack, network, credit, visitor):
        await visitor.login("coord@web.test")
        await visitor.get("/credit")
        url = f"/credit/{credit['event']['id']}/approve"
        for hours, message in (("5", "offers 3 credit hours"), ("many", "as a number")):
            response = await visitor.post(url, form_fields(credit, district_id=network.district_id,
                                                           hours=hours))
            assert response.status_code == 422
            error = re.search(rf'id="hours-{credit["approval_id"]}-error"[^>]*>([^<]*)<',
                              response.text)
            assert error and message in error.group(1), response.text
            assert f'value="{hours}"' in response.text  # what was typed stays in the field
        queue = await visitor.get("/credit")
        assert "Awaiting approval" in queue.text and "Close reading" in queue.text

    async def test_a_coordinator_cannot_approve_for_another_district(
            self, stack, network, credit, visitor):
        root = await stack.token(*ADMIN)
        fresno = await api_post(stack, "/api/identity/v1/organizations", root,
                                json={"name": "Fresno Unified", "kind": "district"})
        await visitor.login("coord@web.test")
        await visitor.get("/credit")
        response = await visitor.post(f"/credit/{credit['event']['id']}/approve",
                                      form_fields(credit, district_id=fresno["id"], hours="3"))
        assert response.status_code == 422
        assert "coordinators approve credit for it" in response.text

    async def test_a_teacher_is_not_offered_the_queue_and_forms_need_the_csrf_token(
            self, stack, network, credit, visitor):
        await visitor.login("teacher0@web.test")
        home = await visitor.get("/")
        assert 'href="/transcript"' in home.text and 'href="/credit"' not in home.text
        assert (await visitor.get("/credit")).status_code == 403
        forged = await visitor.client.post(f"/credit/{credit['event']['id']}/approve",
                                           data=form_fields(credit, hours="3"))
        assert forged.status_code == 403


class TestTranscriptPages:
    async def test_the_printable_view_is_the_transcript_without_the_site_navigation(
            self, stack, network, credit, visitor):
        admin = await stack.token("admin@web.test", "teacher-password")
        await api_post(stack, f"{API}/events/{credit['event']['id']}/credit/approvals", admin,
                       json={"hours": 2})  # network-wide
        await visitor.login("teacher0@web.test")
        page = await visitor.get("/transcript")
        assert '<meter id="bar-' in page.text and 'href="/transcript/print"' in page.text
        assert "network-wide" in page.text
        printable = await visitor.get("/transcript/print")
        assert printable.status_code == 200
        assert "Professional development transcript" in printable.text
        assert "Close reading" in printable.text and 'aria-label="Main"' not in printable.text

    async def test_signing_in_is_required(self, stack, visitor):
        response = await visitor.get("/transcript")
        assert response.status_code in (302, 303)
        assert response.headers["location"].startswith("/login")


class TestAskingForCredit:
    async def test_the_leader_asks_a_district_and_its_coordinator_sees_the_request(
            self, stack, network, visitor, another_visitor):
        root = await stack.token(*ADMIN)
        coordinator = await person_with_account(stack, root, "coord@web.test", "Cora Coordinator")
        await api_post(stack, f"/api/identity/v1/organizations/{network.district_id}/members",
                       root, json={"person_id": coordinator["id"], "role": "coordinator"})
        event = await seed_event(stack, network, title="Close reading")
        await visitor.login("leader@web.test")
        detail = await visitor.get(f"/events/{event['id']}")
        assert f'href="/events/{event["id"]}/credit"' in detail.text
        page = await visitor.get(f"/events/{event['id']}/credit")
        assert page.status_code == 200
        assert "Nobody has asked for credit" in page.text and "Oakland Unified" in page.text
        asked = await visitor.post(f"/events/{event['id']}/credit", {
            "district_id": network.district_id, "note": "Agenda attached",
            "idempotency_key": ""})
        assert asked.status_code == 303, asked.text
        page = await visitor.get(f"/events/{event['id']}/credit")
        assert "Awaiting a decision" in page.text and "Agenda attached" in page.text

        await another_visitor.login("coord@web.test")
        queue = await another_visitor.get("/credit")
        assert "Close reading" in queue.text and "Request: Agenda attached" in queue.text

    async def test_a_scope_that_is_not_a_district_comes_back_422_and_teachers_get_403(
            self, stack, network, visitor, another_visitor):
        event = await seed_event(stack, network, title="Close reading")
        await visitor.login("leader@web.test")
        await visitor.get(f"/events/{event['id']}/credit")
        refused = await visitor.post(f"/events/{event['id']}/credit", {
            "district_id": network.id, "note": "", "idempotency_key": ""})
        assert refused.status_code == 422
        assert re.search(r'id="district_id"[^>]*aria-invalid="true"', refused.text)
        assert "Choose a district" in refused.text
        assert "Nobody has asked for credit" in refused.text

        await another_visitor.login("teacher0@web.test")
        assert (await another_visitor.get(f"/events/{event['id']}/credit")).status_code == 403
        posted = await another_visitor.post(f"/events/{event['id']}/credit", {
            "district_id": "", "note": "", "idempotency_key": ""})
        assert posted.status_code == 403
