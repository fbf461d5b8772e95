"""Accessibility checks of a page as the browser renders it: axe-core (shipped inside the
axe-playwright-python package, so nothing is fetched) run against the live page."""

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

AXE = Axe()
# WCAG 2.1 A and AA, and axe's best practices for landmarks and headings.
OPTIONS = {"resultTypes": ["violations"],
           "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa",
                                                 "best-practice"]}}


def accessibility_violations(page: Page) -> list[str]:
    """Each violation as one line: the rule, what it asks, and the first elements that break it."""
    results = AXE.run(page, options=OPTIONS)
    return [f"{v['id']} ({v['impact']}): {v['help']} at "
            + "; ".join(" ".join(map(str, node["target"])) for node in v["nodes"][:5])
            for v in results.response["violations"]]
