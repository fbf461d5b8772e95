"""People through the browser: a network admin searches the people of their network, opens one,
gets an error beside a blanked name, renames them and moves them to another district, on a phone;
the same form works with JavaScript off."""

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.test_first_workshop import log_in, person_with_account, post, token

pytestmark = pytest.mark.browser
IDENTITY = "/api/identity/v1"


@pytest.fixture(scope="module")
def people(live_stack):
    """Its own network, districts, admin and teachers: the live stack is shared by modules."""
    api = live_stack.api
    root = token(api, live_stack.admin_email, live_stack.admin_password)
    network = post(api, f"{IDENTITY}/organizations", root,
                   {"name": "Coast People Network", "kind": "network"})
    for name in ("Santa Cruz City Schools", "Pajaro Valley Unified"):
        post(api, f"{IDENTITY}/organizations", root,
             {"name": name, "kind": "district", "county": "Santa Cruz"})
    admin = person_with_account(api, root, "admin@people.e2e.test", "Paula Admin")
    post(api, f"{IDENTITY}/organizations/{network['id']}/members", root,
         {"person_id": admin["id"], "role": "network_admin"})
    teachers = {}
    for email, name in (("tina@people.e2e.test", "Tina Tide"),
                        ("omar@people.e2e.test", "Omar Otter")):
        matched = post(api, f"{IDENTITY}/people/matches", root, {
            "network_id": network["id"], "email": email, "full_name": name, "role": "teacher",
            "district": "Santa Cruz City Schools", "county": "Santa Cruz"})
        teachers[email] = matched["id"]
    person_with_account(api, root, "stranger@people.e2e.test", "Stan Stranger")
    return {"root": root, "teachers": teachers}


def person(live_stack, people, email: str) -> dict:
    response = live_stack.api.get(f"{IDENTITY}/people/{people['teachers'][email]}",
                                  headers={"Authorization": f"Bearer {people['root']}"})
    assert response.status_code == 200, response.text
    return response.json()


def test_a_network_admin_searches_and_edits_a_person_on_a_phone(live_stack, people,
                                                                 page: Page, tmp_path):
    url = live_stack.url
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.set_viewport_size({"width": 390, "height": 844})

    log_in(page, url, "admin@people.e2e.test")
    page.goto(f"{url}/people")
    expect(page.get_by_role("heading", name="People")).to_be_visible()
    expect(page.get_by_role("link", name="Omar Otter")).to_be_visible()
    expect(page.get_by_text("Stan Stranger")).to_have_count(0)  # not of this network
    page.get_by_label("Name or email").fill("tina")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("link", name="Omar Otter")).to_have_count(0)
    page.get_by_role("link", name="Tina Tide").click()
    expect(page.get_by_role("heading", name="Tina Tide")).to_be_visible()
    # caret="initial": hiding the caret leaves style="" on every input, which htmx then settles
    # onto the swapped form, and the CSP (rightly) refuses.
    page.screenshot(path=tmp_path / "person-390.png", full_page=True, caret="initial")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    page.get_by_label("Name", exact=True).fill("")
    page.get_by_label("Name", exact=True).evaluate("field => field.removeAttribute('required')")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#full_name-error")).to_contain_text("Give their name")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    page.get_by_label("Name", exact=True).fill("Tina Tidepool")
    page.get_by_label("District").fill("Pajaro Valley Unified")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Tina Tidepool is saved.")).to_be_visible()
    expect(page.get_by_label("District")).to_have_value("Pajaro Valley Unified")
    saved = person(live_stack, people, "tina@people.e2e.test")
    assert saved["full_name"] == "Tina Tidepool"
    print("screenshots in", tmp_path)
    # The refused form answers 422 by design (htmx swaps it in); nothing else may go wrong.
    assert [p for p in problems if "status of 422" not in p] == [], problems


def test_the_form_works_without_javascript(live_stack, people, browser: Browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        url = live_stack.url
        page.goto(f"{url}/login")
        page.get_by_label("Email").fill("admin@people.e2e.test")
        page.get_by_label("Password").fill("teacher-password")
        page.get_by_role("button", name="Sign in").click()
        page.goto(f"{url}/people/{people['teachers']['omar@people.e2e.test']}")
        page.get_by_label("Name", exact=True).fill("Omar Otterly")
        page.get_by_role("button", name="Save").click()
        expect(page.get_by_text("Omar Otterly is saved.")).to_be_visible()
        assert person(live_stack, people, "omar@people.e2e.test")["full_name"] == "Omar Otterly"
    finally:
        context.close()
