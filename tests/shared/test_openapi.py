"""A service's OpenAPI document tells the truth about its errors and its tokens."""

from typing import Annotated

import httpx
from fastapi import FastAPI, Query
from pydantic import BaseModel

from shared.auth import OptionalPrincipalDep, PrincipalDep
from shared.errors import PROBLEM_JSON, CascadeError, install_error_handlers
from shared.openapi import BEARER, install_openapi, problem_responses

PROBLEM = {"$ref": "#/components/schemas/Problem"}


class ThingCreate(BaseModel):
    name: str


class UnsupportedMedia(CascadeError):
    status_code, code, title = 415, "unsupported_media_type", "Send text/csv"


def service_like_app() -> FastAPI:
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/things/{thing_id}")
    async def get_thing(thing_id: str, principal: PrincipalDep) -> dict:
        return {}

    @app.post("/things", status_code=201)
    async def create_thing(data: ThingCreate, principal: PrincipalDep) -> dict:
        return {}

    @app.get("/catalog")
    async def catalog(principal: OptionalPrincipalDep,
                      limit: Annotated[int, Query(ge=1)] = 10) -> dict:
        return {}

    @app.get("/public")
    async def public() -> dict:
        return {}

    @app.post("/imports", responses=problem_responses(UnsupportedMedia, 413))
    async def create_import(principal: PrincipalDep) -> dict:
        return {}

    install_openapi(app)
    return app


def operation(document: dict, method: str, path: str) -> dict:
    return document["paths"][path][method]


def statuses(document: dict, method: str, path: str) -> set[str]:
    return set(operation(document, method, path)["responses"])


class TestErrors:
    async def test_a_422_is_documented_as_the_problem_json_it_is_served_as(self):
        app = service_like_app()
        document = app.openapi()
        documented = operation(document, "get", "/catalog")["responses"]["422"]["content"]
        assert documented == {PROBLEM_JSON: {"schema": PROBLEM}}
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                     base_url="http://test") as client:
            served = await client.get("/catalog", params={"limit": 0})
        assert served.status_code == 422
        assert served.headers["content-type"] == PROBLEM_JSON
        problem = document["components"]["schemas"]["Problem"]
        assert set(problem["required"]) <= set(served.json())
        assert set(served.json()) <= set(problem["properties"])
        assert "HTTPValidationError" not in document["components"]["schemas"]
        assert "ValidationError" not in document["components"]["schemas"]

    def test_each_operation_lists_the_errors_its_shape_implies(self):
        document = service_like_app().openapi()
        assert statuses(document, "get", "/things/{thing_id}") == {
            "200", "401", "403", "404", "422", "503", "default"}
        assert statuses(document, "post", "/things") == {
            "201", "400", "401", "403", "409", "413", "422", "503", "default"}
        assert statuses(document, "get", "/catalog") == {"200", "401", "422", "default"}
        assert statuses(document, "get", "/public") == {"200", "default"}

    def test_every_error_response_is_a_problem(self):
        document = service_like_app().openapi()
        for item in document["paths"].values():
            for op in item.values():
                for status, response in op["responses"].items():
                    if status == "default" or int(status) >= 400:
                        assert response["content"] == {PROBLEM_JSON: {"schema": PROBLEM}}

    def test_a_route_adds_statuses_of_its_own(self):
        responses = operation(service_like_app().openapi(), "post", "/imports")["responses"]
        assert responses["415"]["description"] == "Send text/csv"
        assert responses["413"]["content"] == {PROBLEM_JSON: {"schema": PROBLEM}}

    def test_routes_added_later_are_described_too(self):
        app = service_like_app()
        app.openapi()

        @app.get("/later/{item_id}")
        async def later(item_id: str) -> dict:
            return {}

        assert "404" in statuses(app.openapi(), "get", "/later/{item_id}")


class TestSecurity:
    def test_the_bearer_scheme_is_declared(self):
        schemes = service_like_app().openapi()["components"]["securitySchemes"]
        assert schemes[BEARER] == {**schemes[BEARER], "type": "http", "scheme": "bearer"}

    def test_a_route_that_requires_a_token_says_so(self):
        document = service_like_app().openapi()
        assert operation(document, "get", "/things/{thing_id}")["security"] == [{BEARER: []}]
        assert operation(document, "post", "/things")["security"] == [{BEARER: []}]

    def test_a_token_that_is_optional_is_documented_as_optional(self):
        document = service_like_app().openapi()
        assert operation(document, "get", "/catalog")["security"] == [{}, {BEARER: []}]

    def test_a_route_without_a_token_names_none(self):
        assert "security" not in operation(service_like_app().openapi(), "get", "/public")
