"""Setting a network up in the browser, on a phone: a network admin adds a district with its
equity attributes, a partner and the partner's API key (shown once), gives a colleague a role,
and reads what they did in the audit log; no page is wider than the phone and none causes a
script or CSP error."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.test_first_workshop import log_in, post

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def network(live_stack, network_with, root):
    network = network_with("Delta Writing Network", {
        "admin@setup.e2e.test": ("Nia Admin", "network_admin"),
        "colleague@setup.e2e.test": ("Cal Colleague", None)})
    # The colleague is among the network's people, as a sign-in sheet would have made them;
    # anyone else comes in by invitation.
    post(live_stack.api, "/api/identity/v1/people/matches", root, {
        "network_id": network["id"], "email": "colleague@setup.e2e.test",
        "full_name": "Cal Colleague", "role": "teacher"})
    return network


def test_a_network_admin_sets_up_the_network_on_a_phone(live_stack, network, phone):
    url, page = live_stack.url, phone.page

    log_in(page, url, "admin@setup.e2e.test")
    page.get_by_role("link", name="Network", exact=True).click()
    expect(page.get_by_role("heading", name="Organizations", exact=True)).to_be_visible()
    phone.fits("organizations")

    district = page.locator("#district_form")
    district.get_by_label("District's name").fill("Stockton Unified")
    district.get_by_label("County").fill("San Joaquin")
    district.get_by_label("Locale").select_option("city")
    district.get_by_label("Free or reduced-price lunch, %").fill("84")
    district.get_by_label("English learners, %").fill("27")
    district.get_by_role("button", name="Add district").click()
    expect(page.get_by_text("Stockton Unified is added.")).to_be_visible()
    row = page.get_by_role("row", name=re.compile("Stockton Unified"))
    expect(row).to_contain_text("San Joaquin")
    expect(row).to_contain_text("84")

    page.locator("#partner_form").get_by_label("Partner's name").fill("Delta Teachers Union")
    page.locator("#partner_form").get_by_role("button", name="Add partner").click()
    expect(page.get_by_text("Delta Teachers Union is added.")).to_be_visible()
    page.get_by_role("link", name="Delta Teachers Union").click()
    page.get_by_role("button", name="Create a key").click()
    secret = page.locator("#new-key-value")
    expect(secret).to_have_text(re.compile(r"^csk_"))
    expect(page.get_by_text("it is shown this once")).to_be_visible()
    prefix = secret.inner_text()[:12]
    phone.fits("partner")
    page.get_by_role("link", name="Organizations").first.click()
    page.get_by_role("link", name="Delta Teachers Union").click()
    expect(page.get_by_role("rowheader", name=f"{prefix}…")).to_be_visible()
    expect(page.locator("#new-key-value")).to_have_count(0)  # shown that once only

    page.get_by_role("link", name="Memberships").click()
    form = page.locator("#grant_form")
    form.get_by_label("Email").fill("colleague@setup.e2e.test")
    form.get_by_label("Role").select_option("coordinator")
    form.get_by_label("From").fill("2026-07-01")
    form.get_by_label("Until").fill("2026-06-01")
    form.get_by_role("button", name="Give the role").click()
    expect(page.locator("#ends_on-error")).to_have_text("It cannot end before it starts.")
    page.locator("#grant_form").get_by_label("Until").fill("2027-06-30")
    page.locator("#grant_form").get_by_role("button", name="Give the role").click()
    expect(page.get_by_text("Cal Colleague is now coordinator")).to_be_visible()
    row = page.get_by_role("row", name=re.compile("Cal Colleague"))
    expect(row).to_contain_text("1 July 2026")
    expect(row).to_contain_text("30 June 2027")
    phone.fits("memberships")

    page.get_by_role("link", name="Audit log").click()
    expect(page.get_by_role("link", name="membership.create").first).to_be_visible()
    expect(page.locator("table.audit .actor-name").first).to_have_text("Nia Admin")
    expect(page.get_by_role("link", name="api_key.create")).to_be_visible()
    page.get_by_label("Action").fill("api_key")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("link", name="api_key.create")).to_be_visible()
    expect(page.get_by_role("link", name="membership.create")).to_have_count(0)
    phone.fits("audit")
    assert phone.scrolls_sideways() == []  # each entry is a card: Target and Details in sight
    # The refused form's answer is a 422 by design; the browser logs that as an error line.
    expected = "the server responded with a status of 422"
    assert [p for p in phone.problems if expected not in p] == []
