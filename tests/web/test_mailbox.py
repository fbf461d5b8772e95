"""The mailbox page: with no mail server configured (the embedded default) a person reads the
messages Cascade sent them here."""

import re

from tests.support.stack import eventually
from tests.web.conftest import ADMIN, seed_event


async def signed_up(stack, network, visitor, *, capacity: int = 2) -> dict:
    event = await seed_event(stack, network, capacity=capacity)
    session_id = event["sessions"][0]["id"]
    page = await visitor.get(f"/events/{event['id']}")
    key = re.search(r'name="idempotency_key" value="([^"]+)"', page.text).group(1)
    response = await visitor.post(f"/events/{event['id']}/sessions/{session_id}/register",
                                  {"idempotency_key": key})
    assert response.status_code == 303
    return event


class TestMailbox:
    async def test_a_sign_up_confirmation_appears_in_the_mailbox(self, stack, network, visitor):
        await visitor.login("teacher0@web.test")
        event = await signed_up(stack, network, visitor)

        async def delivered():
            page = await visitor.get("/mailbox")
            return page if "Delivered here" in page.text else None

        page = await eventually(delivered)
        assert page.status_code == 200
        assert '<a href="/mailbox" aria-current="page">Mailbox</a>' in page.text
        assert "You&#39;re confirmed: Argument writing: Session I" in page.text
        assert "Hello Teacher 0," in page.text
        assert f"/events/{event['id']}" in page.text
        assert re.search(r"When: \w+day, \w+ \d+, \d{4}, \d+:\d\d [AP]M P[SD]T", page.text)

    async def test_a_person_sees_only_their_own_mail(self, stack, network, visitor,
                                                     another_visitor):
        await visitor.login("teacher0@web.test")
        await signed_up(stack, network, visitor)
        await another_visitor.login("teacher1@web.test")
        page = await another_visitor.get("/mailbox")
        assert "No messages yet" in page.text and "Argument writing" not in page.text
        assert "everyone=true" not in page.text
        # Asking for everyone's mail without being a platform admin still shows only one's own.
        assert "Argument writing" not in (await another_visitor.get("/mailbox?everyone=true")).text

    async def test_a_platform_admin_reads_everyones_mail(self, stack, network,
                                                                      visitor, another_visitor):
        await visitor.login("teacher0@web.test")
        for _ in range(2):
            await signed_up(stack, network, visitor)
        await another_visitor.login(*ADMIN)

        async def two_messages():
            page = await another_visitor.get("/mailbox?everyone=true")
            return page if page.text.count("Delivered here") == 2 else None

        everyone = await eventually(two_messages)
        assert "To Teacher 0 &lt;teacher0@web.test&gt;" in everyone.text

    async def test_an_anonymous_visitor_is_sent_to_sign_in(self, stack, visitor):
        response = await visitor.get("/mailbox")
        assert response.status_code == 303 and "/login" in response.headers["location"]
