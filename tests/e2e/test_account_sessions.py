"""Your sessions and Change password in the browser: a teacher signed in on a phone and on a
laptop ends the laptop's session from the phone (390 px), and a password change signs every
other session out (hole 7)."""

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.test_first_workshop import PASSWORD, log_in, log_out, person_with_account, token

pytestmark = pytest.mark.browser

EMAIL = "sessions@account.e2e.test"
NEW_PASSWORD = "a fresh passphrase"
PHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) Safari/604.1"


@pytest.fixture(scope="module")
def teacher(live_stack):
    root = token(live_stack.api, live_stack.admin_email, live_stack.admin_password)
    return person_with_account(live_stack.api, root, EMAIL, "Sam Sessions")


def watch(page: Page, problems: list[str]) -> None:
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))


def test_end_a_session_from_the_phone_then_change_the_password(live_stack, teacher,
                                                               browser: Browser, page: Page,
                                                               tmp_path):
    url = live_stack.url
    phone_context = browser.new_context(user_agent=PHONE,
                                        viewport={"width": 390, "height": 844})
    phone = phone_context.new_page()
    phone.set_default_timeout(10_000)
    problems: list[str] = []
    watch(page, problems)
    watch(phone, problems)
    try:
        log_in(page, url, EMAIL)  # the laptop
        log_in(phone, url, EMAIL)

        phone.get_by_role("link", name="Account").click()
        expect(phone.get_by_role("heading", name="Your sessions")).to_be_visible()
        cards = phone.locator("article.login-session")
        expect(cards).to_have_count(2)
        expect(cards.first).to_contain_text("Safari on iPhone")
        expect(cards.first).to_contain_text("This device")
        phone.screenshot(path=tmp_path / "sessions-390.png", full_page=True)
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390

        cards.nth(1).get_by_role("button", name="End this session").click()
        expect(phone.get_by_text("That session is signed out.")).to_be_visible()
        expect(cards).to_have_count(1)

        page.goto(f"{url}/schedule")  # the laptop's next page asks it to sign in again
        expect(page.get_by_role("heading", name="Sign in")).to_be_visible()

        log_in(page, url, EMAIL)
        phone.get_by_role("link", name="change your password").click()
        phone.get_by_label("Current password").fill("not my password")
        phone.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
        phone.get_by_label("New password again").fill(NEW_PASSWORD)
        phone.get_by_role("button", name="Change password").click()
        expect(phone.get_by_text("This is not your current password.")).to_be_visible()
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390

        phone.get_by_label("Current password").fill(PASSWORD)
        phone.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
        phone.get_by_label("New password again").fill(NEW_PASSWORD)
        phone.get_by_role("button", name="Change password").click()
        expect(phone.get_by_text("1 other session was signed out.")).to_be_visible()
        phone.screenshot(path=tmp_path / "password-changed-390.png", full_page=True)

        page.goto(f"{url}/schedule")
        expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
        log_in(page, url, EMAIL, NEW_PASSWORD)
        log_out(phone)
        print("screenshots in", tmp_path)
        # The refused form is answered 422 on purpose (its errors inline); Chromium logs that.
        expected = "the server responded with a status of 422"
        assert [p for p in problems if expected not in p] == []
        assert sum(expected in p for p in problems) == 1
    finally:
        phone_context.close()
