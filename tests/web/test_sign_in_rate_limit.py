"""The gateway's per-address limit counts each sign-in through web once, against the browser's
address (the review of hole 8): the page's POST and web's own call to /token were both counted,
so a user ran out after half their attempts; web's refreshes, sent without the browser's
address, all counted against web's one address together."""

import pytest

from tests.support.stack import InProcessStack
from tests.web.conftest import ADMIN, PASSWORD, Visitor, person_with_account

BURST = 4
WEB = "10.0.0.2"  # where web (and the services) call the gateway from: a trusted proxy
LIMITED = {"rate_limit_burst": BURST, "rate_limit_per_second": 0.001, "rate_limit_exempt": [],
           "trusted_proxies": ["10.0.0.0/8"]}


@pytest.fixture
async def stack(sqlite_databases, tmp_path):
    async with InProcessStack(sqlite_databases.fresh(tmp_path / "db"), var_dir=tmp_path,
                              gateway=LIMITED, internal_address=WEB) as stack:
        await stack.create_admin(*ADMIN)
        yield stack


@pytest.fixture
async def browsers(stack):
    opened: list[Visitor] = []

    def browser(address: str) -> Visitor:
        opened.append(Visitor(stack, address))
        return opened[-1]

    yield browser
    for visitor in opened:
        await visitor.aclose()


async def attempt(visitor: Visitor, email: str, password: str) -> str:
    await visitor.get("/login")
    response = await visitor.post("/login", {"email": email, "password": password})
    if response.status_code == 303:
        return "signed in"
    return "limited" if "Too many" in response.text or response.status_code == 429 else "refused"


async def test_each_sign_in_attempt_counts_once_against_the_browser(stack, browsers):
    root = await stack.token(*ADMIN)
    await person_with_account(stack, root, "ana@web.test", "Ana Ruiz")
    browser = browsers("198.51.100.7")
    tries = [await attempt(browser, "ana@web.test", "not her password") for _ in range(BURST)]
    assert tries == ["refused"] * BURST
    assert await attempt(browser, "ana@web.test", PASSWORD) == "limited"
    # Another browser, through the same web, has an address (and a limit) of its own.
    assert await attempt(browsers("198.51.100.8"), "ana@web.test", PASSWORD) == "signed in"


async def test_refreshes_count_against_each_browser_not_against_web(stack, browsers):
    root = await stack.token(*ADMIN)
    signed_in = []
    for n in range(BURST + 2):
        await person_with_account(stack, root, f"t{n}@web.test", f"Teacher {n}")
        signed_in.append(browsers(f"198.51.100.{10 + n}"))
        assert await attempt(signed_in[-1], f"t{n}@web.test", PASSWORD) == "signed in"
    # Each page after web has forgotten the access tokens refreshes at identity.
    stack.apps["web"].state.access_tokens.clear()
    pages = [(await visitor.get("/account/sessions")).status_code for visitor in signed_in]
    assert pages == [200] * len(signed_in)
