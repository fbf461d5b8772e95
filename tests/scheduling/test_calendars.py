"""Calendars: an event's .ics and each person's private feed, read back with the icalendar
library."""

import asyncio
from datetime import UTC, datetime, time, timedelta

import httpx
import icalendar
import pytest

from services.scheduling.events import calendar
from services.scheduling.main import create_app
from services.scheduling.settings import SchedulingSettings
from tests.scheduling.conftest import API, new_person, problem

ZONE = "America/Los_Angeles"
# 15:30 in Los Angeles on a Thursday before and one after the change of Sunday 1 November 2026.
BEFORE = {"starts_at": "2026-10-29T22:30:00Z", "ends_at": "2026-10-30T00:00:00Z"}
AFTER = {"starts_at": "2026-11-05T23:30:00Z", "ends_at": "2026-11-06T01:00:00Z"}


@pytest.fixture
async def app(database_urls, keys, directory):
    # The suite's default settings have no secret, which turns personal feeds off.
    settings = SchedulingSettings(database_url=database_urls["scheduling"],
                                  calendar_secret="calendar-test-secret")
    app = create_app(settings, verifier=keys.verifier("scheduling"),
                     gateway_transport=httpx.MockTransport(directory.handle))
    async with app.router.lifespan_context(app):
        yield app


def parse(response: httpx.Response) -> icalendar.Calendar:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    raw = response.content
    assert raw.endswith(b"\r\n") and b"\n" not in raw.replace(b"\r\n", b"")
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))
    return icalendar.Calendar.from_ical(raw)


def local_start(vevent) -> datetime:
    return vevent["DTSTART"].dt


async def feed_of(client: httpx.AsyncClient, headers: dict) -> tuple[str, icalendar.Calendar]:
    link = await client.get(f"{API}/me/calendar", headers=headers)
    assert link.status_code == 200, link.text
    url = link.json()["url"]
    return url, parse(await client.get(url))  # no Authorization: a calendar app sends none


def only_entry(feed: icalendar.Calendar):
    [vevent] = feed.walk("VEVENT")
    return vevent


class TestEventCalendar:
    async def test_sessions_either_side_of_the_autumn_change_stay_at_1530_local(self, api, client):
        event = await api.event(title="Number talks", venue="County Office")
        before = await api.session(event["id"], title="Before", **BEFORE)
        after = await api.session(event["id"], title="After", room="Room 4", **AFTER)

        feed = parse(await client.get(f"{API}/events/{event['id']}/calendar.ics"))

        entries = {str(v["UID"]): v for v in feed.walk("VEVENT")}
        first = entries[f"{before['id']}@cascade-scheduling"]
        second = entries[f"{after['id']}@cascade-scheduling"]
        for vevent in (first, second):
            assert vevent["DTSTART"].params["TZID"] == ZONE
            assert local_start(vevent).time() == time(15, 30)
            assert vevent["STATUS"] == "CONFIRMED" and int(vevent["SEQUENCE"]) > 0
            assert vevent["DTSTAMP"].dt.tzinfo is not None
        assert local_start(first).astimezone(UTC) == datetime(2026, 10, 29, 22, 30, tzinfo=UTC)
        assert local_start(second).astimezone(UTC) == datetime(2026, 11, 5, 23, 30, tzinfo=UTC)
        assert str(second["LOCATION"]) == "County Office, Room 4"

        [vtimezone] = feed.walk("VTIMEZONE")
        assert vtimezone["TZID"] == ZONE
        assert vtimezone.walk("STANDARD") and vtimezone.walk("DAYLIGHT")
        # The offsets come from the document's own VTIMEZONE, not from the reader's tz database.
        zone = vtimezone.to_tz()
        assert datetime(2026, 10, 29, 15, 30, tzinfo=zone).utcoffset() == timedelta(hours=-7)
        assert datetime(2026, 11, 5, 15, 30, tzinfo=zone).utcoffset() == timedelta(hours=-8)

    async def test_uids_stay_and_a_cancelled_event_cancels_its_entries(self, api, client):
        event = await api.event()
        await api.session(event["id"], **BEFORE)
        url = f"{API}/events/{event['id']}/calendar.ics"
        was = only_entry(parse(await client.get(url)))
        await asyncio.sleep(1.1)  # SEQUENCE counts whole seconds
        await client.patch(f"{API}/events/{event['id']}", json={"status": "cancelled"},
                           headers=api.leader)

        now = only_entry(parse(await client.get(url, headers=api.leader)))

        assert now["UID"] == was["UID"] and now["STATUS"] == "CANCELLED"
        assert int(now["SEQUENCE"]) > int(was["SEQUENCE"])


class TestPersonalFeed:
    async def test_the_url_from_me_calendar_works_without_a_bearer_token(self, api, client):
        event = await api.event(title="Argument writing")
        session = await api.session(event["id"], title="Session I", **AFTER)
        me = api.person()
        registration = (await api.register(session["id"], me)).json()

        url, feed = await feed_of(client, me)

        assert url.startswith(f"{API}/calendars/") and "token=" in url
        vevent = only_entry(feed)
        assert str(vevent["UID"]) == f"registration-{registration['id']}@cascade-scheduling"
        assert vevent["STATUS"] == "CONFIRMED"
        assert str(vevent["SUMMARY"]) == "Argument writing: Session I"
        assert vevent["DTSTART"].params["TZID"] == ZONE
        assert local_start(vevent).time() == time(15, 30)
        assert [str(v["TZID"]) for v in feed.walk("VTIMEZONE")] == [ZONE]

    async def test_entries_follow_the_registration_from_waitlist_to_seat_to_cancel(self, api,
                                                                                   client):
        event = await api.event()
        session = await api.session(event["id"], capacity=1, **BEFORE)
        holder, me = api.person(), api.person()
        held = (await api.register(session["id"], holder)).json()
        mine = (await api.register(session["id"], me)).json()
        assert mine["status"] == "waitlisted"

        url, feed = await feed_of(client, me)
        waiting = only_entry(feed)
        assert waiting["STATUS"] == "TENTATIVE"
        assert "number 1 in line" in str(waiting["DESCRIPTION"])

        await asyncio.sleep(1.1)  # SEQUENCE counts whole seconds
        await client.delete(f"{API}/registrations/{held['id']}", headers=holder)
        seated = only_entry(parse(await client.get(url)))
        assert seated["UID"] == waiting["UID"] and seated["STATUS"] == "CONFIRMED"
        assert int(seated["SEQUENCE"]) > int(waiting["SEQUENCE"])

        await asyncio.sleep(1.1)
        await client.delete(f"{API}/registrations/{mine['id']}", headers=me)
        gone = only_entry(parse(await client.get(url)))
        assert gone["UID"] == waiting["UID"] and gone["STATUS"] == "CANCELLED"
        assert int(gone["SEQUENCE"]) > int(seated["SEQUENCE"])

    async def test_a_cancelled_event_shows_as_cancelled(self, api, client):
        event = await api.event()
        session = await api.session(event["id"], **BEFORE)
        me = api.person()
        await api.register(session["id"], me)
        await client.patch(f"{API}/events/{event['id']}", json={"status": "cancelled"},
                           headers=api.leader)

        _url, feed = await feed_of(client, me)

        assert only_entry(feed)["STATUS"] == "CANCELLED"

    async def test_a_cancelled_session_shows_as_cancelled_in_both_calendars(self, api, client):
        event = await api.event()
        session = await api.session(event["id"], **BEFORE)
        other = await api.session(event["id"], title="Session II", **AFTER)
        me = api.person()
        await api.register(session["id"], me)
        _url, was = await feed_of(client, me)
        await asyncio.sleep(1.1)  # SEQUENCE counts whole seconds

        await client.post(f"{API}/sessions/{session['id']}/cancel", headers=api.leader)

        _url, feed = await feed_of(client, me)
        mine = only_entry(feed)
        assert mine["STATUS"] == "CANCELLED" and mine["UID"] == only_entry(was)["UID"]
        assert "This session was cancelled." in str(mine["DESCRIPTION"])
        assert int(mine["SEQUENCE"]) > int(only_entry(was)["SEQUENCE"])
        public = parse(await client.get(f"{API}/events/{event['id']}/calendar.ics"))
        status = {str(v["UID"]): str(v["STATUS"]) for v in public.walk("VEVENT")}
        assert status == {f"{session['id']}@cascade-scheduling": "CANCELLED",
                          f"{other['id']}@cascade-scheduling": "CONFIRMED"}

    async def test_a_wrong_token_is_a_404_like_an_unknown_person(self, api, client, keys):
        me, other = new_person(), new_person()
        url, _feed = await feed_of(client, api.person(me))
        token = url.split("token=")[1]
        answers = [
            await client.get(f"{API}/calendars/{me}.ics", params={"token": "0" * 64}),
            await client.get(f"{API}/calendars/{me}.ics"),
            await client.get(f"{API}/calendars/{other}.ics", params={"token": token}),
            await client.get(f"{API}/calendars/nobody.ics", params={"token": "x"}),
        ]
        assert {problem(answer, 404)["code"] for answer in answers} == {"calendar_not_found"}

    @pytest.mark.parametrize("token", ["é", "\u00e9" * 64, "\U0001f600", "%"])
    async def test_any_token_at_all_is_a_404_never_a_500(self, api, client, token):
        # B1 of the fuzzing report: /calendars/0.ics?token=%C3%A9 answered 500 (compare_digest
        # refuses non-ASCII text), to anyone, with no account.
        me = new_person()
        await feed_of(client, api.person(me))
        for person_id in (me, "0"):
            answer = await client.get(f"{API}/calendars/{person_id}.ics", params={"token": token})
            assert problem(answer, 404)["code"] == "calendar_not_found"

    async def test_a_nul_in_the_token_is_refused_before_any_lookup(self, client):
        # U+0000 is refused by every service before its routes (PostgreSQL cannot hold it).
        answer = await client.get(f"{API}/calendars/0.ics", params={"token": "\x00"})
        assert problem(answer, 422)["code"] == "invalid_input"

    async def test_me_calendar_needs_a_signed_in_person(self, client, keys):
        assert problem(await client.get(f"{API}/me/calendar"), 401)["code"] == "unauthorized"


async def test_without_a_secret_feeds_are_off(database_urls, keys, directory):
    settings = SchedulingSettings(database_url=database_urls["scheduling"], client_secret="",
                                  calendar_secret="")
    app = create_app(settings, verifier=keys.verifier("scheduling"),
                     gateway_transport=httpx.MockTransport(directory.handle))
    async with app.router.lifespan_context(app), httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://scheduling") as client:
        me = new_person()
        answer = await client.get(f"{API}/me/calendar", headers=keys.headers(person_id=me))
        assert problem(answer, 503)["code"] == "calendar_feeds_off"
        empty_key_token = "0" * 64
        assert problem(await client.get(f"{API}/calendars/{me}.ics",
                                        params={"token": empty_key_token}), 404)


def test_the_key_derives_from_schedulings_own_client_secret_unless_set():
    derived = SchedulingSettings(client_secret="s1").calendar_key
    assert derived and derived != b"s1"
    assert derived != SchedulingSettings(client_secret="s2").calendar_key
    assert SchedulingSettings(client_secret="s1", calendar_secret="c").calendar_key == b"c"


@pytest.mark.parametrize("zone,january,july", [
    ("America/Los_Angeles", -8, -7), ("Europe/Berlin", 1, 2), ("Australia/Sydney", 11, 10),
    ("Asia/Kolkata", 5.5, 5.5), ("UTC", 0, 0),
])
def test_the_generated_vtimezone_gives_the_zones_offsets(zone, january, july):
    lines = calendar.vtimezone(zone, [2026, 2027])
    document = "".join(line + "\r\n" for line in
                       ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:test", *lines, "END:VCALENDAR"])
    [vtimezone] = icalendar.Calendar.from_ical(document).walk("VTIMEZONE")
    tz = vtimezone.to_tz()
    for year in (2026, 2027):
        assert datetime(year, 1, 15, 12, tzinfo=tz).utcoffset() == timedelta(hours=january)
        assert datetime(year, 7, 15, 12, tzinfo=tz).utcoffset() == timedelta(hours=july)


def test_the_second_pass_through_a_repeated_hour_is_written_in_utc():
    def entry(starts_at: str) -> calendar.Entry:
        moment = datetime.fromisoformat(starts_at)
        return calendar.Entry(uid=starts_at, starts_at=moment, ends_at=moment, timezone=ZONE,
                              summary="s", status="CONFIRMED", sequence=1, modified_at=moment)

    # 08:30Z and 09:30Z on 1 November 2026 are both 01:30 on Los Angeles clocks.
    text = calendar.document(name="n", stamp=datetime.now(UTC), entries=[
        entry("2026-11-01T08:30:00+00:00"), entry("2026-11-01T09:30:00+00:00")])
    starts = [v["DTSTART"].dt.astimezone(UTC)
              for v in icalendar.Calendar.from_ical(text).walk("VEVENT")]
    assert starts == [datetime(2026, 11, 1, 8, 30, tzinfo=UTC),
                      datetime(2026, 11, 1, 9, 30, tzinfo=UTC)]
