"""Signed webhooks: a network admin subscribes a partner's URL, and each calendar month of the
network, once final, is POSTed there once, signed, retried with backoff, and logged."""

import asyncio
import json
import re
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from services.reach.webhooks import service, worker
from services.reach.webhooks.models import WebhookSubscription
from services.reach.webhooks.transport import InternalAddress, PublicAddressTransport
from tests.gateway.conftest import free_port, hung_server, serve
from tests.reach.feeds import FakeFeeds, caught_up, organization, reach_app
from tests.support.stack import eventually

NETWORK, OTHER_NETWORK = "net-1", "net-2"
PARTNER, OTHER_PARTNER = "partner-1", "partner-2"
HOOKS = "/api/reach/v1/webhooks"
# Short enough to wait out: 1 s, then 5 s, then 30 s; three attempts in all.
TEST_DELAYS = [1, 5, 30]


def _documented_verify():
    """The partner's check exactly as docs/webhooks.md gives it (its first Python block)."""
    text = (Path(__file__).parents[2] / "docs" / "webhooks.md").read_text()
    code = re.search(r"```python\n(.*?)```", text, re.DOTALL).group(1)
    namespace: dict = {}
    exec(code, namespace)  # noqa: S102 (our own documentation, run to prove it right)
    return namespace["verify"]


verify = _documented_verify()


class Receiver:
    """A partner's endpoint: keeps what arrives and answers with the statuses it is given (then
    200)."""

    def __init__(self, *statuses: int) -> None:
        self.statuses = list(statuses)
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.app = Starlette(routes=[Route("/hook", self._hook, methods=["POST"])])

    async def _hook(self, request: Request) -> Response:
        self.received.append((dict(request.headers), await request.body()))
        return Response(status_code=self.statuses.pop(0) if self.statuses else 200)

    def client(self, app) -> httpx.AsyncClient:
        return worker.webhook_client(app.state.settings, httpx.ASGITransport(app=self.app))


def admin(keys, network=NETWORK):
    return keys.headers(roles={network: ["network_admin"]})


def partner(keys, networks=(NETWORK,)):
    return keys.headers(kind="partner", org=PARTNER, networks=list(networks),
                        sub="apikey:k1", person_id=None)


def subscription(url="https://partner.example/hook", **fields):
    return {"network_id": NETWORK, "url": url, "partner_id": PARTNER,
            "events": ["month.final"], **fields}


def load(feeds: FakeFeeds) -> None:
    for org in (organization(NETWORK, "Golden State Network", "network"),
                organization(OTHER_NETWORK, "Valley Network", "network"),
                organization(PARTNER, "A funder", "partner", parent_id=NETWORK),
                organization(OTHER_PARTNER, "Another funder", "partner",
                             parent_id=OTHER_NETWORK)):
        feeds.add("identity", "organization.created", org)


@pytest.fixture
async def started(database_urls, keys):
    """Start a reach app (webhook worker off unless asked) with its organizations read."""

    async def start(**settings):
        feeds = FakeFeeds(keys)
        load(feeds)
        since = datetime.now(UTC)
        options = {"webhooks_enabled": False, "webhook_allow_http_localhost": True,
                   "webhook_retry_delays": TEST_DELAYS, "webhook_max_attempts": 3,
                   "webhook_timeout": 0.5, **settings}
        app = reach_app(database_urls["reach"], feeds, keys, **options)
        context = app.router.lifespan_context(app)
        await context.__aenter__()
        contexts.append(context)
        await caught_up(app, since)
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                   base_url="http://reach")
        clients.append(client)
        return app, client

    contexts, clients = [], []
    yield start
    for client in clients:
        await client.aclose()
    for context in reversed(contexts):
        await context.__aexit__(None, None, None)


@pytest.fixture
async def reach(started):
    return await started()


async def subscribe(api, keys, **fields) -> dict:
    response = await api.post(HOOKS, json=subscription(**fields), headers=admin(keys))
    assert response.status_code == 201, response.text
    return response.json()


async def made_on(app, webhook_id: str, when: datetime) -> None:
    """As if the subscription had been made at `when`."""
    async with app.state.sessions() as db:
        row = await db.get(WebhookSubscription, webhook_id)
        row.created_at = when
        db.add(row)
        await db.commit()


async def log_of(api, keys, webhook_id: str, **params) -> dict:
    response = await api.get(f"{HOOKS}/{webhook_id}/deliveries", params=params,
                             headers=admin(keys))
    assert response.status_code == 200, response.text
    return response.json()


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


class TestSubscriptions:
    async def test_the_secret_is_shown_once_at_creation(self, reach, keys):
        _app, api = reach
        response = await api.post(HOOKS, json=subscription(), headers=admin(keys))
        assert response.status_code == 201
        created = response.json()
        assert created["secret"].startswith("whsec_") and len(created["secret"]) > 40
        assert response.headers["cache-control"] == "no-store"
        assert {k: created[k] for k in ("network_id", "url", "partner_id", "events")} == {
            "network_id": NETWORK, "url": "https://partner.example/hook", "partner_id": PARTNER,
            "events": ["month.final"]}
        listed = (await api.get(HOOKS, params={"network_id": NETWORK},
                                headers=admin(keys))).json()
        one = (await api.get(f"{HOOKS}/{created['id']}", headers=admin(keys))).json()
        assert [item["id"] for item in listed["items"]] == [created["id"]]
        assert "secret" not in listed["items"][0] and "secret" not in one
        assert created["secret"] not in str(listed) + str(one)

    async def test_the_list_is_paginated_and_keeps_to_its_network(self, reach, keys):
        _app, api = reach
        made = [(await subscribe(api, keys))["id"] for _ in range(3)]
        await api.post(HOOKS, headers=admin(keys, OTHER_NETWORK),
                       json=subscription(network_id=OTHER_NETWORK, partner_id=None))
        first = (await api.get(HOOKS, params={"network_id": NETWORK, "limit": 2},
                               headers=admin(keys))).json()
        rest = (await api.get(HOOKS, params={"network_id": NETWORK, "limit": 2,
                                             "cursor": first["next_cursor"]},
                              headers=admin(keys))).json()
        assert [i["id"] for i in first["items"] + rest["items"]] == made
        assert rest["next_cursor"] is None

    @pytest.mark.parametrize("url", [
        "http://partner.example/hook",  # plain http outside localhost
        "ftp://partner.example/hook", "partner.example/hook", "not a url", "https://",
        "https://user:password@partner.example/hook", "https://partner.example/hook#top",
        "https://partner.example:port/hook",
        "https://10.1.2.3/hook", "https://169.254.169.254/latest", "https://[fd00::1]/hook",
    ])
    async def test_a_bad_url_is_refused(self, reach, keys, url):
        _app, api = reach
        response = await api.post(HOOKS, json=subscription(url=url), headers=admin(keys))
        assert response.status_code == 422, response.text
        assert response.json()["code"] == "invalid_webhook_url"

    async def test_http_to_localhost_only_where_allowed(self, started, keys):
        _app, strict = await started(webhook_allow_http_localhost=False)
        refused = await strict.post(HOOKS, json=subscription(url="http://127.0.0.1:9/hook"),
                                    headers=admin(keys))
        assert refused.status_code == 422
        for url in ("https://localhost/hook", "https://[::1]/hook", "https://127.0.0.1/hook"):
            response = await strict.post(HOOKS, json=subscription(url=url), headers=admin(keys))
            assert response.status_code == 422, url
        _app, lenient = await started()
        allowed = await lenient.post(HOOKS, json=subscription(url="http://127.0.0.1:9/hook"),
                                     headers=admin(keys))
        assert allowed.status_code == 201

    @pytest.mark.parametrize("fields", [
        {"events": []}, {"events": ["month.started"]}, {"events": "month.final"},
        {"network_id": ""}, {"url": "https://x.example/" + "a" * 2000}, {"colour": "red"},
    ])
    async def test_bad_bodies_are_refused(self, reach, keys, fields):
        _app, api = reach
        response = await api.post(HOOKS, json=subscription(**fields), headers=admin(keys))
        assert response.status_code == 422
        assert response.headers["content-type"] == "application/problem+json"

    @pytest.mark.parametrize("partner_id", ["nobody", OTHER_PARTNER, OTHER_NETWORK])
    async def test_the_partner_must_be_a_partner_of_the_network(self, reach, keys, partner_id):
        _app, api = reach
        response = await api.post(HOOKS, json=subscription(partner_id=partner_id),
                                  headers=admin(keys))
        assert response.status_code == 422
        assert response.json()["code"] == "unknown_partner"

    async def test_a_deleted_subscription_is_gone_and_gets_nothing(self, reach, keys):
        app, api = reach
        hook = await subscribe(api, keys)
        await made_on(app, hook["id"], datetime(2026, 9, 20, tzinfo=UTC))
        assert await worker.queue_final_months(app, now=datetime(2026, 11, 30, tzinfo=UTC)) == 2
        response = await api.delete(f"{HOOKS}/{hook['id']}", headers=admin(keys))
        assert response.status_code == 204
        assert (await api.get(f"{HOOKS}/{hook['id']}", headers=admin(keys))).status_code == 404
        listed = await api.get(HOOKS, params={"network_id": NETWORK}, headers=admin(keys))
        assert listed.json()["items"] == []
        receiver = Receiver()
        async with receiver.client(app) as client:
            assert await worker.deliver_due(app, client) == 0
        assert await worker.queue_final_months(app, now=datetime(2027, 3, 1, tzinfo=UTC)) == 0
        assert receiver.received == []


class TestAuthorization:
    @pytest.mark.parametrize("who", ["leader", "analyst", "partner", "other_admin", "service"])
    async def test_only_the_networks_admins_manage_its_webhooks(self, reach, keys, who):
        _app, api = reach
        hook = await subscribe(api, keys)
        headers = {
            "leader": keys.headers(roles={NETWORK: ["leader"]}),
            "analyst": keys.headers(roles={NETWORK: ["analyst"]}),
            "partner": partner(keys),
            "other_admin": admin(keys, OTHER_NETWORK),
            "service": keys.headers(kind="service", sub="service:scheduling", person_id=None),
        }[who]
        created = await api.post(HOOKS, json=subscription(), headers=headers)
        listed = await api.get(HOOKS, params={"network_id": NETWORK}, headers=headers)
        assert created.status_code == listed.status_code == 403
        assert created.json()["code"] == "network_forbidden"
        # Someone else's subscription is not found, whatever is asked of it.
        path = f"{HOOKS}/{hook['id']}"
        for response in (await api.get(path, headers=headers),
                         await api.delete(path, headers=headers),
                         await api.get(f"{path}/deliveries", headers=headers),
                         await api.post(f"{path}/deliveries/d1:redeliver", headers=headers)):
            assert response.status_code == 404
            assert response.json()["code"] == "webhook_not_found"
        assert (await api.get(path, headers=admin(keys))).status_code == 200

    async def test_platform_admins_manage_any_networks_webhooks(self, reach, keys):
        _app, api = reach
        response = await api.post(HOOKS, json=subscription(), headers=keys.headers(admin=True))
        assert response.status_code == 201

    async def test_unknown_ids_are_not_found(self, reach, keys):
        _app, api = reach
        hook = await subscribe(api, keys)
        for response in (await api.get(f"{HOOKS}/nope", headers=admin(keys)),
                         await api.delete(f"{HOOKS}/nope", headers=admin(keys)),
                         await api.get(f"{HOOKS}/nope/deliveries", headers=admin(keys))):
            assert response.status_code == 404
        unknown = await api.post(f"{HOOKS}/{hook['id']}/deliveries/nope:redeliver",
                                 headers=admin(keys))
        assert unknown.status_code == 404
        assert unknown.json()["code"] == "webhook_delivery_not_found"

    async def test_a_network_reach_does_not_know_is_not_found(self, reach, keys):
        _app, api = reach
        root = keys.headers(admin=True)
        listed = await api.get(HOOKS, params={"network_id": "no-such-network"}, headers=root)
        assert listed.status_code == 404 and listed.json()["code"] == "network_not_found"
        created = await api.post(HOOKS, json=subscription(network_id="no-such-network",
                                                          partner_id=None), headers=root)
        assert created.status_code == 422 and created.json()["code"] == "unknown_network"
        # Whoever may not manage it is refused as for a network that exists.
        for response in (await api.get(HOOKS, params={"network_id": "no-such-network"},
                                       headers=admin(keys)),
                         await api.post(HOOKS, json=subscription(network_id="no-such-network"),
                                        headers=admin(keys))):
            assert response.status_code == 403
            assert response.json()["code"] == "network_forbidden"

    async def test_anonymous_callers_are_unauthorized(self, reach, keys):
        _app, api = reach
        assert (await api.post(HOOKS, json=subscription())).status_code == 401
        assert (await api.get(HOOKS, params={"network_id": NETWORK})).status_code == 401


class TestMonthFinal:
    def test_a_month_is_final_once_ended_everywhere_and_settled(self):
        # October ends at UTC-12 on 1 November at 12:00 UTC; then seven days.
        assert service.final_at(2026, 10, after_days=7) == datetime(2026, 11, 8, 12, tzinfo=UTC)
        assert service.final_at(2026, 12, after_days=0) == datetime(2027, 1, 1, 12, tzinfo=UTC)

    async def test_each_final_month_since_the_subscription_is_queued_once(self, reach, keys):
        app, api = reach
        hook = await subscribe(api, keys)
        await made_on(app, hook["id"], datetime(2026, 9, 20, tzinfo=UTC))
        # August was final on 8 September, before the subscription: never sent.
        assert await worker.queue_final_months(app, now=datetime(2026, 11, 8, 11, tzinfo=UTC)) == 1
        just_final = datetime(2026, 11, 8, 12, tzinfo=UTC)
        queued = await asyncio.gather(*(worker.queue_final_months(app, now=just_final)
                                        for _ in range(3)))
        assert sum(queued) == 1  # October, by one of three scans at once
        assert await worker.queue_final_months(app, now=just_final + timedelta(days=20)) == 0
        assert await worker.queue_final_months(app, now=datetime(2027, 1, 9, tzinfo=UTC)) == 2
        months = [d["month"] for d in (await log_of(api, keys, hook["id"]))["items"]]
        assert months == ["2026-12", "2026-11", "2026-10", "2026-09"]  # newest first

    async def test_the_settle_period_is_a_setting(self, started, keys):
        app, api = await started(month_final_after_days=0)
        hook = await subscribe(api, keys)
        await made_on(app, hook["id"], datetime(2026, 9, 20, tzinfo=UTC))
        assert await worker.queue_final_months(app, now=datetime(2026, 10, 1, 12, tzinfo=UTC)) == 1

    async def test_the_worker_sends_each_final_month_once(self, started, keys):
        receiver = Receiver()
        app, api = await started(webhooks_enabled=True, webhook_scan_interval=0.02,
                                 webhook_poll_interval=0.02,
                                 webhook_transport=httpx.ASGITransport(app=receiver.app))
        hook = await subscribe(api, keys, url="https://partner.example/hook")
        # Made 70 days ago: two or three month-ends have passed since (with their week).
        await made_on(app, hook["id"], datetime.now(UTC) - timedelta(days=70))

        async def delivered():
            items = (await log_of(api, keys, hook["id"]))["items"]
            return len(items) >= 2 and all(i["status"] == "delivered" for i in items) and items

        items = await eventually(delivered)
        await asyncio.sleep(0.3)  # a dozen more scans and polls
        months = [json.loads(body)["month"] for _headers, body in receiver.received]
        assert sorted(months) == sorted(i["month"] for i in items)
        assert len(set(months)) == len(months) >= 2


class TestDelivery:
    async def queued(self, app, api, keys, **fields) -> dict:
        hook = await subscribe(api, keys, **fields)
        await made_on(app, hook["id"], datetime(2026, 9, 20, tzinfo=UTC))
        assert await worker.queue_final_months(app, now=datetime(2026, 10, 9, tzinfo=UTC)) == 1
        return hook

    async def test_the_post_is_signed_with_the_secret(self, reach, keys):
        app, api = reach
        hook = await self.queued(app, api, keys)
        receiver = Receiver()
        async with receiver.client(app) as client:
            assert await worker.deliver_due(app, client) == 1
        [(headers, body)] = receiver.received
        delivery = (await log_of(api, keys, hook["id"]))["items"][0]
        assert json.loads(body) == {"type": "month.final", "id": delivery["id"],
                                    "network_id": NETWORK, "month": "2026-09",
                                    "from": "2026-09-01", "to": "2026-09-30"}
        assert delivery["payload"] == json.loads(body)
        assert headers["cascade-event-id"] == delivery["id"]
        assert headers["content-type"] == "application/json"
        signature = headers["cascade-signature"]
        assert verify(hook["secret"], signature, body)
        assert not verify(hook["secret"], signature, body.replace(b"2026-09", b"2026-08"))
        assert not verify("whsec_someone-else", signature, body)
        assert not verify(hook["secret"], signature, body, now=time.time() + 301)  # replayed
        assert delivery["status"] == "delivered" and delivery["delivered_at"] is not None

    async def test_a_500_is_retried_after_the_first_delay_then_delivered(self, reach, keys):
        app, api = reach
        hook = await self.queued(app, api, keys)
        receiver = Receiver(500)
        async with receiver.client(app) as client:
            assert await worker.deliver_due(app, client) == 1
            [delivery] = (await log_of(api, keys, hook["id"]))["items"]
            [failed] = delivery["attempts"]
            assert delivery["status"] == "pending"
            assert (failed["status_code"], failed["error"], failed["succeeded"]) == (500, None,
                                                                                     False)
            due = at(delivery["next_attempt_at"])
            ended = at(failed["attempted_at"]) + timedelta(milliseconds=failed["duration_ms"])
            assert abs((due - ended).total_seconds() - TEST_DELAYS[0]) < 0.01
            assert await worker.deliver_due(app, client, now=due - timedelta(seconds=0.1)) == 0
            assert await worker.deliver_due(app, client, now=due) == 1
        [delivery] = (await log_of(api, keys, hook["id"]))["items"]
        assert delivery["status"] == "delivered" and delivery["next_attempt_at"] is None
        assert [a["status_code"] for a in delivery["attempts"]] == [500, 200]
        assert all(a["duration_ms"] >= 0 for a in delivery["attempts"])
        # The same event both times, each time freshly signed.
        ids = {headers["cascade-event-id"] for headers, _ in receiver.received}
        assert ids == {delivery["id"]}
        assert all(verify(hook["secret"], h["cascade-signature"], b) for h, b in receiver.received)

    async def test_the_waits_follow_the_schedule_and_it_gives_up_after_the_last(self, reach,
                                                                                 keys):
        app, api = reach
        hook = await self.queued(app, api, keys)
        receiver = Receiver(503, 503, 503, 503)
        waits = []
        async with receiver.client(app) as client:
            for _ in range(3):
                [delivery] = (await log_of(api, keys, hook["id"]))["items"]
                assert await worker.deliver_due(
                    app, client, now=at(delivery["next_attempt_at"])) == 1
                [delivery] = (await log_of(api, keys, hook["id"]))["items"]
                last = delivery["attempts"][-1]
                if delivery["next_attempt_at"]:
                    ended = at(last["attempted_at"]) + timedelta(milliseconds=last["duration_ms"])
                    waits.append(round((at(delivery["next_attempt_at"]) - ended).total_seconds()))
            assert await worker.deliver_due(app, client,
                                            now=datetime.now(UTC) + timedelta(days=30)) == 0
        assert waits == TEST_DELAYS[:2]
        assert delivery["status"] == "failed" and delivery["next_attempt_at"] is None
        assert [a["status_code"] for a in delivery["attempts"]] == [503, 503, 503]
        assert len(receiver.received) == 3

    def test_the_default_schedule_backs_off_to_twelve_hours(self):
        from services.reach.settings import ReachSettings

        settings = ReachSettings()
        minutes = [service.retry_delay(settings, n).total_seconds() / 60 for n in range(1, 7)]
        assert minutes == [1, 5, 30, 120, 720, 720]
        assert settings.webhook_max_attempts == 6 and settings.month_final_after_days == 7

    async def test_no_answer_and_a_refused_connection_are_logged(self, reach, keys):
        app, api = reach
        async with hung_server() as hung:
            silent = await self.queued(app, api, keys, url=f"{hung}/hook")
            down = await self.queued(app, api, keys, url=f"http://127.0.0.1:{free_port()}/hook")
            async with worker.webhook_client(app.state.settings) as client:
                started = time.monotonic()
                assert await worker.deliver_due(app, client) == 2
                assert time.monotonic() - started < 3  # the timeout is 0.5 s
        [timed_out] = (await log_of(api, keys, silent["id"]))["items"][0]["attempts"]
        [refused] = (await log_of(api, keys, down["id"]))["items"][0]["attempts"]
        assert timed_out["status_code"] is None and timed_out["error"] == "no answer within 0.5 s"
        assert 400 <= timed_out["duration_ms"] < 2000
        assert refused["status_code"] is None and refused["error"].startswith("ConnectError")

    async def test_a_delivery_can_be_sent_again(self, reach, keys):
        app, api = reach
        hook = await self.queued(app, api, keys)
        other = await self.queued(app, api, keys)
        receiver = Receiver()
        async with receiver.client(app) as client:
            await worker.deliver_due(app, client)
            [delivery] = (await log_of(api, keys, hook["id"]))["items"]
            path = f"{HOOKS}/{hook['id']}/deliveries/{delivery['id']}:redeliver"
            response = await api.post(path, headers=admin(keys))
            assert response.status_code == 202, response.text
            assert response.json()["status"] == "pending"
            assert await worker.deliver_due(app, client) == 1
        [delivery] = (await log_of(api, keys, hook["id"]))["items"]
        assert delivery["status"] == "delivered" and len(delivery["attempts"]) == 2
        assert [h["cascade-event-id"] for h, _ in receiver.received].count(delivery["id"]) == 2
        # Another subscription's delivery is not this one's to send.
        [elsewhere] = (await log_of(api, keys, other["id"]))["items"]
        misplaced = await api.post(f"{HOOKS}/{hook['id']}/deliveries/{elsewhere['id']}:redeliver",
                                   headers=admin(keys))
        assert misplaced.status_code == 404

    async def test_the_log_is_paginated_newest_first(self, reach, keys):
        app, api = reach
        hook = await subscribe(api, keys)
        await made_on(app, hook["id"], datetime(2026, 6, 20, tzinfo=UTC))
        # June (final 8 July) to September (final 8 October).
        assert await worker.queue_final_months(app, now=datetime(2026, 10, 9, tzinfo=UTC)) == 4
        first = await log_of(api, keys, hook["id"], limit=3)
        rest = await log_of(api, keys, hook["id"], limit=3, cursor=first["next_cursor"])
        months = [d["month"] for d in first["items"] + rest["items"]]
        assert months == ["2026-09", "2026-08", "2026-07", "2026-06"]
        assert len(first["items"]) == 3 and rest["next_cursor"] is None


class TestRealServer:
    async def test_a_signed_post_reaches_a_real_server_after_a_retry(self, started, keys):
        receiver = Receiver(500)
        async with serve(receiver.app) as base:
            app, api = await started(webhooks_enabled=True, webhook_scan_interval=0.05,
                                     webhook_poll_interval=0.05, webhook_retry_delays=[0.2])
            hook = await subscribe(api, keys, url=f"{base}/hook")
            await made_on(app, hook["id"], datetime.now(UTC) - timedelta(days=40))

            async def delivered():
                items = (await log_of(api, keys, hook["id"]))["items"]
                return items and all(i["status"] == "delivered" for i in items) and items

            items = await eventually(delivered)
        # One month (or two) became final since; the first POST to arrive met the 500.
        # (An attempt that timed out on a loaded machine has no status; it is retried the same.)
        codes = sorted([a["status_code"] for a in i["attempts"] if a["status_code"]]
                       for i in items)
        assert codes[-1] == [500, 200] and all(c == [200] for c in codes[:-1])
        assert len(receiver.received) >= len(items) + 1
        for headers, body in receiver.received:
            assert verify(hook["secret"], headers["cascade-signature"], body)
            assert json.loads(body)["network_id"] == NETWORK


class TestInternalAddresses:
    """A partner's host is resolved when each POST is sent, and nothing goes to an address
    inside Cascade's network, whatever the name resolved to when it was subscribed."""

    async def hooked(self, app, url: str) -> str:
        """A subscription of `url` as if its host had resolved to a public address when it was
        made (the check at subscription passed), with September's delivery due."""
        async with app.state.sessions() as db:
            row = WebhookSubscription(network_id=NETWORK, url=url, partner_id=PARTNER,
                                      events=["month.final"], secret="whsec_test",
                                      created_by="test", created_at=datetime(2026, 9, 20,
                                                                             tzinfo=UTC))
            db.add(row)
            await db.commit()
            subscription_id = row.id
        assert await worker.queue_final_months(app, now=datetime(2026, 10, 9, tzinfo=UTC)) == 1
        return subscription_id

    async def test_a_host_that_resolves_to_loopback_is_refused_and_logged(self, started, keys):
        app, api = await started(webhook_allow_http_localhost=False)
        receiver = Receiver()
        async with serve(receiver.app) as base:
            port = base.rsplit(":", 1)[1]
            hooks = [await self.hooked(app, f"{scheme}://{host}:{port}/hook")
                     for scheme, host in (("https", "localhost"), ("http", "localhost"),
                                          ("https", "2130706433"))]  # 127.0.0.1 as one number
            async with worker.webhook_client(app.state.settings) as client:
                assert await worker.deliver_due(app, client) == 3
        assert receiver.received == []  # a server listens there, and got nothing
        for hook in hooks:
            [delivery] = (await log_of(api, keys, hook))["items"]
            [attempt] = delivery["attempts"]
            assert attempt["status_code"] is None and not attempt["succeeded"]
            assert re.fullmatch(r"refused: (localhost|2130706433) resolves to 127\.0\.0\.1, a "
                                r"loopback address; webhooks go to public addresses only",
                                attempt["error"]), attempt["error"]
            assert delivery["status"] == "pending"  # tried again later, checked again then

    async def test_where_localhost_is_allowed_it_is_reached_by_name(self, started, keys):
        app, api = await started()  # webhook_allow_http_localhost, as in development
        receiver = Receiver()
        async with serve(receiver.app) as base:
            port = base.rsplit(":", 1)[1]
            hook = await self.hooked(app, f"http://localhost:{port}/hook")
            async with worker.webhook_client(app.state.settings) as client:
                assert await worker.deliver_due(app, client) == 1
        [(headers, _body)] = receiver.received
        assert headers["host"] == f"localhost:{port}"
        [delivery] = (await log_of(api, keys, hook))["items"]
        assert delivery["status"] == "delivered"

    @pytest.mark.parametrize("addresses", [
        ["10.0.0.7"], ["169.254.169.254"], ["93.184.216.34", "192.168.1.1"], ["::1"],
        ["fd00::1"], ["224.0.0.251"], ["0.0.0.0"], ["240.0.0.1"],  # noqa: S104
        ["::ffff:127.0.0.1"]])
    async def test_any_internal_address_among_a_hosts_addresses_refuses_it(self, addresses):
        async def resolver(host, port):
            return addresses

        transport = PublicAddressTransport(
            allow_localhost=True, max_connections=1, resolver=resolver,
            inner=httpx.MockTransport(lambda request: httpx.Response(200)))
        async with httpx.AsyncClient(transport=transport) as client:
            with pytest.raises(InternalAddress, match=r"^refused: hooks\.partner\.example "):
                await client.post("https://hooks.partner.example/hook", content=b"{}")

    async def test_the_connection_goes_to_the_address_that_was_checked(self):
        """A name resolved once per POST; the request goes to that address, with the host's
        name in Host and as the TLS server name. (The public address is not reachable from a
        test, so the connection itself is recorded rather than made.)"""
        lookups, sent = [], []

        async def resolver(host, port):
            lookups.append((host, port))  # a second lookup would give 127.0.0.1
            return ["93.184.216.34"] if len(lookups) == 1 else ["127.0.0.1"]

        def connect(request: httpx.Request) -> httpx.Response:
            sent.append(request)
            return httpx.Response(204)

        transport = PublicAddressTransport(allow_localhost=False, max_connections=1,
                                           resolver=resolver, inner=httpx.MockTransport(connect))
        async with httpx.AsyncClient(transport=transport) as client:
            response = await client.post("https://hooks.partner.example:8443/hook",
                                         content=b"{}")
        assert response.status_code == 204 and lookups == [("hooks.partner.example", 8443)]
        [request] = sent
        assert str(request.url) == "https://93.184.216.34:8443/hook"
        assert request.headers["host"] == "hooks.partner.example:8443"
        assert request.extensions["sni_hostname"] == "hooks.partner.example"
