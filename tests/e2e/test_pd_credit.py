"""PD credit through the browser: a district coordinator approves a requested workshop from the
queue, and the teacher who attended finds the hours on "My transcript", on a phone too."""

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.test_first_workshop import log_in, log_out, person_with_account, post, token

pytestmark = pytest.mark.browser

TITLE = "Number talks for grades 3-5"
API = "/api/scheduling/v1"


@pytest.fixture(scope="module")
def credit(live_stack):
    """Its own district, coordinator, leader and teacher: the live stack is shared by modules."""
    api = live_stack.api
    root = token(api, live_stack.admin_email, live_stack.admin_password)
    network = post(api, "/api/identity/v1/organizations", root,
                   {"name": "Valley Math Network", "kind": "network"})
    district = post(api, "/api/identity/v1/organizations", root,
                    {"name": "Fresno Unified", "kind": "district", "county": "Fresno"})
    coordinator = person_with_account(api, root, "coord@credit.e2e.test", "Cora Coordinator")
    leader = person_with_account(api, root, "leader@credit.e2e.test", "Lee Leader")
    teacher = person_with_account(api, root, "teacher@credit.e2e.test", "Tina Teacher",
                                  district="Fresno Unified", county="Fresno")
    post(api, f"/api/identity/v1/organizations/{district['id']}/members", root,
         {"person_id": coordinator["id"], "role": "coordinator"})
    post(api, f"/api/identity/v1/organizations/{network['id']}/members", root,
         {"person_id": leader["id"], "role": "leader"})
    lead = token(api, "leader@credit.e2e.test")
    event = post(api, f"{API}/events", lead, {
        "network_id": network["id"], "kind": "workshop_series", "title": TITLE,
        "subjects": ["math"], "grade_min": "3", "grade_max": "5",
        "timezone": "America/Los_Angeles", "credit_hours": 4, "status": "published"})
    starts = datetime.now(UTC) - timedelta(days=14)
    for n in range(2):
        begins = starts + timedelta(days=7 * n)
        session = post(api, f"{API}/events/{event['id']}/sessions", lead, {
            "title": f"Session {n + 1}", "starts_at": begins.isoformat(),
            "ends_at": (begins + timedelta(hours=2)).isoformat(), "capacity": 20,
            "facilitator_ids": [leader["id"]]})
        if n == 0:  # the teacher came to the first of two sessions
            post(api, f"{API}/sessions/{session['id']}/attendance", lead,
                 {"person_id": teacher["id"]})
    post(api, f"{API}/events/{event['id']}/credit/requests", lead,
         {"district_id": district["id"], "note": "Two 2-hour sessions"})
    return event


def test_a_coordinator_approves_and_the_teacher_sees_the_hours(live_stack, credit,
                                                               page: Page, tmp_path):
    url = live_stack.url
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))

    log_in(page, url, "coord@credit.e2e.test")
    page.get_by_role("link", name="PD credit").click()
    item = page.locator("article.credit-item", has_text=TITLE)
    expect(item).to_contain_text("Fresno Unified")
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=tmp_path / "credit-queue-390.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    item.get_by_label("Hours approved").fill("4")
    item.get_by_label("Note (optional)").fill("Agenda and sign-in sheets checked")
    item.get_by_role("button", name="Approve").click()
    expect(page.get_by_text("Approved for 4 hours")).to_be_visible()
    log_out(page)

    log_in(page, url, "teacher@credit.e2e.test")
    page.get_by_role("link", name="My transcript").click()
    expect(page.locator(".transcript-total")).to_contain_text("2 approved PD hours")
    expect(page.get_by_role("row", name=TITLE)).to_contain_text("1 of 2")
    page.screenshot(path=tmp_path / "transcript-390.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.get_by_role("link", name="Printable transcript").click()
    expect(page.get_by_role("heading", name="Professional development transcript")).to_be_visible()
    page.emulate_media(media="print")
    page.screenshot(path=tmp_path / "transcript-print.png", full_page=True)
    print("screenshots in", tmp_path)
    assert problems == []
