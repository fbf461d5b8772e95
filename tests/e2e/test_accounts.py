"""Joining Cascade through the browser, links from the mailbox: a newcomer signs up, is told to
check their mail, opens the link and is signed in; a platform admin invites a network admin,
who accepts by signing up and can then invite others. At a phone's width, without a script
error."""

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.test_first_workshop import log_in, log_out, mailed_link, post, token

pytestmark = pytest.mark.browser

PASSWORD = "joining-password"
PHONE = {"width": 390, "height": 844}


def watch(page: Page) -> list[str]:
    problems: list[str] = []
    # A refused form answers 422 by design (its errors beside the fields); the browser logs it.
    page.on("console", lambda m: problems.append(m.text)
            if m.type == "error" and "status of 422" not in m.text else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    return problems


def fits_the_phone(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_sign_up_then_the_mailed_link_then_signed_in(live_stack, page: Page):
    url, api = live_stack.url, live_stack.api
    root = token(api, live_stack.admin_email, live_stack.admin_password)
    problems = watch(page)
    page.set_viewport_size(PHONE)
    page.goto(f"{url}/signup")
    page.get_by_label("Full name").fill("Nia Newcomer")
    page.get_by_label("Email").fill("nia@join.e2e.test")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Check your mail")).to_be_visible()
    assert fits_the_phone(page)
    expect(page.get_by_role("link", name="Sign in", exact=True)).to_be_visible()  # not yet in

    page.goto(url + mailed_link(api, root, "nia@join.e2e.test", "verify"))
    expect(page.get_by_role("heading", name="Confirm your email")).to_be_visible()
    page.get_by_label("Password").fill("not the chosen one")
    page.get_by_role("button", name="Confirm and sign in").click()
    expect(page.get_by_text("That is not the password you chose")).to_be_visible()
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm and sign in").click()
    expect(page.get_by_text("Your email is confirmed")).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    assert fits_the_phone(page)
    log_out(page)
    log_in(page, url, "nia@join.e2e.test", PASSWORD)
    assert problems == []


def test_an_invitation_accepted_by_signing_up_gives_the_role(live_stack, page: Page, browser):
    url, api = live_stack.url, live_stack.api
    root = token(api, live_stack.admin_email, live_stack.admin_password)
    post(api, "/api/identity/v1/organizations", root,
         {"name": "Sierra Teacher Network", "kind": "network"})
    problems = watch(page)
    page.set_viewport_size(PHONE)
    log_in(page, url, live_stack.admin_email, live_stack.admin_password)
    page.goto(f"{url}/manage/invitations")
    networks = page.get_by_role("heading", name="Invitations")
    expect(networks).to_be_visible()
    if page.get_by_role("link", name="Sierra Teacher Network").count():
        page.get_by_role("link", name="Sierra Teacher Network").click()
    expect(page.get_by_text("Sierra Teacher Network").first).to_be_visible()
    page.get_by_label("Email").fill("nadia@join.e2e.test")
    page.get_by_label("Role").select_option("network_admin")
    page.get_by_label("From (optional)").fill("2026-07-01")
    page.get_by_label("Until (optional)").fill("2026-06-01")
    page.get_by_role("button", name="Mail the invitation").click()
    expect(page.locator("#ends_on-error")).to_be_visible()  # inline, the form kept
    page.get_by_label("Until (optional)").fill("")
    page.get_by_label("From (optional)").fill("")
    page.get_by_role("button", name="Mail the invitation").click()
    expect(page.get_by_text("Invitation mailed to nadia@join.e2e.test")).to_be_visible()
    expect(page.get_by_role("heading", name="nadia@join.e2e.test")).to_be_visible()
    assert fits_the_phone(page)
    log_out(page)

    invitee = browser.new_context(viewport=PHONE).new_page()
    invitee_problems = watch(invitee)
    invitee.goto(url + mailed_link(api, root, "nadia@join.e2e.test", "invitations"))
    expect(invitee.get_by_role("heading", name="Join Sierra Teacher Network")).to_be_visible()
    invitee.get_by_label("Full name").fill("Nadia Admin")
    invitee.get_by_label("Choose a password").fill(PASSWORD)
    invitee.get_by_role("button", name="Create account and accept").click()
    expect(invitee.get_by_text("You joined Sierra Teacher Network as network admin")
           ).to_be_visible()
    # The new role is in the new session: the Invitations page is hers now.
    invitee.get_by_role("link", name="Invitations").click()
    expect(invitee.get_by_text("No invitations waiting.")).to_be_visible()
    assert fits_the_phone(invitee)
    invitee.context.close()
    assert problems == [] and invitee_problems == []
