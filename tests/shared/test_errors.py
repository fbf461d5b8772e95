import httpx
from fastapi import FastAPI

from shared.errors import NotFound, install_error_handlers
from shared.requests import RequestIdMiddleware


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
