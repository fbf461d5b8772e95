"""Browser tests: the real processes (`cascade run` without demo data) on free ports, driven
through Debian's Chromium with Playwright. Nothing here downloads a browser."""

import shutil
import socket
import subprocess
import sys
from dataclasses import dataclass

import httpx
import pytest
from playwright.sync_api import Browser, sync_playwright

from services.runner import DEFAULT_PORTS, Suite, migrate_all

ADMIN_EMAIL = "root@e2e.cascade.test"
ADMIN_PASSWORD = "e2e-root-password"
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
