"""The roster pages over the real suite: the roster of a session for the network's staff, its
forms (give a seat, move, cancel) without JavaScript and with htmx, the printable sign-in sheet
and its PDF, and who is kept out."""

import io
import re

import pypdf

from tests.web.conftest import (
    ADMIN,
    api_post,
    bearer,
    person_with_account,
    seed_event,
    under_way,
)

HTMX = {"HX-Request": "true"}
API = "/api/scheduling/v1"


async def sign_up(stack, session_id: str, email: str) -> dict:
    return await api_post(stack, f"{API}/sessions/{session_id}/registrations",
                          await stack.token(email, "teacher-password"))


async def second_session(stack, event: dict, *, capacity: int = 5) -> dict:
    first = event["sessions"][0]
    return await api_post(stack, f"{API}/events/{event['id']}/sessions",
                          await stack.token(*ADMIN),
                          json={"title": "Session II", "starts_at": first["starts_at"],
                                "ends_at": first["ends_at"], "capacity": capacity})


async def outside_leader(stack) -> None:
    """leader@other.test, a leader of another network."""
    root = await stack.token(*ADMIN)
    other = await api_post(stack, "/api/identity/v1/organizations", root,
                           json={"name": "Valley Network", "kind": "network"})
    person = await person_with_account(stack, root, "leader@other.test", "Olga Other")
    await api_post(stack, f"/api/identity/v1/organizations/{other['id']}/members", root,
                   json={"person_id": person["id"], "role": "leader"})


def form_key(html: str, form_id: str) -> str:
    form = re.search(rf'<form id="{form_id}".*?</form>', html, re.S).group(0)
    return re.search(r'name="idempotency_key" value="([^"]+)"', form).group(1)


async def session_state(stack, session_id: str) -> dict:
    response = await stack.client.get(f"{API}/sessions/{session_id}",
                                      headers=bearer(await stack.token(*ADMIN)))
    return response.json()


class TestRosterPage:
    async def test_the_leader_sees_confirmed_the_waitlist_in_order_and_who_is_present(
            self, stack, network, visitor):
        event = await seed_event(stack, network, capacity=1, starts=under_way())
        session_id = event["sessions"][0]["id"]
        for n in range(3):
            await sign_up(stack, session_id, f"teacher{n}@web.test")
        for present in (network.teachers[0], network.admin):  # the admin walked in
            await api_post(stack, f"{API}/sessions/{session_id}/attendance",
                           await stack.token(*ADMIN), json={"person_id": present["id"]})
        await visitor.login("leader@web.test")

        page = await visitor.get(f"/sessions/{session_id}/roster")

        assert page.status_code == 200
        html = page.text
        confirmed = re.search(r"<caption>Confirmed \(1\)</caption>.*?</table>", html, re.S).group(0)
        waitlist = re.search(r"<caption>Waitlist, in order \(2\)</caption>.*?</table>", html,
                             re.S).group(0)
        present = re.search(r"<caption>Present \(1\)</caption>.*?</table>", html, re.S).group(0)
        assert "Teacher 0" in confirmed
        assert waitlist.index("Teacher 1") < waitlist.index("Teacher 2")
        assert "Teacher 0" in present and "Teacher 1" not in present
        assert "And 1 more present without a registration" in html
        assert "2 present." in html
        assert f'action="/sessions/{session_id}/roster/add"' in html
        assert f'href="/sessions/{session_id}/cancel"' in html

    async def test_the_event_and_check_in_pages_link_to_it_for_staff_only(
            self, stack, network, visitor, another_visitor):
        event = await seed_event(stack, network)
        session_id = event["sessions"][0]["id"]
        link = f'href="/sessions/{session_id}/roster"'
        await visitor.login("leader@web.test")
        assert link in (await visitor.get(f"/events/{event['id']}")).text
        assert link in (await visitor.get(f"/sessions/{session_id}/check-in")).text
        await another_visitor.login("teacher0@web.test")
        assert link not in (await another_visitor.get(f"/events/{event['id']}")).text

    async def test_participants_and_other_networks_leaders_are_kept_out(
            self, stack, network, visitor, another_visitor):
        event = await seed_event(stack, network)
        session_id = event["sessions"][0]["id"]
        await outside_leader(stack)
        await visitor.login("teacher0@web.test")
        await another_visitor.login("leader@other.test")
        for path in (f"/sessions/{session_id}/roster", f"/sessions/{session_id}/roster/print",
                     f"/sessions/{session_id}/roster.pdf", f"/sessions/{session_id}/cancel"):
            assert (await visitor.get(path)).status_code == 403, path
            assert (await another_visitor.get(path)).status_code == 403, path
        refused = await another_visitor.post(f"/sessions/{session_id}/cancel", {})
        assert refused.status_code == 403
        assert (await session_state(stack, session_id))["status"] == "scheduled"
        # A draft's sessions do not exist for outsiders.
        root = await stack.token(*ADMIN)
        await stack.client.patch(f"{API}/events/{event['id']}", json={"status": "draft"},
                                 headers=bearer(root))
        assert (await another_visitor.get(f"/sessions/{session_id}/roster")).status_code == 404


class TestGiveASeat:
    async def test_without_javascript_a_seat_by_email_beyond_capacity_is_given_and_logged(
            self, stack, network, visitor):
        event = await seed_event(stack, network, capacity=1)
        session_id = event["sessions"][0]["id"]
        await sign_up(stack, session_id, "teacher0@web.test")
        await visitor.login("leader@web.test")
        page = await visitor.get(f"/sessions/{session_id}/roster")

        response = await visitor.post(f"/sessions/{session_id}/roster/add", {
            "person": "teacher1@web.test", "reason": "Mentor teacher",
            "idempotency_key": form_key(page.text, "force_form")})

        assert response.status_code == 303
        assert response.headers["location"].startswith(f"/sessions/{session_id}/roster")
        after = (await visitor.get(f"/sessions/{session_id}/roster")).text
        confirmed = re.search(r"<caption>Confirmed \(2\)</caption>.*?</table>", after,
                              re.S).group(0)
        assert "Teacher 1" in confirmed
        assert "Seat given to Teacher 1 (capacity 1 → 2)" in after
        assert "Mentor teacher" in after
        state = await session_state(stack, session_id)
        assert (state["capacity"], state["confirmed_count"]) == (2, 2)

    async def test_a_seat_by_cascade_id_shows_the_persons_name_and_an_unknown_id_is_refused(
            self, stack, network, visitor):
        event = await seed_event(stack, network)
        session_id = event["sessions"][0]["id"]
        await visitor.login("leader@web.test")
        await visitor.get(f"/sessions/{session_id}/roster")

        added = await visitor.post(f"/sessions/{session_id}/roster/add", {
            "person": network.teachers[2]["id"], "reason": "Coach"})
        unknown = await visitor.post(f"/sessions/{session_id}/roster/add", {
            "person": "no-such-person", "reason": "Coach"})

        assert added.status_code == 303
        roster = (await visitor.get(f"/sessions/{session_id}/roster")).text
        assert "Teacher 2" in re.search(r"<caption>Confirmed \(1\)</caption>.*?</table>",
                                        roster, re.S).group(0)
        assert unknown.status_code == 422
        assert re.search(r'<input id="person"[^>]*aria-invalid="true"', unknown.text)
        assert "No one in Cascade has this id." in unknown.text

    async def test_a_form_missing_its_reason_comes_back_422_with_the_error_beside_it(
            self, stack, network, visitor):
        event = await seed_event(stack, network)
        session_id = event["sessions"][0]["id"]
        await visitor.login("leader@web.test")
        await visitor.get(f"/sessions/{session_id}/roster")

        response = await visitor.post(f"/sessions/{session_id}/roster/add",
                                      {"person": "teacher1@web.test", "reason": " "})

        assert response.status_code == 422
        assert response.text.lstrip().startswith("<!doctype html>")
        field = re.search(r'<input id="reason"[^>]*>', response.text).group(0)
        assert 'aria-invalid="true"' in field and "reason-error" in field
        assert 'id="reason-error"' in response.text
        assert 'value="teacher1@web.test"' in response.text  # what was typed stays
        assert (await session_state(stack, session_id))["confirmed_count"] == 0

    async def test_with_htmx_an_unknown_email_swaps_only_the_form_with_the_error(
            self, stack, network, visitor):
        event = await seed_event(stack, network)
        session_id = event["sessions"][0]["id"]
        await visitor.login("leader@web.test")
        await visitor.get(f"/sessions/{session_id}/roster")

        response = await visitor.post(
            f"/sessions/{session_id}/roster/add",
            {"person": "nobody@web.test", "reason": "Walk-in"},
            headers={**HTMX, "HX-Target": "force_form"})

        assert response.status_code == 422
        assert response.text.lstrip().startswith('<form id="force_form"')
        assert "No one in Cascade has this email." in response.text
        assert re.search(r'<input id="person"[^>]*aria-invalid="true"', response.text)


class TestMove:
    async def test_without_javascript_a_move_seats_the_person_and_promotes_the_waitlist(
            self, stack, network, visitor):
        event = await seed_event(stack, network, capacity=1)
        session_id = event["sessions"][0]["id"]
        other = await second_session(stack, event)
        moving = await sign_up(stack, session_id, "teacher0@web.test")
        await sign_up(stack, session_id, "teacher1@web.test")
        await visitor.login("admin@web.test")
        page = await visitor.get(f"/sessions/{session_id}/roster")
        assert f'<option value="{other["id"]}">Session II</option>' in page.text

        response = await visitor.post(f"/sessions/{session_id}/roster/move", {
            "registration_id": moving["id"], "session_id": other["id"],
            "move_reason": "Carpool", "idempotency_key": form_key(page.text, "move_form")})

        assert response.status_code == 303
        old = (await visitor.get(f"/sessions/{session_id}/roster")).text
        confirmed = re.search(r"<caption>Confirmed \(1\)</caption>.*?</table>", old, re.S).group(0)
        assert "Teacher 1" in confirmed  # promoted from the waitlist
        assert "Moved Teacher 0 from Session I to Session II" in old
        new = (await visitor.get(f"/sessions/{other['id']}/roster")).text
        assert "Teacher 0" in re.search(r"<caption>Confirmed \(1\)</caption>.*?</table>", new,
                                        re.S).group(0)

    async def test_a_move_without_a_destination_comes_back_422(self, stack, network, visitor):
        event = await seed_event(stack, network)
        session_id = event["sessions"][0]["id"]
        moving = await sign_up(stack, session_id, "teacher0@web.test")
        await visitor.login("leader@web.test")
        await visitor.get(f"/sessions/{session_id}/roster")

        response = await visitor.post(f"/sessions/{session_id}/roster/move",
                                      {"registration_id": moving["id"], "session_id": ""})

        assert response.status_code == 422
        assert re.search(r'<select id="session_id"[^>]*aria-invalid="true"', response.text)
        assert "Choose the session they move to." in response.text


class TestCancelSession:
    async def test_cancelling_asks_first_then_cancels_everyone_and_closes_sign_up(
            self, stack, network, visitor, another_visitor):
        event = await seed_event(stack, network, capacity=1)
        session_id = event["sessions"][0]["id"]
        await sign_up(stack, session_id, "teacher0@web.test")
        await sign_up(stack, session_id, "teacher1@web.test")
        await visitor.login("leader@web.test")

        confirm = await visitor.get(f"/sessions/{session_id}/cancel")
        assert confirm.status_code == 200
        assert "1 confirmed and 1 waitlisted registrations will be cancelled" in confirm.text
        assert (await session_state(stack, session_id))["status"] == "scheduled"
        key = re.search(r'name="idempotency_key" value="([^"]+)"', confirm.text).group(1)
        response = await visitor.post(f"/sessions/{session_id}/cancel", {"idempotency_key": key})

        assert response.status_code == 303
        assert response.headers["location"] == f"/sessions/{session_id}/roster"
        roster = (await visitor.get(f"/sessions/{session_id}/roster")).text
        assert "Session cancelled. 2 registrations cancelled." in roster
        assert "This session was cancelled" in roster
        assert "roster/add" not in roster  # no more forms
        await another_visitor.login("teacher2@web.test")
        event_page = (await another_visitor.get(f"/events/{event['id']}")).text
        assert "Cancelled</strong>: this session will not take place." in event_page
        assert f"/sessions/{session_id}/register" not in event_page


class TestSignInSheet:
    async def test_the_print_page_lists_names_with_a_signature_column_and_blank_lines(
            self, stack, network, visitor):
        event = await seed_event(stack, network, capacity=3)
        session_id = event["sessions"][0]["id"]
        for n in range(2):
            await sign_up(stack, session_id, f"teacher{n}@web.test")
        await visitor.login("leader@web.test")

        page = await visitor.get(f"/sessions/{session_id}/roster/print")

        assert page.status_code == 200
        assert '<link rel="stylesheet" href="/static/print.css">' in page.text
        assert "Teacher 0" in page.text and "Teacher 1" in page.text
        assert ">Signature</th>" in page.text and ">School</th>" in page.text
        assert page.text.count('class="walk-in"') == 10
        css = await visitor.get("/static/print.css")
        assert "@media print" in css.text

    async def test_the_pdf_parses_and_holds_the_same_names(self, stack, network, visitor):
        event = await seed_event(stack, network, capacity=3)
        session_id = event["sessions"][0]["id"]
        for n in range(2):
            await sign_up(stack, session_id, f"teacher{n}@web.test")
        await visitor.login("leader@web.test")

        response = await visitor.get(f"/sessions/{session_id}/roster.pdf")

        assert response.status_code == 200
        assert response.headers["content-type"] == "application/pdf"
        reader = pypdf.PdfReader(io.BytesIO(response.content))
        text = "\n".join(page.extract_text() for page in reader.pages)
        assert "Argument writing: Session I" in text
        assert "Teacher 0" in text and "Teacher 1" in text and "Signature" in text
        assert "Teacher 2" not in text
