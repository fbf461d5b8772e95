"""Partner API keys are exchanged at identity for a JWT that the services see instead.

Identity here is a small stand-in app (the real identity service is tested with its own token
route in tests/identity); the services are echo apps."""

import asyncio
import hashlib

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from gateway.settings import UPSTREAMS
from tests.gateway.conftest import echo_app, gateway_client, header, settings_for

GOOD_KEY = "csk_good0123456789"


class FakeIdentity:
    def __init__(self, expires_in: int = 300) -> None:
        self.exchanges = 0
        self.expires_in = expires_in
        self.app = Starlette(routes=[Route("/api/identity/v1/token", self.token,
                                           methods=["POST"])])

    async def token(self, request: Request) -> JSONResponse:
        form = await request.form()
        self.exchanges += 1
        await asyncio.sleep(0.01)  # long enough for concurrent requests to overlap
        if form.get("grant_type") != "api_key" or form.get("api_key") != GOOD_KEY:
            return JSONResponse({"code": "invalid_grant"}, status_code=401)
        return JSONResponse({"access_token": f"jwt-{self.exchanges}", "token_type": "bearer",
                             "expires_in": self.expires_in})


def transports(identity: FakeIdentity) -> dict[str, httpx.AsyncBaseTransport]:
    apps = {name: echo_app(name) for name in UPSTREAMS} | {"identity": identity.app}
    return {name: httpx.ASGITransport(app=app) for name, app in apps.items()}


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


async def test_the_service_sees_the_exchanged_jwt_not_the_key():
    identity = FakeIdentity()
    async with gateway_client(transports=transports(identity)) as gateway:
        response = await gateway.get("/api/reach/v1/reach", headers=bearer(GOOD_KEY))
    assert response.status_code == 200
    assert header(response.json(), "authorization") == ["Bearer jwt-1"]


async def test_the_token_is_cached_and_concurrent_first_requests_share_one_exchange():
    identity = FakeIdentity()
    async with gateway_client(transports=transports(identity)) as gateway:
        answers = await asyncio.gather(*(
            gateway.get("/api/scheduling/v1/events", headers=bearer(GOOD_KEY))
            for _ in range(5)))
        later = await gateway.get("/api/evidence/v1/files", headers=bearer(GOOD_KEY))
    assert identity.exchanges == 1
    assert {header(a.json(), "authorization")[0] for a in [*answers, later]} == {"Bearer jwt-1"}


async def test_the_cache_never_outlives_the_token():
    identity = FakeIdentity(expires_in=3)  # kept 1 s: its life less a margin for the trip
    settings = settings_for(api_key_cache_seconds=60)
    async with gateway_client(settings, transports=transports(identity)) as gateway:
        await gateway.get("/api/reach/v1/reach", headers=bearer(GOOD_KEY))
        await gateway.get("/api/reach/v1/reach", headers=bearer(GOOD_KEY))
        assert identity.exchanges == 1
        await asyncio.sleep(1.1)
        response = await gateway.get("/api/reach/v1/reach", headers=bearer(GOOD_KEY))
    assert identity.exchanges == 2
    assert header(response.json(), "authorization") == ["Bearer jwt-2"]


async def test_the_cache_is_kept_no_longer_than_configured():
    identity = FakeIdentity(expires_in=300)
    settings = settings_for(api_key_cache_seconds=0.3)
    async with gateway_client(settings, transports=transports(identity)) as gateway:
        await gateway.get("/api/reach/v1/reach", headers=bearer(GOOD_KEY))
        await asyncio.sleep(0.4)
        await gateway.get("/api/reach/v1/reach", headers=bearer(GOOD_KEY))
    assert identity.exchanges == 2


async def test_the_cache_holds_a_digest_of_the_key_never_the_key():
    identity = FakeIdentity()
    settings = settings_for()
    async with gateway_client(settings, transports=transports(identity)) as gateway:
        await gateway.get("/api/reach/v1/reach", headers=bearer(GOOD_KEY))
        kept = gateway._transport.app.state.api_keys._tokens
    assert list(kept) == [hashlib.sha256(GOOD_KEY.encode()).digest()]


async def test_an_invalid_key_is_a_401_problem_and_never_reaches_the_service():
    identity = FakeIdentity()
    reached = []

    async def scheduling(scope, receive, send):
        reached.append(scope["path"])
        await echo_app("scheduling")(scope, receive, send)

    wired = transports(identity) | {"scheduling": httpx.ASGITransport(app=scheduling)}
    async with gateway_client(transports=wired) as gateway:
        response = await gateway.get("/api/scheduling/v1/events", headers=bearer("csk_wrong"))
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["code"] == "invalid_api_key"
    assert reached == []


async def test_a_jwt_bearer_is_passed_through_without_an_exchange():
    identity = FakeIdentity()
    async with gateway_client(transports=transports(identity)) as gateway:
        response = await gateway.get("/api/reach/v1/reach", headers=bearer("eyJhbGc.x.y"))
    assert identity.exchanges == 0
    assert header(response.json(), "authorization") == ["Bearer eyJhbGc.x.y"]


async def test_identity_unreachable_during_an_exchange_is_a_503():
    async with gateway_client(settings_for()) as gateway:  # every upstream is a closed port
        response = await gateway.get("/api/reach/v1/reach", headers=bearer(GOOD_KEY))
    assert response.status_code == 503
    assert response.json()["code"] == "upstream_unavailable"
