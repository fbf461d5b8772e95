"""/healthz and /readyz report every upstream; /api/docs and /api/openapi.json document them."""

import httpx
import pytest
from fastapi import FastAPI
from pydantic import BaseModel

from gateway.docs import SWAGGER_CSS, SWAGGER_JS
from gateway.settings import API_SERVICES, UPSTREAMS
from shared.auth import PrincipalDep
from shared.openapi import install_openapi
from tests.gateway.conftest import echo_app, gateway_client, settings_for


def service_app(name: str) -> FastAPI:
    """A service-shaped app: its document under /api/<name>/v1, a schema named like another
    service's (they must not collide once merged) and the bearer scheme."""

    class EventPublic(BaseModel):
        id: str
        title: str

    class EventList(BaseModel):
        items: list[EventPublic]

    app = FastAPI(title=name, openapi_url=f"/api/{name}/v1/openapi.json")

    @app.get(f"/api/{name}/v1/events", tags=["events"], operation_id=f"{name}-events-list")
    async def list_events() -> EventList:
        return EventList(items=[])

    @app.get(f"/api/{name}/v1/events/{{event_id}}", tags=["events"])
    async def get_event(event_id: str, principal: PrincipalDep) -> EventPublic:
        return EventPublic(id=event_id, title="")

    @app.get("/healthz")
    async def healthz() -> dict:
        return {"status": "ok"}

    @app.get("/readyz")
    async def readyz() -> dict:
        return {"status": "ok"}

    @app.get("/not-under-the-prefix")
    async def stray() -> dict:
        return {}

    install_openapi(app)  # as every service's app does: problems and the bearer scheme
    return app


def services() -> dict[str, httpx.AsyncBaseTransport]:
    apps = {name: service_app(name) for name in API_SERVICES} | {"web": service_app("web")}
    return {name: httpx.ASGITransport(app=app) for name, app in apps.items()}


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
async def test_healthy_when_every_upstream_answers(path):
    async with gateway_client(transports=services()) as gateway:
        response = await gateway.get(path)
    assert response.status_code == 200
    assert set(response.json()["upstreams"]) == set(UPSTREAMS)
    assert {u["status"] for u in response.json()["upstreams"].values()} == {"ok"}


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
async def test_unavailable_when_one_upstream_is_down(path):
    wired = services()
    del wired["reach"]  # settings_for points it at a closed port
    async with gateway_client(settings_for(), transports=wired) as gateway:
        response = await gateway.get(path)
    assert response.status_code == 503
    assert response.json()["upstreams"]["reach"]["status"] == "down"
    assert response.json()["upstreams"]["identity"]["status"] == "ok"


async def test_a_failing_upstream_check_is_reported_down():
    wired = services() | {"web": httpx.ASGITransport(app=echo_app("web"))}  # /healthz 200
    wired["evidence"] = httpx.ASGITransport(app=FastAPI())  # no /healthz: 404
    async with gateway_client(transports=wired) as gateway:
        response = await gateway.get("/healthz")
    assert response.status_code == 503
    assert response.json()["upstreams"]["evidence"] == {
        "status": "down", "http_status": 404, "ms": response.json()["upstreams"]["evidence"]["ms"]}


async def test_the_docs_page_lists_every_service_with_self_hosted_assets():
    async with gateway_client(transports=services()) as gateway:
        page = await gateway.get("/api/docs")
        scheduling = await gateway.get("/api/docs", params={"service": "scheduling"})
    assert page.status_code == 200
    assert SWAGGER_JS in page.text and SWAGGER_CSS in page.text
    assert "cdn" not in page.text.lower() and "https://" not in page.text
    for name in API_SERVICES:
        assert f'value="{name}"' in page.text
    assert '"/api/openapi.json"' in page.text
    assert '"/api/scheduling/v1/openapi.json"' in scheduling.text


async def test_each_service_document_is_reachable_through_the_gateway():
    async with gateway_client(transports=services()) as gateway:
        response = await gateway.get("/api/evidence/v1/openapi.json")
    assert response.json()["info"]["title"] == "evidence"


async def test_the_combined_document_prefixes_components_and_rewrites_refs():
    async with gateway_client(transports=services()) as gateway:
        document = (await gateway.get("/api/openapi.json")).json()
    schemas = document["components"]["schemas"]
    for name in API_SERVICES:
        prefix = name.capitalize()
        assert {f"{prefix}_EventPublic", f"{prefix}_EventList"} <= set(schemas)
        operation = document["paths"][f"/api/{name}/v1/events"]["get"]
        ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
        assert ref == f"#/components/schemas/{prefix}_EventList"
        assert operation["tags"] == [f"{name} events"]
        items = schemas[f"{prefix}_EventList"]["properties"]["items"]["items"]["$ref"]
        assert items == f"#/components/schemas/{prefix}_EventPublic"
    assert "/not-under-the-prefix" not in document["paths"]
    assert "x-unavailable" not in document


def _refs(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


async def test_the_combined_document_keeps_problems_and_security_resolvable():
    async with gateway_client(transports=services()) as gateway:
        document = (await gateway.get("/api/openapi.json")).json()
    components = document["components"]
    for ref in set(_refs(document)):
        section, name = ref.removeprefix("#/components/").split("/")
        assert name in components[section], ref
    for name in API_SERVICES:
        prefix = name.capitalize()
        operation = document["paths"][f"/api/{name}/v1/events/{{event_id}}"]["get"]
        assert operation["security"] == [{f"{prefix}_bearer": []}]
        assert components["securitySchemes"][f"{prefix}_bearer"]["scheme"] == "bearer"
        assert operation["responses"]["404"]["content"]["application/problem+json"] == {
            "schema": {"$ref": f"#/components/schemas/{prefix}_Problem"}}


async def test_the_combined_document_names_a_service_it_could_not_reach():
    wired = services()
    del wired["evidence"]
    async with gateway_client(settings_for(), transports=wired) as gateway:
        document = (await gateway.get("/api/openapi.json")).json()
    assert document["x-unavailable"] == ["evidence"]
    assert "/api/identity/v1/events" in document["paths"]
