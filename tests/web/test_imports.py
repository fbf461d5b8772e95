"""Sign-in sheet imports from the check-in page, the page that follows the import job, and the
calendar subscription offered on My schedule."""

import re
from html import unescape
from urllib.parse import urlsplit

import httpx

from tests.support.stack import BASE_URL, eventually
from tests.web.conftest import api_post, seed_event, under_way

HTMX = {"HX-Request": "true"}
HEADER = "email,full_name,role,school,district,county"
SHEET = (f"{HEADER}\n"
         "teacher0@web.test,Teacher 0,teacher,Lincoln Elementary,Oakland Unified,Alameda\n"
         "teacher1@web.test,Teacher 1,teacher,Lincoln Elementary,Oakland Unified,Alameda\n"
         "not-an-email,Someone Else,teacher,,,\n")


def upload(sheet: str, name: str = "sheet.csv") -> dict:
    return {"file": (name, sheet.encode(), "text/csv")}


async def registered_session(stack, network) -> str:
    """A session under way that two teachers signed up for, so the roster lists them."""
    event = await seed_event(stack, network, starts=under_way())
    session_id = event["sessions"][0]["id"]
    for n in (0, 1):
        token = await stack.token(f"teacher{n}@web.test", "teacher-password")
        await api_post(stack, f"/api/scheduling/v1/sessions/{session_id}/registrations", token)
    return session_id


async def on_check_in_as_admin(stack, network, visitor) -> tuple[str, httpx.Response]:
    session_id = await registered_session(stack, network)
    await visitor.login("admin@web.test")
    return session_id, await visitor.get(f"/sessions/{session_id}/check-in")


class TestSignInSheetImport:
    async def test_the_network_admin_imports_a_sheet_and_follows_it_to_done(
            self, stack, network, visitor):
        session_id, page = await on_check_in_as_admin(stack, network, visitor)
        assert 'enctype="multipart/form-data"' in page.text
        assert HEADER in page.text and 'href="/sign-in-sheets/template.csv"' in page.text
        response = await visitor.post(f"/sessions/{session_id}/sign-in-sheet",
                                      files=upload(SHEET))
        assert response.status_code == 303, response.text
        location = response.headers["location"]
        assert re.fullmatch(rf"/imports/\w+\?session_id={session_id}", location)

        async def done():
            page = await visitor.get(location)
            assert page.status_code == 200, page.text
            return page.text if "<h2 id=\"progress-heading\">Done</h2>" in page.text else None

        html = await eventually(done)
        assert re.search(r'<progress id="import_bar" value="3" max="3"', html)
        assert re.search(r'id="count_attended">2<', html)
        # Lines are numbered as in the file, header included: the third person is on line 4.
        assert re.search(r'<th scope="row">4</th><td>[^<]*not-an-email', unescape(html))
        assert "hx-trigger" not in html and 'http-equiv="refresh"' not in html
        assert f'href="/sessions/{session_id}/check-in"' in html

        roster = (await visitor.get(f"/sessions/{session_id}/check-in")).text
        for person in network.teachers[:2]:
            row = re.search(rf'<tr id="roster_{person["id"]}">.*?</tr>', roster, re.S)
            assert row and "Checked in" in row.group(0)

    async def test_htmx_gets_hx_location_and_the_progress_block_polls_until_done(
            self, stack, network, visitor):
        session_id, _page = await on_check_in_as_admin(stack, network, visitor)
        response = await visitor.post(f"/sessions/{session_id}/sign-in-sheet",
                                      files=upload(SHEET),
                                      headers={**HTMX, "HX-Target": "sheet_import"})
        assert response.status_code == 200
        location = response.headers["HX-Location"]
        poll = {**HTMX, "HX-Target": "import_progress"}

        async def settled():
            block = await visitor.get(location, headers=poll)
            assert block.text.lstrip().startswith('<section id="import_progress"'), block.text
            if "hx-trigger" in block.text:
                assert 'hx-trigger="every 700ms"' in block.text
                assert 'hx-select="#import_progress"' in block.text
                return None
            return block.text

        block = await eventually(settled)
        assert "<html" not in block and 'value="3" max="3"' in block

    async def test_a_wrong_header_comes_back_422_beside_the_file_field(
            self, stack, network, visitor):
        session_id, _page = await on_check_in_as_admin(stack, network, visitor)
        response = await visitor.post(f"/sessions/{session_id}/sign-in-sheet",
                                      files=upload("name,mail\nA,a@example.org\n"))
        assert response.status_code == 422
        assert re.search(r'id="file"[^>]*aria-invalid="true"', response.text)
        error = re.search(r'<small id="file-error"[^>]*>([^<]+)<', response.text)
        assert error and HEADER in unescape(error.group(1))

        fragment = await visitor.post(f"/sessions/{session_id}/sign-in-sheet",
                                      files=upload("name,mail\n"),
                                      headers={**HTMX, "HX-Target": "sheet_import"})
        assert fragment.status_code == 422
        assert fragment.text.lstrip().startswith('<form id="sheet_import"')

    async def test_no_file_chosen_is_an_inline_error(self, stack, network, visitor):
        session_id, _page = await on_check_in_as_admin(stack, network, visitor)
        response = await visitor.post(f"/sessions/{session_id}/sign-in-sheet",
                                      files=upload("", name=""))
        assert response.status_code == 422
        assert "Choose the CSV file of the sign-in sheet." in response.text

    async def test_a_participant_is_not_offered_the_form_and_may_not_post_it(
            self, stack, network, visitor):
        session_id = await registered_session(stack, network)
        await visitor.login("teacher0@web.test")
        page = await visitor.get(f"/sessions/{session_id}/check-in")
        assert page.status_code == 403
        assert "sheet_import" not in page.text and 'type="file"' not in page.text
        response = await visitor.post(f"/sessions/{session_id}/sign-in-sheet",
                                      files=upload(SHEET))
        assert response.status_code == 403

    async def test_the_blank_sheet_is_just_the_header(self, stack, visitor):
        response = await visitor.get("/sign-in-sheets/template.csv")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/csv")
        assert response.text.strip() == HEADER


class TestCalendarSubscription:
    async def test_my_schedule_offers_a_feed_that_works_without_credentials(
            self, stack, network, visitor):
        await registered_session(stack, network)
        await visitor.login("teacher0@web.test")
        page = await visitor.get("/schedule")
        assert "Subscribe to my calendar" in page.text
        found = re.search(r'<input id="calendar_url" type="url" value="([^"]+)" readonly',
                          page.text)
        assert found, page.text
        url = unescape(found.group(1))
        assert url.startswith(f"{BASE_URL}/api/scheduling/v1/calendars/")
        parts = urlsplit(url)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=stack.gateway),
                                     base_url=BASE_URL) as calendar_app:
            feed = await calendar_app.get(f"{parts.path}?{parts.query}")
        assert feed.status_code == 200, feed.text
        assert feed.headers["content-type"].startswith("text/calendar")
        assert "Argument writing" in feed.text

    async def test_the_address_follows_the_host_the_gateway_was_reached_at(
            self, stack, network, visitor):
        await visitor.login("teacher0@web.test")
        page = await visitor.get("/schedule", headers={"Host": "cascade.example.org"})
        assert re.search(r'value="http://cascade\.example\.org/api/scheduling/v1/calendars/',
                         page.text), page.text
