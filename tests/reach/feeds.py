"""A test double of the identity and scheduling feeds, for testing reach's consumer alone: the
pages shared.outbox.feed_router would serve, from lists the test fills, plus the token endpoint
reach gets its service token from. The whole chain with the real services is tested elsewhere."""

import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from services.reach.feeds.models import FeedCursor
from services.reach.main import create_app
from services.reach.settings import ReachSettings
from tests.support.stack import eventually


class FakeFeeds:
    def __init__(self, keys) -> None:
        self.keys = keys
        self.events: dict[str, list[dict]] = {"identity": [], "scheduling": []}
        self.reads: dict[str, list[str]] = {"identity": [], "scheduling": []}
        # How many more times to answer a read past the start with the first page again, as a
        # feed behind a stale cache or a retried request might.
        self.stale: dict[str, int] = {"identity": 0, "scheduling": 0}
        self.stale_served = 0
        self._next_id = 0
        self.app = Starlette(routes=[
            Route("/api/identity/v1/token", self._token, methods=["POST"]),
            Route("/api/{service}/v1/feed", self._feed),
        ])

    def add(self, feed: str, topic: str, payload: dict, *, event_id: int | None = None) -> int:
        if event_id is None:
            self._next_id += 1
            event_id = self._next_id
        self.events[feed].append({
            "id": str(event_id), "topic": topic, "key": payload["id"], "payload": payload,
            "occurred_at": datetime.now(UTC).isoformat(),
        })
        return event_id

    def last_id(self, feed: str) -> str:
        return self.events[feed][-1]["id"] if self.events[feed] else "0"

    async def _token(self, request: Request) -> JSONResponse:
        token = self.keys.token(kind="service", sub="service:reach", person_id=None)
        return JSONResponse({"access_token": token, "token_type": "bearer", "expires_in": 300})

    async def _feed(self, request: Request) -> JSONResponse:
        feed = request.path_params["service"]
        if not request.headers.get("authorization", "").startswith("Bearer "):
            return JSONResponse({"status": 401}, status_code=401)
        after = request.query_params.get("after", "0")
        limit = int(request.query_params.get("limit", "100"))
        self.reads[feed].append(after)
        if after != "0" and self.stale[feed] > 0:
            self.stale[feed] -= 1
            self.stale_served += 1
            after = "0"
        matching = [e for e in self.events[feed] if int(e["id"]) > int(after)]
        page = matching[:limit]
        return JSONResponse({
            "events": page,
            "next_cursor": page[-1]["id"] if page else after,
            "has_more": len(matching) > limit,
        })


def reach_app(database_url: str, feeds: FakeFeeds, keys, *,
              webhook_transport: httpx.AsyncBaseTransport | None = None, **settings):
    return create_app(
        ReachSettings(database_url=database_url, feed_poll_interval=0.02, feed_as_of_every=0,
                      **settings),
        gateway_transport=httpx.ASGITransport(app=feeds.app),
        verifier=keys.verifier("reach"),
        webhook_transport=webhook_transport,
    )


@asynccontextmanager
async def serving(database_url: str, keys, load: Callable[[FakeFeeds], None],
                  **settings) -> AsyncIterator[httpx.AsyncClient]:
    """A client of a reach app that has read the feeds `load` filled, to their end."""
    feeds = FakeFeeds(keys)
    load(feeds)
    since = datetime.now(UTC)
    app = reach_app(database_url, feeds, keys, **settings)
    async with app.router.lifespan_context(app):
        await caught_up(app, since)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                     base_url="http://reach") as client:
            yield client


async def caught_up(app, since: datetime) -> None:
    """Waits until reach has read both feeds to their end at some moment after `since`."""

    async def check():
        async with app.state.sessions() as db:
            cursors = {feed: await db.get(FeedCursor, feed) for feed in ("identity", "scheduling")}
        return all(
            c is not None and c.caught_up_at is not None
            and c.caught_up_at.replace(tzinfo=c.caught_up_at.tzinfo or UTC) > since
            for c in cursors.values()
        )

    await eventually(check)
    # ... and its index holds what they applied (it refreshes every second by itself).
    await app.state.reach_index.refresh(since=time.monotonic())


# Payloads exactly as the brief fixes them for the identity and scheduling feeds.

def organization(id, name, kind, *, parent_id=None, county=None, attributes=None):
    return {"id": id, "name": name, "kind": kind, "parent_id": parent_id, "county": county,
            "attributes": attributes or {}}


def person(id, *, role="teacher", school_id=None, district_id=None, county=None):
    return {"id": id, "role": role, "school_id": school_id, "district_id": district_id,
            "county": county}


def membership(id, organization_id, person_id, role, starts_on=None, ends_on=None):
    return {"id": id, "organization_id": organization_id, "person_id": person_id, "role": role,
            "starts_on": starts_on, "ends_on": ends_on}


def event(id, network_id, kind, *, title="An event", timezone="America/Los_Angeles",
          program_id=None, subjects=("math",), grades=("6", "8")):
    # Shaped like scheduling's event payload.
    return {"id": id, "network_id": network_id, "kind": kind, "title": title,
            "subjects": list(subjects), "grade_min": grades[0], "grade_max": grades[1],
            "timezone": timezone,
            "credit_hours": 3, "status": "published", "program_id": program_id}


def session(id, event_id, starts_at, hours, facilitator_ids, *, capacity=30):
    start = datetime.fromisoformat(starts_at)
    end = start.timestamp() + hours * 3600
    return {"id": id, "event_id": event_id, "slot_id": None, "title": f"Session {id}",
            "starts_at": start.isoformat(),
            "ends_at": datetime.fromtimestamp(end, UTC).isoformat(),
            "capacity": capacity, "facilitator_ids": facilitator_ids}


def attendance(id, session_id, event_id, person_id):
    return {"id": id, "session_id": session_id, "event_id": event_id, "person_id": person_id,
            "source": "check_in", "recorded_at": datetime.now(UTC).isoformat()}
