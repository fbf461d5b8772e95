"""The first workshop, through the browser: a network admin posts a series, a teacher finds it
and signs up, the session fills and waitlists, the leader checks the teacher in, and the reach
page counts the leader, the teacher and where the teacher teaches."""

import re
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.accessibility import accessibility_violations

pytestmark = pytest.mark.browser

PASSWORD = "teacher-password"
TITLE = "Argument writing in the middle grades"
WHERE = {"school": "Lincoln Elementary", "district": "Oakland Unified", "county": "Alameda"}


def post(api, path: str, token: str | None, body: dict) -> dict:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = api.post(path, json=body, headers=headers)
    assert response.status_code in (200, 201), response.text
    return response.json()


def token(api, email: str, password: str = PASSWORD) -> str:
    response = api.post("/api/identity/v1/token",
                        data={"grant_type": "password", "username": email, "password": password})
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


def mailed_link(api, root: str, email: str, kind: str, timeout: float = 15.0) -> str:
    """The path of the newest `kind` link (verify, reset-password, invitations) mailed to
    `email`, read from the mailbox as a platform admin once the real processes delivered it."""
    deadline = time.monotonic() + timeout
    while True:
        response = api.get("/api/scheduling/v1/messages", params={"limit": 200},
                           headers={"Authorization": f"Bearer {root}"})
        assert response.status_code == 200, response.text
        for message in response.json()["items"]:  # newest first
            found = re.search(rf"https?://\S+?(/{kind}/\S+)", message["body"])
            if message["email"] == email and found:
                return found.group(1)
        assert time.monotonic() < deadline, f"no {kind} link mailed to {email}"
        time.sleep(0.2)


def person_with_account(api, root: str, email: str, name: str, **where) -> dict:
    """A person, then their account as they make it: sign up, open the mailed link."""
    person = post(api, "/api/identity/v1/people", root,
                  {"email": email, "full_name": name, "role": "teacher", **where})
    response = api.post("/api/identity/v1/accounts",
                        json={"email": email, "password": PASSWORD, "full_name": name})
    assert response.status_code == 202, response.text
    post(api, "/api/identity/v1/accounts/confirmations", None, {
        "token": mailed_link(api, root, email, "verify").removeprefix("/verify/"),
        "password": PASSWORD})
    return person


@pytest.fixture(scope="module")
def seeded(live_stack):
    api = live_stack.api
    root = token(api, live_stack.admin_email, live_stack.admin_password)
    network = post(api, "/api/identity/v1/organizations", root,
                   {"name": "Bay Teacher Network", "kind": "network"})
    district = post(api, "/api/identity/v1/organizations", root,
                    {"name": "Oakland Unified", "kind": "district", "county": "Alameda"})
    post(api, "/api/identity/v1/organizations", root,
         {"name": "Lincoln Elementary", "kind": "school", "parent_id": district["id"]})
    leader = person_with_account(api, root, "leader@e2e.test", "Maria Lopez")
    admin = person_with_account(api, root, "admin@e2e.test", "Ana Network")
    for person, role in ((leader, "leader"), (admin, "network_admin")):
        post(api, f"/api/identity/v1/organizations/{network['id']}/members", root,
             {"person_id": person["id"], "role": role})
    teachers = [person_with_account(api, root, f"teacher{n}@e2e.test", f"Teacher {n}", **WHERE)
                for n in range(3)]
    return {"network": network, "leader": leader, "teachers": teachers}


def log_in(page: Page, url: str, email: str, password: str = PASSWORD) -> None:
    page.goto(f"{url}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def log_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()


def test_first_workshop_from_posting_to_reach(live_stack, seeded, page: Page, tmp_path):
    url = live_stack.url
    # A CSP violation or a script error shows up here; the pages must cause none.
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("response",
            lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    # The session began a moment ago: reach counts only sessions that have started, and the
    # teachers can still sign up while it runs (it ends by midnight, on one date).
    starts = (datetime.now(ZoneInfo("America/Los_Angeles")) - timedelta(minutes=2)).replace(
        second=0, microsecond=0)
    ends = min(starts + timedelta(hours=2), starts.replace(hour=23, minute=59))
    today = starts.date()

    # The network admin posts a workshop series with one session of two seats.
    log_in(page, url, "admin@e2e.test")
    page.get_by_role("link", name="New event").click()
    expect(page.get_by_role("heading", name="New event")).to_be_visible()
    page.get_by_label("Title", exact=True).fill(TITLE)
    page.get_by_label("ELA").check()
    page.get_by_label("Lowest grade").select_option("6")
    page.get_by_label("Highest grade").select_option("8")
    page.get_by_label("Time zone").select_option("America/Los_Angeles")
    page.get_by_label("Date", exact=True).fill(today.isoformat())
    page.get_by_label("Starts").fill(starts.strftime("%H:%M"))
    page.get_by_label("Ends").fill(ends.strftime("%H:%M"))
    page.get_by_label("Capacity").fill("2")
    page.get_by_label("Facilitator").select_option(label="Maria Lopez")
    page.get_by_label("Publish now").check()
    page.get_by_role("button", name="Create event").click()
    expect(page.get_by_role("heading", name=TITLE)).to_be_visible()
    expect(page.get_by_text(starts.strftime("%I:%M %p").lstrip("0")).first).to_be_visible()
    event_url = page.url

    # On a phone-sized screen the event page still reads and works.
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=tmp_path / "event-390.png", full_page=True)  # to look at by hand
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.set_viewport_size({"width": 1280, "height": 800})
    log_out(page)

    # A teacher finds it in the catalog by typing, and signs up in place.
    log_in(page, url, "teacher0@e2e.test")
    page.goto(url + "/")
    page.get_by_label("Search").fill("argument")
    expect(page).to_have_url(
        f"{url}/?q=argument&subject=&grade=&grade_to=&county=&format=&from=&to=")
    page.get_by_role("link", name=TITLE).click()
    expect(page).to_have_url(event_url)
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_text("You're registered")).to_be_visible()
    expect(page.get_by_text("1 of 2 seats left")).to_be_visible()
    assert page.url == event_url  # swapped in place, no navigation
    log_out(page)

    # The second seat goes to another teacher through the API; the third waits.
    session_id = event_url.rsplit("/", 1)[1]
    event = live_stack.api.get(f"/api/scheduling/v1/events/{session_id}").json()
    [session] = event["sessions"]
    second = post(live_stack.api, f"/api/scheduling/v1/sessions/{session['id']}/registrations",
                  token(live_stack.api, "teacher1@e2e.test"), {})
    assert second["status"] == "confirmed"
    log_in(page, url, "teacher2@e2e.test")
    page.goto(event_url)
    page.get_by_role("button", name="Join the waitlist").click()
    expect(page.get_by_text("You're on the waitlist (#1)")).to_be_visible()
    log_out(page)

    # The leader checks the first teacher in.
    log_in(page, url, "leader@e2e.test")
    page.goto(event_url)
    page.get_by_role("link", name="Check people in").click()
    row = page.get_by_role("row", name="Teacher 0")
    expect(page.get_by_role("row", name="Teacher 2")).to_contain_text("Waitlisted (#1)")
    row.get_by_role("button", name="Check in").click()
    expect(row).to_contain_text("Checked in")
    log_out(page)

    # Reach counts it once the feeds have carried the check-in across.
    log_in(page, url, "admin@e2e.test")
    page.get_by_role("link", name="Reach").click()
    expect(page).to_have_url(re.compile(r"/reach"))
    direct = page.locator("#figure_direct .figure-value")
    for _ in range(30):
        try:
            expect(direct).to_have_text("1", timeout=1_000)
            break
        except AssertionError:
            page.reload()
    # If the figure never came, say what the page showed instead.
    assert direct.count() == 1, (problems, page.locator("main").inner_text()[:2000])
    expect(direct).to_have_text("1")
    expect(page.locator("#figure_leaders .figure-value")).to_have_text("1")
    for figure in ("schools", "districts", "counties"):
        expect(page.locator(f"#figure_{figure} .figure-value")).to_have_text("1")
    # The map names the teacher's county in its title; the breakdown and growth tables say it.
    expect(page.locator("#map path[data-county='Alameda'] title")).to_have_text("Alameda: 1")
    expect(page.locator("#map path[data-county='Kern'] title")).to_have_text("Kern: not reached")
    expect(page.locator("#breakdown-table")).to_contain_text("Alameda")
    first = today.year if today.month >= 7 else today.year - 1
    expect(page.locator("#growth-table")).to_contain_text(f"{first}-{(first + 1) % 100:02d}")
    assert date.fromisoformat(page.get_by_label("From", exact=True).input_value()).month == 7

    # Another dimension swaps the breakdown in place, and that table downloads as it is shown.
    page.get_by_label("Break down by").select_option("school")
    expect(page.locator("#breakdown-table")).to_contain_text("Lincoln Elementary")
    expect(page).to_have_url(re.compile(r"dimension=school"))
    with page.expect_download() as download:
        page.locator("#breakdown").get_by_role("link", name="Download this table (CSV)").click()
    assert download.value.suggested_filename.startswith("reach-breakdown-school")
    assert "Lincoln Elementary" in Path(download.value.path()).read_text()

    # On a phone the headings are hidden (each row is a card): the Sort by select sorts.
    page.set_viewport_size({"width": 390, "height": 844})
    page.get_by_label("Sort by").select_option("pd_hours:asc")
    expect(page).to_have_url(re.compile(r"sort=pd_hours(%3A|:)asc"))
    expect(page.locator("#breakdown-table th[aria-sort='ascending']")).to_contain_text("PD hours")
    expect(page.get_by_label("Sort by")).to_have_value("pd_hours:asc")
    expect(page.get_by_label("Break down by")).to_have_value("school")

    # Last, since axe leaves empty style attributes behind that a later htmx swap would copy
    # (and the CSP refuse): no accessibility violation on a wide screen or on a phone.
    for width, height in ((1280, 800), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=tmp_path / f"reach-{width}.png", full_page=True)  # to look at
        assert accessibility_violations(page) == [], width
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling
    print("screenshots in", tmp_path)
    assert problems == [], "\n".join(problems)
