import httpx
from fastapi import APIRouter, FastAPI, Response

from shared.errors import NotFound, RefuseNulMiddleware, install_error_handlers
from shared.requests import RequestIdMiddleware
from shared.service import create_service_app
from shared.settings import BaseServiceSettings


def app_that_fails() -> FastAPI:
    app = FastAPI()
    install_error_handlers(app)
    app.add_middleware(RequestIdMiddleware, trust_incoming=True)

    @app.get("/missing")
    async def missing():
        raise NotFound("No such thing.")

    @app.get("/broken")
    async def broken():
        raise RuntimeError("a bug")

    @app.get("/number/{n}")
    async def number(n: int):
        return {"n": n}

    return app


async def _get(path: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=app_that_fails(), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        return await client.get(path, headers={"X-Request-ID": "req-42"})


class TestProblems:
    async def test_a_domain_error_is_problem_json_with_the_request_id(self):
        response = await _get("/missing")
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["code"] == "not_found"
        assert response.json()["request_id"] == "req-42"

    async def test_bad_input_is_a_422_problem_naming_the_field(self):
        response = await _get("/number/seven")
        assert response.status_code == 422
        assert response.json()["errors"][0]["loc"] == ["path", "n"]

    async def test_a_bug_is_a_500_problem_that_still_names_the_request(self):
        response = await _get("/broken")
        assert response.status_code == 500
        assert response.json()["request_id"] == "req-42"
        assert response.headers["x-request-id"] == "req-42"
        assert "a bug" not in response.text  # no internals to the caller


class TestNulCharacters:
    """PostgreSQL text cannot hold U+0000: schemathesis found GET
    /api/scheduling/v1/credit/approvals?district_id=a%00b answering 500 there."""

    async def test_a_nul_in_the_query_reaching_postgres_is_422_not_500(self, database_urls, keys):
        from services.reach.main import create_app
        from services.reach.settings import ReachSettings

        app = create_app(ReachSettings(database_url=database_urls["reach"]),
                         verifier=keys.verifier("reach"))
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with app.router.lifespan_context(app), httpx.AsyncClient(
                transport=transport, base_url="http://reach") as client:
            response = await client.get(
                "/api/reach/v1/summary", headers=keys.headers(admin=True),
                params={"network_id": "a\x00b", "from": "2026-01-01", "to": "2026-12-31"})
        assert response.status_code == 422, response.text
        assert response.headers["content-type"] == "application/problem+json"

    async def test_a_nul_in_a_json_body_or_the_path_is_422(self):
        app = app_that_fails()
        app.add_middleware(RefuseNulMiddleware)

        @app.post("/echo")
        async def echo(data: dict) -> dict:
            return data

        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            body = await client.post("/echo", json={"name": "a\x00b"})
            path = await client.get("/number/1%002")
            fine = await client.post("/echo", json={"name": "a\\u0000b is text"})
        assert (body.status_code, path.status_code) == (422, 422)
        assert body.json()["detail"] == "Text cannot contain the character U+0000."
        assert fine.status_code == 200 and fine.json() == {"name": "a\\u0000b is text"}
def service_app() -> FastAPI:
    """A service built on the frame every Cascade service uses (no database is touched)."""
    router = APIRouter()

    @router.get("/api/demo/v1/things/{thing_id}")
    async def get_thing(thing_id: str):
        return {"id": thing_id}

    @router.patch("/api/demo/v1/things/{thing_id}")
    async def update_thing(thing_id: str):
        return {"id": thing_id}

    @router.delete("/api/demo/v1/things/{thing_id}", status_code=204)
    async def delete_thing(thing_id: str):
        return None

    @router.post("/api/demo/v1/things")
    async def create_thing():
        return {}

    @router.get("/api/demo/v1/cacheable")
    async def cacheable(response: Response):
        response.headers["Cache-Control"] = "public, max-age=60"
        return {}

    settings = BaseServiceSettings(service_name="demo", database_url="sqlite+aiosqlite://")
    return create_service_app(settings, title="demo", description="", api_router=router)


async def _service(method: str, path: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=service_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        return await client.request(method, path)


class TestServiceAnswers:
    async def test_a_405_lists_every_method_the_path_serves(self):
        response = await _service("PUT", "/api/demo/v1/things/1")
        assert response.status_code == 405
        assert response.headers["content-type"] == "application/problem+json"
        # Starlette named only the first route's method (GET).
        assert response.headers["allow"] == "DELETE, GET, PATCH"
        other = await _service("GET", "/api/demo/v1/things")
        assert (other.status_code, other.headers["allow"]) == (405, "POST")

    async def test_every_answer_is_nosniff_and_no_store(self):
        for method, path in (("GET", "/api/demo/v1/things/1"), ("GET", "/api/demo/v1/nothing"),
                             ("PUT", "/api/demo/v1/things/1"), ("GET", "/healthz")):
            response = await _service(method, path)
            assert response.headers["x-content-type-options"] == "nosniff", path
            assert response.headers["cache-control"] == "no-store", path

    async def test_a_route_that_may_be_cached_keeps_its_own_cache_control(self):
        response = await _service("GET", "/api/demo/v1/cacheable")
        assert response.headers["cache-control"] == "public, max-age=60"
        assert response.headers["x-content-type-options"] == "nosniff"
