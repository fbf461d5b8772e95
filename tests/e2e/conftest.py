"""Browser tests: the real processes (`cascade run` without demo data) on free ports, driven
through Debian's Chromium with Playwright. Nothing here downloads a browser."""

import shutil
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from services.runner import DEFAULT_PORTS, Suite, migrate_all
from tests.e2e.test_first_workshop import person_with_account, post, token

ADMIN_EMAIL = "root@e2e.cascade.test"
ADMIN_PASSWORD = "e2e-root-password"
PHONE = {"width": 390, "height": 844}
CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class LiveStack:
    url: str
    admin_email: str
    admin_password: str
    api: httpx.Client


@pytest.fixture(scope="session")
def live_stack(tmp_path_factory):
    var_dir = tmp_path_factory.mktemp("live")
    suite = Suite(var_dir=var_dir, ports={name: free_port() for name in DEFAULT_PORTS},
                  log_dir=var_dir / "logs")
    migrate_all(var_dir)
    env = suite.environment()
    subprocess.run(  # noqa: S603 (our own CLI, by a fixed argument list)
        [sys.executable, "-m", "services.cli", "admin", "create", "--email", ADMIN_EMAIL,
         "--password-stdin"],
        input=ADMIN_PASSWORD + "\n", text=True, env=env, check=True, capture_output=True,
    )
    suite.start()
    try:
        suite.wait_until_healthy()
        with httpx.Client(base_url=suite.url, timeout=10) as api:
            yield LiveStack(url=suite.url, admin_email=ADMIN_EMAIL,
                            admin_password=ADMIN_PASSWORD, api=api)
    finally:
        suite.stop()
        for log in sorted((var_dir / "logs").glob("*.log")):
            text = log.read_text(errors="replace").strip()
            if "Traceback" in text or "ERROR" in text:
                print(f"--- {log.name} ---\n{text[-4000:]}")


@pytest.fixture(scope="module")
def browser() -> Browser:
    # Module scope: Playwright's sync API keeps an event loop marked running while it is open,
    # which would stop every async test collected after it.
    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail("Debian's chromium is not installed; `make test` installs it with apt-get.")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture(scope="module")
def root(live_stack) -> str:
    """The platform admin's access token."""
    return token(live_stack.api, live_stack.admin_email, live_stack.admin_password)


@pytest.fixture(scope="module")
def network_with(live_stack, root):
    """network_with(name, {email: (full name, role)}): a network of the module's own (the live
    stack is shared by modules) and its people, each with an account and, unless the role is
    None, that role in the network."""
    api = live_stack.api

    def make(name: str, people: dict[str, tuple[str, str | None]]) -> dict:
        network = post(api, "/api/identity/v1/organizations", root,
                       {"name": name, "kind": "network"})
        for email, (full_name, role) in people.items():
            person = person_with_account(api, root, email, full_name)
            if role:
                post(api, f"/api/identity/v1/organizations/{network['id']}/members", root,
                     {"person_id": person["id"], "role": role})
        return network

    return make


@dataclass
class Phone:
    page: Page
    problems: list[str]  # every script error and CSP refusal the page logged

    def fits(self, name: str, screenshots: Path | None = None) -> None:
        """No wider than the phone: nothing to scroll sideways (a screenshot of it kept in
        `screenshots` when given)."""
        if screenshots is not None:
            self.page.screenshot(path=screenshots / f"{name}-390.png", full_page=True)
        assert self.page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], name

    def scrolls_sideways(self) -> list[str]:
        """The boxes inside the page that scroll sideways on their own (a wide table in its
        overflow-auto box fits the page, yet its last columns are off to the side); a visually
        hidden one (a 1px clip) does not count."""
        return self.page.evaluate("""[...document.querySelectorAll("main *")].filter(e =>
            getComputedStyle(e).overflowX !== "visible" && e.clientWidth > 1
            && e.scrollWidth > e.clientWidth + 1
        ).map(e => e.tagName.toLowerCase() + (e.className ? "." + e.className : ""))""")


@pytest.fixture
def phone(page) -> Phone:
    """The page on a phone's screen, its errors collected as they come."""
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.set_viewport_size(PHONE)
    return Phone(page, problems)
