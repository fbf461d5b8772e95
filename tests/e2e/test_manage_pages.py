"""Running an event through the browser on a phone: a network admin opens Manage, edits a draft,
adds a fortnightly series, publishes it, and registers a program with a leader in its cohort;
no page is wider than the phone and none causes a script or CSP error."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.test_first_workshop import log_in, post

pytestmark = pytest.mark.browser

API = "/api/scheduling/v1"


@pytest.fixture(scope="module")
def draft(live_stack, network_with, root):
    network = network_with("Coast Science Network", {
        "admin@manage.e2e.test": ("Ada Admin", "network_admin"),
        "leader@manage.e2e.test": ("Leo Leader", "leader")})
    return post(live_stack.api, f"{API}/events", root, {
        "network_id": network["id"], "kind": "lesson_study", "title": "Phenomena first",
        "subjects": ["science"], "grade_min": "6", "grade_max": "8",
        "timezone": "America/Los_Angeles", "status": "draft"})


def test_an_admin_runs_an_event_and_a_program_on_a_phone(live_stack, draft, phone, tmp_path):
    url, page = live_stack.url, phone.page

    log_in(page, url, "admin@manage.e2e.test")
    page.get_by_role("link", name="Manage").click()
    phone.fits("manage", tmp_path)
    page.get_by_role("link", name="Edit Phenomena first").click()
    page.get_by_label("Audience").fill("Middle school science teachers")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("The event is saved.")).to_be_visible()

    page.get_by_role("link", name="Add sessions").click()
    expect(page).to_have_url(re.compile(r"/sessions/new$"))
    # No screenshot of this long page: Playwright's full-page capture injects a style the CSP
    # refuses, which would show up as a console error.
    phone.fits("sessions")
    series = page.locator("#series_form")
    series.get_by_label("Title").fill("Lesson study")
    series.get_by_label("Starting on").fill("2031-09-01")
    series.get_by_label("Day").select_option("tuesday")
    series.get_by_label("How often").select_option("2")
    series.get_by_label("Times").fill("4")
    series.get_by_label("Starts").fill("15:30")
    series.get_by_label("Ends").fill("17:00")
    series.get_by_label("Capacity").fill("20")
    series.get_by_label("Leo Leader").check()
    series.get_by_role("button", name="Add series").click()
    expect(page.get_by_text("4 sessions are added.")).to_be_visible()
    expect(page.get_by_role("cell", name="Lesson study 4", exact=True)).to_be_visible()

    page.get_by_role("link", name="Phenomena first").click()
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("The event is published")).to_be_visible()
    phone.fits("event", tmp_path)

    page.get_by_role("link", name="Manage").click()
    page.get_by_role("link", name="Programs").click()
    page.get_by_label("Name").fill("Phase 1")
    page.get_by_label("Starts").fill("2031-07-01")
    page.get_by_label("Ends").fill("2033-06-30")
    page.get_by_role("button", name="Register program").click()
    expect(page.get_by_role("heading", name="Phase 1")).to_be_visible()
    page.get_by_label("Email").fill("leader@manage.e2e.test")
    page.get_by_role("button", name="Add to cohort").click()
    expect(page.get_by_text("Leo Leader", exact=False).first).to_be_visible()
    phone.fits("program", tmp_path)
    print("screenshots in", tmp_path)
    assert phone.problems == []
