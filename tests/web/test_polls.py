"""The poll pages: a leader creates a poll and gets each private link, invitees answer on a
public page without an account (CSRF-protected all the same), the leader reads the tally and
turns the winning time into a session."""

import re
from html import unescape

from tests.support.stack import BASE_URL
from tests.web.conftest import Visitor, seed_event

# Tuesdays 3:30-5:00 pm in Los Angeles either side of the end of daylight time (Nov 7, 2027).
FORM = {"title": "Session II", "rows": "3",
        "date_0": "2027-11-02", "start_0": "15:30", "end_0": "17:00",
        "date_1": "2027-11-09", "start_1": "15:30", "end_1": "17:00",
        "invitees": "Ana Ruiz <ana@school.org>\nBen Cho <Ben@School.org>\n"}
LINK = re.compile(rf'value="({re.escape(BASE_URL)}/polls/answer/(pl_[\w-]+))"')


async def leader_on_polls_page(stack, network, visitor) -> dict:
    event = await seed_event(stack, network)
    await visitor.login("leader@web.test")
    page = await visitor.get(f"/events/{event['id']}")
    assert f'href="/events/{event["id"]}/polls"' in page.text
    assert (await visitor.get(f"/events/{event['id']}/polls")).status_code == 200
    return event


async def created_poll(stack, network, visitor) -> tuple[dict, str, dict[str, str]]:
    """The event, the poll's page path and each invitee's link token, by name."""
    event = await leader_on_polls_page(stack, network, visitor)
    response = await visitor.post(f"/events/{event['id']}/polls", FORM)
    assert response.status_code == 200, response.text
    html = unescape(response.text)
    tokens = dict(zip(("Ana Ruiz", "Ben Cho"), (m[1] for m in LINK.findall(html)), strict=True))
    poll_path = re.search(r'href="(/polls/\w+)" role="button"', html)[1]
    return event, poll_path, tokens


async def answer(invitee: Visitor, token: str, choices: list[str]) -> tuple:
    page = await invitee.get(f"/polls/answer/{token}")
    ids = re.findall(r'name="time_(\w+)" value="yes"', page.text)
    data = {f"time_{i}": c for i, c in zip(ids, choices, strict=True)}
    key = re.search(r'name="idempotency_key" value="(\w+)"', page.text)
    # A closed poll's page has no form; a tab left open would still post the old one.
    data["idempotency_key"] = key[1] if key else "stale-form-key"
    return page, await invitee.post(f"/polls/answer/{token}", data)


class TestCreatePoll:
    async def test_the_leader_gets_every_private_link_once(self, stack, network, visitor):
        event, poll_path, tokens = await created_poll(stack, network, visitor)
        assert set(tokens) == {"Ana Ruiz", "Ben Cho"}
        assert tokens["Ana Ruiz"] != tokens["Ben Cho"]
        poll_page = await visitor.get(poll_path)
        assert poll_page.status_code == 200
        assert "ben@school.org" in poll_page.text
        assert not any(t in poll_page.text for t in tokens.values())  # shown only once
        listed = await visitor.get(f"/events/{event['id']}/polls")
        assert f'href="{poll_path}"' in listed.text and "2 invited" in listed.text

    async def test_bad_invitee_lines_come_back_422_beside_their_line(self, stack, network,
                                                                     visitor):
        event = await leader_on_polls_page(stack, network, visitor)
        bad = {**FORM, "invitees": "Ana Ruiz <ana@school.org>\nnot a person\n"
                                   "Ben <ben@school>\nAna again <ANA@school.org>\n"}
        response = await visitor.post(f"/events/{event['id']}/polls", bad)
        assert response.status_code == 422
        assert response.text.lstrip().startswith("<!doctype html>")  # a whole page, no JS needed
        html = unescape(response.text)
        assert "Line 2: “not a person” is not Name <email>." in html
        assert "Line 3: “Ben <ben@school>” is not Name <email>." in html
        assert "Line 4: ana@school.org is already on the list." in html
        assert "Line 1" not in html
        assert "Ana again &lt;ANA@school.org&gt;" in response.text  # what was typed stays
        listed = await visitor.get(f"/events/{event['id']}/polls")
        assert "No polls yet" in listed.text

    async def test_a_time_the_clocks_skip_is_refused_beside_its_row(self, stack, network,
                                                                    visitor):
        event = await leader_on_polls_page(stack, network, visitor)
        skipped = {**FORM, "date_2": "2028-03-12", "start_2": "02:30", "end_2": "03:30"}
        response = await visitor.post(f"/events/{event['id']}/polls", skipped)
        assert response.status_code == 422
        error = re.search(r'<small id="time_2-error" class="field-error">([^<]*)<', response.text)
        assert error and "02:30" in error[1] and "skip" in error[1]
        assert 'id="time_0-error"' not in response.text

    async def test_add_a_time_gives_another_row_without_javascript(self, stack, network,
                                                                   visitor):
        event = await leader_on_polls_page(stack, network, visitor)
        response = await visitor.post(f"/events/{event['id']}/polls", {**FORM, "more": "1"})
        assert response.status_code == 200
        assert 'name="date_3"' in response.text and 'value="2027-11-09"' in response.text
        assert "No polls yet" in (await visitor.get(f"/events/{event['id']}/polls")).text


class TestAnswerPage:
    async def test_an_invitee_answers_without_an_account_and_can_change_it(
            self, stack, network, visitor, another_visitor):
        _event, poll_path, tokens = await created_poll(stack, network, visitor)
        page = await another_visitor.get(f"/polls/answer/{tokens['Ana Ruiz']}")
        assert page.status_code == 200
        assert page.headers["referrer-policy"] == "no-referrer"
        assert "Hello Ana Ruiz" in page.text and "Ben" not in page.text
        # Local clock times either side of the DST change, each with its own zone name.
        assert "3:30 PM PDT" in page.text and "3:30 PM PST" in page.text
        assert 'action="/polls/answer/' in page.text and 'name="csrf_token"' in page.text

        _page, saved = await answer(another_visitor, tokens["Ana Ruiz"], ["yes", "if_need_be"])
        assert saved.status_code == 303
        again = await another_visitor.get(saved.headers["location"])
        assert "your answers are saved" in again.text
        assert len(re.findall(r'value="yes" checked', again.text)) == 1
        assert len(re.findall(r'value="if_need_be" checked', again.text)) == 1

        _page, changed = await answer(another_visitor, tokens["Ana Ruiz"], ["no", "yes"])
        assert changed.status_code == 303
        tally = (await visitor.get(poll_path)).text
        rows = re.findall(r'<tr id="option_\w+".*?</tr>', tally, re.S)
        counts = [re.findall(r'data-choice="(\w+)">(\d+)<', row) for row in rows]
        assert counts == [[("yes", "0"), ("if_need_be", "0"), ("no", "1"), ("no_answer", "1")],
                          [("yes", "1"), ("if_need_be", "0"), ("no", "0"), ("no_answer", "1")]]
        assert '<rect class="yes" x="0" y="0" height="10" width="50.0">' in rows[1]
        assert "Most can come" in rows[1] and "Most can come" not in rows[0]

    async def test_the_public_form_is_csrf_protected(self, stack, network, visitor,
                                                    another_visitor):
        _event, _poll_path, tokens = await created_poll(stack, network, visitor)
        path = f"/polls/answer/{tokens['Ben Cho']}"
        await another_visitor.get(path)
        forged = await another_visitor.client.post(path, data={"idempotency_key": "x" * 12})
        assert forged.status_code == 403
        cross_site = await another_visitor.post(path, {}, headers={"Sec-Fetch-Site": "cross-site"})
        assert cross_site.status_code == 403

    async def test_a_wrong_link_is_not_found(self, stack, network, visitor, another_visitor):
        await created_poll(stack, network, visitor)
        response = await another_visitor.get("/polls/answer/pl_" + "x" * 43)
        assert response.status_code == 404

    async def test_a_new_link_replaces_the_old(self, stack, network, visitor, another_visitor):
        _event, poll_path, tokens = await created_poll(stack, network, visitor)
        poll_page = (await visitor.get(poll_path)).text
        action = re.search(r'<tr id="invitee_\w+">\s*<th scope="row">Ana Ruiz.*?'
                           r'action="([^"]+/link)"', poll_page, re.S)[1]
        renewed = await visitor.post(action, {"idempotency_key": "renew-ana-1"})
        assert renewed.status_code == 200
        new_token = LINK.search(unescape(renewed.text))[2]
        assert new_token != tokens["Ana Ruiz"]
        assert (await another_visitor.get(f"/polls/answer/{tokens['Ana Ruiz']}")).status_code \
            == 404
        assert "Hello Ana Ruiz" in (await another_visitor.get(f"/polls/answer/{new_token}")).text


class TestPickTheWinner:
    async def test_the_winner_becomes_a_session_and_the_poll_closes(
            self, stack, network, visitor, another_visitor):
        event, poll_path, tokens = await created_poll(stack, network, visitor)
        await answer(another_visitor, tokens["Ana Ruiz"], ["no", "yes"])
        page = (await visitor.get(poll_path)).text
        second = re.findall(r'name="option_id" value="(\w+)"', page)[1]
        assert re.search(rf'value="{second}" checked', page)  # the leading time is preselected

        decided = await visitor.post(f"{poll_path}/decision",
                                     {"option_id": second, "capacity": "24",
                                      "title": "Session II", "room": "Library"})
        assert decided.status_code == 303
        assert decided.headers["location"].startswith(f"/events/{event['id']}#session_")
        event_page = (await visitor.get(decided.headers["location"].split("#")[0])).text
        assert "now a session" in event_page
        session = re.search(r'<section class="session" id="session_\w+".*?Session II.*?</section>',
                            event_page, re.S)[0]
        assert "Tue 9 Nov 2027" in session and "3:30 PM PST" in session

        closed = (await visitor.get(poll_path)).text
        assert "Decided" in closed and 'id="decision_form"' not in closed
        late, refused = await answer(another_visitor, tokens["Ben Cho"], [])
        assert "This poll is closed" in late.text and 'id="answer_form"' not in late.text
        assert refused.status_code == 409 and "no longer change" in refused.text

    async def test_a_second_tab_picking_later_is_told_the_time_was_already_picked(
            self, stack, network, visitor):
        _event, poll_path, _tokens = await created_poll(stack, network, visitor)
        page = (await visitor.get(poll_path)).text
        first = re.findall(r'name="option_id" value="(\w+)"', page)[0]
        form = {"option_id": first, "capacity": "20", "title": "Session II"}
        assert (await visitor.post(f"{poll_path}/decision", form)).status_code == 303
        stale = await visitor.post(f"{poll_path}/decision", form)  # a fresh key: a new request
        assert stale.status_code == 409
        assert "already picked" in stale.text and 'id="decision_form"' not in stale.text

    async def test_a_missing_capacity_is_422_beside_its_field(self, stack, network, visitor):
        _event, poll_path, _tokens = await created_poll(stack, network, visitor)
        page = (await visitor.get(poll_path)).text
        first = re.findall(r'name="option_id" value="(\w+)"', page)[0]
        response = await visitor.post(f"{poll_path}/decision",
                                      {"option_id": first, "capacity": "", "title": "S"})
        assert response.status_code == 422
        assert 'id="capacity-error"' in response.text
        assert 'id="decision_form"' in (await visitor.get(poll_path)).text

    async def test_a_teacher_cannot_open_the_poll(self, stack, network, visitor,
                                                  another_visitor):
        _event, poll_path, _tokens = await created_poll(stack, network, visitor)
        await another_visitor.login("teacher0@web.test")
        assert (await another_visitor.get(poll_path)).status_code == 404
