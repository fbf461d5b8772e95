"""Notifications: queued with the change that causes them, sent by the scheduling app's worker to
a real SMTP server (aiosmtpd), on SQLite and PostgreSQL."""

import asyncio
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import update

from services.identity.accounts import service as accounts
from services.identity.accounts.schemas import AccountCreate
from services.scheduling.identity import Profile
from services.scheduling.main import create_app
from services.scheduling.notifications import enqueue
from services.scheduling.notifications.identity_mail import identity_mail_consumer
from services.scheduling.notifications.models import FeedCursor
from services.scheduling.notifications.sender import queue_reminders, send_due
from services.scheduling.registrations import service as registrations
from services.scheduling.sessions import repository as sessions
from services.scheduling.settings import SchedulingSettings
from tests.scheduling.conftest import API, Scheduling, new_person, problem
from tests.support.smtp import REFUSED_DOMAIN, SmtpServer, free_port
from tests.support.stack import ROOT_LOGIN, bearer, eventually

SITE = "https://cascade.example.org"
# Thursday, January 14, 2027, 3:30 to 5:00 pm in Los Angeles (PST, UTC-8).
STARTS, ENDS = "2027-01-14T23:30:00Z", "2027-01-15T01:00:00Z"


@pytest.fixture
def smtp():
    server = SmtpServer().start()
    yield server
    server.stop()


class Apps:
    """Scheduling apps over one database, started and stopped like processes."""

    def __init__(self, database_urls, keys, directory) -> None:
        self.database_url, self.keys, self.directory = database_urls["scheduling"], keys, directory
        self.stack = AsyncExitStack()

    @asynccontextmanager
    async def running(self, *, smtp_port: int, **settings):
        fields = {"smtp_host": "127.0.0.1", "smtp_port": smtp_port, "public_url": SITE,
                  "notify_poll_interval": 0.05, "notify_retry_delay": 0.05,
                  "reminder_interval": 0.05, **settings}
        app = create_app(SchedulingSettings(database_url=self.database_url, **fields),
                         verifier=self.keys.verifier("scheduling"),
                         gateway_transport=httpx.MockTransport(self.directory.handle))
        async with app.router.lifespan_context(app):
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                         base_url="http://scheduling") as client:
                yield app, Scheduling(client, self.keys, self.directory)

    async def start(self, **settings):
        return await self.stack.enter_async_context(self.running(**settings))


@pytest.fixture
async def apps(database_urls, keys, directory):
    apps = Apps(database_urls, keys, directory)
    async with apps.stack:
        yield apps


@pytest.fixture
async def mail(apps, smtp):
    """One running scheduling app that mails through the test SMTP server."""
    _app, api = await apps.start(smtp_port=smtp.port)
    return api


async def messages(api: Scheduling, **params) -> list[dict]:
    response = await api.client.get(f"{API}/messages", params={"limit": 200, **params},
                                    headers=api.keys.headers(admin=True))
    assert response.status_code == 200, response.text
    return response.json()["items"]


async def timed_session(api: Scheduling, event_id: str, **fields) -> dict:
    return await api.session(event_id, starts_at=STARTS, ends_at=ENDS, **fields)


class TestSignUpMail:
    async def test_confirmation_arrives_with_the_session_in_the_events_time_zone(self, mail,
                                                                                  smtp):
        event = await mail.event(venue="Fresno County Office of Education")
        session = await timed_session(mail, event["id"], room="Room 4")
        me = new_person()
        await mail.register(session["id"], mail.person(me, name="Ada Teacher",
                                                       email="ada@example.org"))
        [received] = await smtp.wait_for(1)
        assert received.recipients == ["ada@example.org"]
        assert received.message["To"] == "Ada Teacher <ada@example.org>"
        assert received.subject == "You're confirmed: Argument writing: Session I"
        body = received.body
        assert "Hello Ada Teacher," in body
        assert "When: Thursday, January 14, 2027, 3:30 PM PST to 5:00 PM" in body
        assert "Where: Room 4, Fresno County Office of Education" in body
        assert f"Event page: {SITE}/events/{event['id']}" in body
        assert f"{SITE}/api/scheduling/v1/events/{event['id']}/calendar.ics" in body
        [message] = await eventually(lambda: messages(mail, status="sent"))
        assert (message["person_id"], message["delivered_via"], message["attempts"]) == (
            me, "smtp", 1)

    async def test_a_sign_up_recorded_after_the_session_ended_mails_nobody(self, mail, smtp):
        # Networks back-fill last year's workshops; nobody wants "you're confirmed" for those.
        event = await mail.event()
        past = await mail.session(event["id"], starts_at="2025-01-14T23:30:00Z",
                                  ends_at="2025-01-15T01:00:00Z")
        await mail.register(past["id"], mail.person(email="then@example.org"))
        upcoming = await timed_session(mail, event["id"])
        await mail.register(upcoming["id"], mail.person(email="soon@example.org"))
        await smtp.wait_for(1)
        await asyncio.sleep(0.3)
        assert [r.recipients for r in smtp.received] == [["soon@example.org"]]

    async def test_waitlisted_then_promoted_when_a_seat_is_cancelled(self, mail, smtp):
        event = await mail.event()
        session = await timed_session(mail, event["id"], capacity=1)
        first = await mail.register(session["id"], mail.person(email="first@example.org"))
        await mail.register(session["id"], mail.person(email="second@example.org"))
        await smtp.wait_for(2)
        [waitlisted] = smtp.to("second@example.org")
        assert waitlisted.subject == "Waitlisted: Argument writing: Session I"
        assert "waitlist at position 1" in waitlisted.body

        cancelled = await mail.client.delete(f"{API}/registrations/{first.json()['id']}",
                                             headers=mail.leader)
        assert cancelled.status_code == 200
        await smtp.wait_for(3)
        promoted = smtp.to("second@example.org")[-1]
        assert promoted.subject == "A seat opened: you're confirmed for Argument writing: Session I"
        assert "3:30 PM PST" in promoted.body
        assert len(smtp.to("first@example.org")) == 1  # cancelling one's own seat sends nothing

    async def test_raising_the_capacity_promotes_the_waitlist_with_mail(self, mail, smtp):
        event = await mail.event()
        session = await timed_session(mail, event["id"], capacity=1)
        await mail.register(session["id"], mail.person(email="a@example.org"))
        await mail.register(session["id"], mail.person(email="b@example.org"))
        response = await mail.client.patch(f"{API}/sessions/{session['id']}",
                                           json={"capacity": 2}, headers=mail.leader)
        assert response.status_code == 200 and response.json()["confirmed_count"] == 2
        await smtp.wait_for(3)
        assert [r.subject.split(":")[0] for r in smtp.to("b@example.org")] == [
            "Waitlisted", "A seat opened"]

    async def test_a_retried_sign_up_mails_once(self, mail, smtp):
        event = await mail.event()
        session = await timed_session(mail, event["id"])
        me = mail.person(email="retry@example.org")
        answers = [await mail.register(session["id"], me, key="same-key") for _ in range(3)]
        assert [a.status_code for a in answers] == [201, 201, 201]
        problem(await mail.register(session["id"], me), 409)
        await eventually(lambda: messages(mail, status="sent"))
        await asyncio.sleep(0.3)  # several more polls: nothing else may go out
        assert len(smtp.to("retry@example.org")) == 1

    async def test_signing_up_again_after_cancelling_is_confirmed_again(self, mail, smtp):
        event = await mail.event()
        session = await timed_session(mail, event["id"])
        me = mail.person(email="again@example.org")
        first = await mail.register(session["id"], me)
        await mail.client.delete(f"{API}/registrations/{first.json()['id']}", headers=me)
        await mail.register(session["id"], me)
        await smtp.wait_for(2)
        assert [r.subject.split(":")[0] for r in smtp.to("again@example.org")] == [
            "You're confirmed", "You're confirmed"]

    async def test_a_person_without_email_is_skipped_and_the_queue_says_so(self, mail, smtp,
                                                                         directory):
        event = await mail.event()
        session = await timed_session(mail, event["id"])
        nameless = new_person()
        directory.people[nameless] = {"id": nameless, "full_name": "Paper Only"}
        response = await mail.register(session["id"], mail.leader, person_id=nameless)
        assert response.status_code == 201
        await mail.register(session["id"], mail.person(email="has@example.org"))
        await smtp.wait_for(1)
        [skipped] = await messages(mail, status="skipped")
        assert (skipped["person_id"], skipped["email"], skipped["last_error"]) == (
            nameless, "", "no email address on record")
        assert [r.recipients for r in smtp.received] == [["has@example.org"]]

    async def test_a_rolled_back_sign_up_mails_nobody(self, apps, smtp):
        app, api = await apps.start(smtp_port=smtp.port)
        event = await api.event()
        session = await timed_session(api, event["id"])
        async with app.state.sessions() as db:
            seat = await sessions.get(db, session["id"])
            await registrations.register(db, session=seat, person_id=new_person(),
                                         profile=Profile("Rolled Back", "gone@example.org"))
            await db.rollback()
        await api.register(session["id"], api.person(email="kept@example.org"))
        await smtp.wait_for(1)
        await asyncio.sleep(0.3)
        assert [r.recipients for r in smtp.received] == [["kept@example.org"]]
        assert [m["email"] for m in await messages(api)] == ["kept@example.org"]


class TestEventCancelled:
    async def test_everyone_registered_is_told_once_and_cancelled_seats_are_not(self, mail,
                                                                                smtp):
        event = await mail.event()
        session = await timed_session(mail, event["id"], capacity=1)
        await mail.register(session["id"], mail.person(email="seat@example.org"))
        await mail.register(session["id"], mail.person(email="line@example.org"))
        gone = mail.person(email="gone@example.org")
        left = await mail.register(session["id"], gone)
        await mail.client.delete(f"{API}/registrations/{left.json()['id']}", headers=gone)
        await smtp.wait_for(3)

        for change in ({"status": "cancelled"}, {"title": "Argument writing (cancelled)"}):
            response = await mail.client.patch(f"{API}/events/{event['id']}", json=change,
                                               headers=mail.leader)
            assert response.status_code == 200, response.text
        await smtp.wait_for(5)
        await asyncio.sleep(0.3)
        told = {r.recipients[0]: r for r in smtp.received if r.subject.startswith("Cancelled")}
        assert sorted(told) == ["line@example.org", "seat@example.org"]
        assert "has cancelled this event" in told["seat@example.org"].body
        assert "3:30 PM PST" in told["seat@example.org"].body
        assert len(smtp.received) == 5

    async def test_only_the_networks_staff_cancel_an_event(self, mail, smtp):
        event = await mail.event()
        session = await timed_session(mail, event["id"])
        await mail.register(session["id"], mail.person(email="seat@example.org"))
        outsider = mail.person(roles={"another-network": ["leader"]})
        response = await mail.client.patch(f"{API}/events/{event['id']}",
                                           json={"status": "cancelled"}, headers=outsider)
        assert problem(response, 403)["code"] == "forbidden"
        await smtp.wait_for(1)
        await asyncio.sleep(0.3)
        assert [r.subject.split(":")[0] for r in smtp.received] == ["You're confirmed"]


class TestSessionCancelled:
    async def test_the_people_of_that_session_are_told_once_and_the_other_session_is_not(
            self, mail, smtp):
        event = await mail.event()
        first = await timed_session(mail, event["id"], capacity=1, title="Session I")
        second = await mail.session(event["id"], title="Session II", capacity=5,
                                    starts_at="2027-01-28T23:30:00Z",
                                    ends_at="2027-01-29T01:00:00Z")
        await mail.register(first["id"], mail.person(email="seat@example.org"))
        await mail.register(first["id"], mail.person(email="line@example.org"))
        await mail.register(second["id"], mail.person(email="other@example.org"))
        await smtp.wait_for(3)

        for _ in range(2):  # cancelling again tells nobody again
            response = await mail.client.post(f"{API}/sessions/{first['id']}/cancel",
                                              headers=mail.leader)
            assert response.status_code == 200, response.text
        await smtp.wait_for(5)
        await asyncio.sleep(0.3)
        told = {r.recipients[0]: r for r in smtp.received if r.subject.startswith("Cancelled")}
        assert sorted(told) == ["line@example.org", "seat@example.org"]
        assert told["seat@example.org"].subject == (
            "Cancelled: Argument writing: Session I on Thursday, January 14, 2027, 3:30 PM PST")
        assert "other sessions go ahead" in told["line@example.org"].body
        assert len(smtp.received) == 5


class TestPollInvitation:
    async def test_each_invitee_is_mailed_their_own_working_link_and_a_renewed_one(self, mail,
                                                                                   smtp):
        event = await mail.event()
        body = {"title": "Session II", "invitees": [
                    {"name": "Ana Ruiz", "email": "ana@school.org"},
                    {"name": "Ben Cho", "email": "ben@school.org"}],
                "times": [{"date": "2027-01-14", "start_time": "15:30", "end_time": "17:00"}]}
        created = await mail.client.post(f"{API}/events/{event['id']}/polls", json=body,
                                         headers=mail.leader)
        assert created.status_code == 201, created.text
        poll = created.json()
        await smtp.wait_for(2)
        invitations = {r.recipients[0]: r for r in smtp.received}
        assert sorted(invitations) == ["ana@school.org", "ben@school.org"]
        ana = invitations["ana@school.org"]
        assert ana.subject == "Which times work for you? Session II"
        assert "Hello Ana Ruiz," in ana.body
        assert "Thursday, January 14, 2027, 3:30 PM PST to 5:00 PM" in ana.body
        link = next(w for w in ana.body.split() if w.startswith(f"{SITE}/polls/answer/"))
        token = link.rsplit("/", 1)[1]
        assert token == next(i["token"] for i in poll["invitees"]
                             if i["email"] == "ana@school.org")
        assert "ben" not in ana.body.lower()  # no other invitee's name or link

        invitee_id = next(i["id"] for i in poll["invitees"] if i["email"] == "ana@school.org")
        renewed = await mail.client.post(f"{API}/polls/{poll['id']}/invitees/{invitee_id}/link",
                                         headers=mail.leader)
        assert renewed.status_code in (200, 201), renewed.text
        await smtp.wait_for(3)
        again = smtp.received[2]
        assert again.recipients == ["ana@school.org"] and token not in again.body
        new_token = renewed.json()["token"]
        assert f"{SITE}/polls/answer/{new_token}" in again.body
        for old, status in ((token, 404), (new_token, 200)):
            opened = await mail.client.get(f"{API}/poll-invitation",
                                           headers={"Poll-Token": old})
            assert opened.status_code == status


class TestDelivery:
    async def test_messages_queued_while_smtp_is_down_are_sent_after_a_restart(self, apps):
        port = free_port()  # nothing listens here yet: the mail server is down
        async with apps.running(smtp_port=port, notify_retry_delay=0.01) as (_app, api):
            event = await api.event()
            session = await timed_session(api, event["id"])
            await api.register(session["id"], api.person(email="patient@example.org"))
            waiting = await eventually(lambda: _failed_attempt(api))
            assert waiting["status"] in ("queued", "sending")
        server = SmtpServer(port).start()  # the server comes back; so does the app
        try:
            _app, api = await apps.start(smtp_port=port)
            [received] = await server.wait_for(1)
            assert received.recipients == ["patient@example.org"]
            [sent] = await eventually(lambda: messages(api, status="sent"))
            assert sent["id"] == waiting["id"] and sent["attempts"] >= 2
        finally:
            server.stop()

    async def test_failures_are_retried_then_given_up_with_the_error_kept(self, apps):
        _app, api = await apps.start(smtp_port=free_port(), notify_max_attempts=3,
                                     notify_retry_delay=0.01)
        event = await api.event()
        session = await timed_session(api, event["id"])
        await api.register(session["id"], api.person(email="never@example.org"))
        [failed] = await eventually(lambda: messages(api, status="failed"))
        assert failed["attempts"] == 3 and failed["last_error"]

    async def test_a_refused_mailbox_fails_at_once(self, mail, smtp):
        event = await mail.event()
        session = await timed_session(mail, event["id"])
        await mail.register(session["id"], mail.person(email=f"nobody@{REFUSED_DOMAIN}"))
        [failed] = await eventually(lambda: messages(mail, status="failed"))
        assert failed["attempts"] == 1 and "No such mailbox" in failed["last_error"]
        assert smtp.received == []

    async def test_two_senders_at_once_send_each_message_once(self, apps, smtp):
        first, _ = await apps.start(smtp_port=smtp.port, send_notifications=False,
                                    notify_batch_size=3)
        second, _ = await apps.start(smtp_port=smtp.port, send_notifications=False,
                                     notify_batch_size=3)
        async with first.state.sessions() as db:
            for n in range(24):
                await enqueue(db, kind="test", person_id=None, email=f"p{n}@example.org",
                              name="", subject=f"Message {n}", body="Hello",
                              dedupe_key=f"test:{n}")
            await db.commit()
        claimed = []
        while True:
            batch = await asyncio.gather(send_due(first), send_due(second), send_due(first),
                                         send_due(second))
            claimed.append(batch)
            if not any(batch):
                break
        subjects = sorted(r.subject for r in smtp.received)
        assert subjects == sorted(f"Message {n}" for n in range(24))
        assert sum(sum(batch) for batch in claimed) == 24
        assert sum(batch[0] + batch[2] for batch in claimed) > 0  # both senders took a share
        assert sum(batch[1] + batch[3] for batch in claimed) > 0

    async def test_enqueue_with_a_used_dedupe_key_queues_nothing(self, apps, smtp):
        app, _ = await apps.start(smtp_port=smtp.port, send_notifications=False)
        async with app.state.sessions() as db:
            fields = {"kind": "test", "person_id": None, "email": "x@example.org", "name": "",
                      "subject": "Once", "body": "Hello", "dedupe_key": "test:once"}
            assert await enqueue(db, **fields) is True
            assert await enqueue(db, **fields) is False
            await db.commit()
        assert await send_due(app) == 1 and await send_due(app) == 0
        assert [r.subject for r in smtp.received] == ["Once"]


async def _failed_attempt(api: Scheduling) -> dict | None:
    """A message that has been tried and failed at least once."""
    found = [m for m in await messages(api) if m["attempts"] and m["last_error"]]
    return found[0] if found else None


class TestReminders:
    async def test_a_reminder_goes_once_for_sessions_within_a_day_even_after_a_restart(
            self, apps, smtp):
        soon = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=3)
        later = soon + timedelta(hours=27)
        async with apps.running(smtp_port=smtp.port) as (_app, api):
            event = await api.event(timezone="America/New_York")
            near = await api.session(event["id"], title="Soon", starts_at=soon.isoformat(),
                                     ends_at=(soon + timedelta(hours=1)).isoformat())
            far = await api.session(event["id"], title="Later", starts_at=later.isoformat(),
                                    ends_at=(later + timedelta(hours=1)).isoformat())
            me = api.person(email="remind@example.org")
            for session in (near, far):
                await api.register(session["id"], me)
            await smtp.wait_for(3)  # two confirmations and one reminder
            await asyncio.sleep(0.3)
        _app, api = await apps.start(smtp_port=smtp.port)  # a restart scans again
        await asyncio.sleep(0.5)
        reminders = [r for r in smtp.received if r.subject.startswith("Reminder")]
        [reminder] = reminders
        assert reminder.recipients == ["remind@example.org"]
        assert "Session: Soon" in reminder.body
        local = soon.astimezone(ZoneInfo("America/New_York"))
        assert f"{local.hour % 12 or 12}:{local:%M}" in reminder.subject
        assert len(smtp.received) == 3

    async def test_cancelled_and_waitlisted_seats_get_no_reminder(self, apps, smtp):
        app, api = await apps.start(smtp_port=smtp.port, reminder_interval=3600)
        event = await api.event()
        session = await timed_session(api, event["id"], capacity=1)
        seat = api.person(email="seat@example.org")
        taken = await api.register(session["id"], seat)
        await api.register(session["id"], api.person(email="line@example.org"))
        await api.register(session["id"], api.person(email="queue@example.org"))
        await api.client.delete(f"{API}/registrations/{taken.json()['id']}", headers=seat)
        await smtp.wait_for(4)  # confirmation, two waitlisted, then promotion of the first
        soon = datetime.now(UTC) + timedelta(hours=2)  # moved to today: reminders are due
        moved = await api.client.patch(
            f"{API}/sessions/{session['id']}", headers=api.leader,
            json={"starts_at": soon.isoformat(),
                  "ends_at": (soon + timedelta(hours=1)).isoformat()})
        assert moved.status_code == 200, moved.text
        await queue_reminders(app)
        assert await queue_reminders(app) == 0  # a second scan finds nothing new
        await smtp.wait_for(5)
        await asyncio.sleep(0.3)
        reminders = [r.recipients for r in smtp.received if r.subject.startswith("Reminder")]
        assert reminders == [["line@example.org"]]


class TestMailbox:
    async def test_a_person_reads_their_own_messages_newest_first_a_page_at_a_time(self, mail):
        event = await mail.event()
        first = await timed_session(mail, event["id"], title="One")
        second = await timed_session(mail, event["id"], title="Two")
        me_id = new_person()
        me = mail.person(me_id, email="me@example.org")
        for session in (first, second):
            await mail.register(session["id"], me)
        await mail.register(first["id"], mail.person(email="other@example.org"))
        page = await mail.client.get(f"{API}/me/messages", params={"limit": 1}, headers=me)
        assert page.status_code == 200
        [newest] = page.json()["items"]
        assert newest["subject"] == "You're confirmed: Argument writing: Two"
        rest = await mail.client.get(f"{API}/me/messages",
                                     params={"limit": 5, "cursor": page.json()["next_cursor"]},
                                     headers=me)
        assert [m["subject"] for m in rest.json()["items"]] == [
            "You're confirmed: Argument writing: One"]
        assert rest.json()["next_cursor"] is None

    async def test_everyones_messages_are_for_platform_admins_only(self, mail):
        response = await mail.client.get(f"{API}/messages", headers=mail.leader)
        assert problem(response, 403)["code"] == "forbidden"
        assert (await mail.client.get(f"{API}/me/messages")).status_code == 401

    async def test_without_smtp_messages_are_delivered_to_the_local_mailbox(self, apps):
        _app, api = await apps.start(smtp_port=0, smtp_host="")
        event = await api.event()
        session = await timed_session(api, event["id"])
        me = api.person(email="local@example.org")
        await api.register(session["id"], me)

        async def delivered():
            items = (await api.client.get(f"{API}/me/messages", headers=me)).json()["items"]
            return items if items and items[0]["status"] == "sent" else None

        [message] = await eventually(delivered)
        assert message["delivered_via"] == "mailbox"
        assert "3:30 PM PST" in message["body"]


class TestMailboxShowsMailOnlyToItsOwner:
    """Hole 3 as found: /me/messages listed every message sent to the token's email address,
    whoever's token it was (with hole 1, an impostor read poll links and sign-up links)."""

    async def _queue(self, app, **fields) -> None:
        async with app.state.sessions() as db:
            await enqueue(db, kind="poll_invitation", name="Ana", subject="Your private link",
                          body="https://cascade.example.org/polls/answer/secret",
                          dedupe_key=f"test:{new_person()}", **fields)
            await db.commit()

    async def test_mail_to_an_address_shows_only_to_a_verified_owner(self, apps):
        app, api = await apps.start(smtp_port=0, smtp_host="")
        await self._queue(app, person_id=None, email="Ana@example.org")
        ana = new_person()

        async def subjects(**claims) -> list[str]:
            response = await api.client.get(f"{API}/me/messages", headers=api.person(
                ana, email="ana@example.org", **claims))
            assert response.status_code == 200, response.text
            return [m["subject"] for m in response.json()["items"]]

        assert await subjects() == []  # a token that only names the address
        assert await subjects(email_verified=False) == []
        assert await subjects(email_verified=True) == ["Your private link"]

    async def test_another_persons_mail_never_shows_whatever_the_address(self, apps):
        app, api = await apps.start(smtp_port=0, smtp_host="")
        owner = new_person()
        await self._queue(app, person_id=owner, email="owner@example.org")
        response = await api.client.get(f"{API}/me/messages", headers=api.person(
            email="someone@example.org", email_verified=True))
        assert response.json()["items"] == []
        mine = await api.client.get(f"{API}/me/messages", headers=api.person(owner))
        assert [m["person_id"] for m in mine.json()["items"]] == [owner]


async def _identity_mail(stack, root: str, email: str) -> list[dict]:
    response = await stack.client.get(f"{API}/messages", params={"limit": 200},
                                      headers=bearer(root))
    assert response.status_code == 200, response.text
    return [m for m in response.json()["items"] if m["email"] == email]


class TestMailIdentityAsksFor:
    """Identity's mail.requested events, read from its feed by scheduling's consumer, through
    the real gateway and services."""

    async def test_a_sign_up_link_is_queued_and_delivered_once_even_if_read_again(self, stack):
        root = await stack.token(*ROOT_LOGIN)
        answer = await stack.client.post("/api/identity/v1/accounts", json={
            "email": "new@stack.test", "password": "long-enough-password", "full_name": "New"})
        assert answer.status_code == 202

        async def delivered():
            found = await _identity_mail(stack, root, "new@stack.test")
            return found if found and found[0]["status"] == "sent" else None

        [message] = await eventually(delivered)
        assert (message["kind"], message["person_id"], message["delivered_via"]) == (
            "account", None, "mailbox")
        assert message["subject"] == "Confirm your email for Cascade"
        assert "/verify/" in message["body"]

        # A consumer that reads the feed again from the start (a replica with a lost cursor,
        # a retry) queues nothing twice.
        app = stack.apps["scheduling"]
        async with app.state.sessions() as db:
            await db.exec(update(FeedCursor).values(position="0"))
            await db.commit()
        assert await identity_mail_consumer(app).poll_once() >= 1
        assert len(await _identity_mail(stack, root, "new@stack.test")) == 1

    async def test_mail_of_a_rolled_back_change_is_never_sent(self, stack):
        root = await stack.token(*ROOT_LOGIN)
        async with stack.apps["identity"].state.sessions() as db:
            await accounts.sign_up(db, AccountCreate(
                email="gone@stack.test", password="long-enough-password", full_name="Gone"),
                settings=stack.identity_settings)
            await db.rollback()
        await stack.client.post("/api/identity/v1/accounts", json={
            "email": "kept@stack.test", "password": "long-enough-password", "full_name": "Kept"})
        await eventually(lambda: _identity_mail(stack, root, "kept@stack.test"))
        assert await _identity_mail(stack, root, "gone@stack.test") == []
