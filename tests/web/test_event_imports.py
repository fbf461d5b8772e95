"""The event import pages over the real suite: upload, the preview with each line's check, the
create buttons, then the progress page (a refresh without JavaScript, an htmx poll with it) and
the links to the new events."""

import re
from html import unescape

from tests.support.stack import eventually
from tests.web.conftest import ADMIN, bearer

HTMX = {"HX-Request": "true"}
HEADER = ("event_key,title,kind,subjects,grades,format,venue,county,timezone,credit_hours,"
          "session_title,date,start_time,end_time,capacity,room\n")
LA = "America/Los_Angeles"
GOOD = (HEADER
        + f"fr,Fraction strips,workshop_series,math,3-5,in_person,Lincoln,Alameda,{LA},6,"
          "Session I,2031-03-04,15:30,17:00,30,Library\n"
        + f"fr,Fraction strips,workshop_series,math,3-5,in_person,Lincoln,Alameda,{LA},6,"
          "Session II,2031-03-18,15:30,17:00,30,Library\n"
        + f",Claims and evidence,institute,ELA;ELD,TK-6,virtual,,,{LA},3,,2031-04-12,"
          "9:00 AM,12:00 PM,100,\n")
BAD = f",Backwards,webinar,ELA,K,virtual,,,{LA},1,,2031-04-01,10:00,09:00,10,\n"  # line 5


def upload(sheet: str) -> dict:
    return {"file": ("events.csv", sheet.encode(), "text/csv")}


def hidden_fields(html: str) -> dict[str, str]:
    form = re.search(r'<form method="post" action="/event-imports".*?</form>', html, re.S)
    assert form, html
    fields = re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form.group(0))
    return {name: unescape(value) for name, value in fields if name != "csrf_token"}


async def network_events(stack, network) -> list[dict]:
    root = await stack.token(*ADMIN)
    response = await stack.client.get("/api/scheduling/v1/events", headers=bearer(root),
                                      params={"network_id": network.id, "limit": 200})
    return response.json()["items"]


async def preview(visitor, network, sheet: str, status: str = "draft"):
    await visitor.get("/event-imports/new")
    return await visitor.post("/event-imports/preview", {"network_id": network.id,
                                                         "event_status": status},
                              files=upload(sheet))


async def finished_page(visitor, location: str) -> str:
    async def done():
        page = await visitor.get(location)
        assert page.status_code == 200, page.text
        return page.text if '<h2 id="progress-heading">Done</h2>' in page.text else None
    return await eventually(done)


class TestUploadPage:
    async def test_the_form_offers_the_users_networks_and_a_template(self, stack, network,
                                                                     visitor):
        await visitor.login("leader@web.test")
        page = await visitor.get("/event-imports/new")
        assert page.status_code == 200
        assert 'action="/event-imports/preview" enctype="multipart/form-data"' in page.text
        assert f'<option value="{network.id}">Bay Teacher Network</option>' in page.text
        assert 'href="/event-imports/new" aria-current="page">Import events' in page.text
        template = await visitor.get("/event-imports/template.csv")
        assert template.headers["content-type"].startswith("text/csv")
        assert template.text.startswith(HEADER.rstrip("\n") + "\r\n")
        assert len(template.text.strip().splitlines()) == 4

    async def test_without_a_file_the_form_comes_back_422_with_the_error_beside_it(
            self, stack, network, visitor):
        await visitor.login("leader@web.test")
        await visitor.get("/event-imports/new")
        response = await visitor.post("/event-imports/preview", {"network_id": network.id})
        assert response.status_code == 422
        assert re.search(r'id="file-error" class="field-error">Choose the CSV file', response.text)

    async def test_a_teacher_is_refused_beside_the_network(self, stack, network, visitor):
        await visitor.login("teacher0@web.test")
        page = await visitor.get("/event-imports/new")
        assert "not a leader, coordinator or admin of any network" in page.text
        response = await preview(visitor, network, GOOD)
        assert response.status_code == 422
        assert "Only the network&#39;s admins, leaders and coordinators" in response.text
        assert await network_events(stack, network) == []


class TestPreviewAndImport:
    async def test_preview_shows_each_line_and_creates_nothing(self, stack, network, visitor):
        await visitor.login("leader@web.test")
        response = await preview(visitor, network, GOOD)
        assert response.status_code == 200, response.text
        html = response.text
        for line in (2, 3, 4):
            assert re.search(
                rf'<tr id="line_{line}">\s*<th scope="row">{line}</th>\s*<td>OK</td>', html)
        assert "Tue 4 Mar 2031, 3:30 PM PST" in html and "Tue 18 Mar 2031, 3:30 PM PDT" in html
        assert re.search(r'<button type="submit" id="create_all">Create 2 events</button>', html)
        assert 'name="skip_invalid"' not in html
        assert await network_events(stack, network) == []

    async def test_errors_disable_create_until_the_user_chooses_to_skip(self, stack, network,
                                                                        visitor):
        await visitor.login("leader@web.test")
        html = (await preview(visitor, network, GOOD + BAD)).text
        row = re.search(r'<tr id="line_5" class="line-error">.*?</tr>', html, re.S)
        assert row and "end_time must be after start_time" in row.group(0)
        assert re.search(r'id="create_all" disabled', html)
        assert "Skip 1 event with errors, create 2" in html
        fields = hidden_fields(html)
        response = await visitor.post("/event-imports", {**fields, "skip_invalid": "true"})
        assert response.status_code == 303, response.text
        done = await finished_page(visitor, response.headers["location"])
        assert re.search(r'<th scope="row">5</th><td>[^<]*end_time must be after', done)
        assert {e["title"] for e in await network_events(stack, network)} == {
            "Fraction strips", "Claims and evidence"}

    async def test_without_javascript_import_then_a_self_refreshing_page_with_links(
            self, stack, network, visitor):
        await visitor.login("leader@web.test")
        fields = hidden_fields((await preview(visitor, network, GOOD, "published")).text)
        response = await visitor.post("/event-imports", fields)
        assert response.status_code == 303, response.text
        location = response.headers["location"]
        assert re.fullmatch(r"/event-imports/\w+", location)
        html = await finished_page(visitor, location)
        assert re.search(r'<progress id="import_bar" value="2" max="2"', html)
        assert re.search(r'id="count_sessions">3<', html)
        assert 'http-equiv="refresh"' not in html and "hx-trigger" not in html
        events = {e["title"]: e for e in await network_events(stack, network)}
        assert {e["status"] for e in events.values()} == {"published"}
        for title, event in events.items():
            assert f'<a href="/events/{event["id"]}">{title}</a>' in html
        # The same form sent again (a double click) imports nothing more.
        again = await visitor.post("/event-imports", fields)
        assert again.headers["location"] == location
        assert len(await network_events(stack, network)) == 2

    async def test_htmx_posts_get_hx_location_and_polls_get_the_progress_block(
            self, stack, network, visitor):
        await visitor.login("leader@web.test")
        fields = hidden_fields((await preview(visitor, network, GOOD)).text)
        response = await visitor.post("/event-imports", fields, headers=HTMX)
        assert response.status_code == 200
        location = response.headers["HX-Location"]
        poll = {**HTMX, "HX-Target": "import_progress"}

        async def done():
            block = await visitor.get(location, headers=poll)
            assert block.text.lstrip().startswith('<section id="import_progress"')
            assert "<html" not in block.text
            return block.text if "Done" in block.text else None

        block = await eventually(done)
        assert "Every event in the file was created." in block
        assert "hx-trigger" not in block

    async def test_another_networks_import_page_is_not_found(self, stack, network, visitor,
                                                             another_visitor):
        await visitor.login("leader@web.test")
        fields = hidden_fields((await preview(visitor, network, GOOD)).text)
        location = (await visitor.post("/event-imports", fields)).headers["location"]
        await another_visitor.login("teacher1@web.test")
        assert (await another_visitor.get(location)).status_code == 404
