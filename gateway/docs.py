"""API documentation at the gateway: a Swagger UI page over each service's own OpenAPI document
(/api/<service>/v1/openapi.json, proxied like any API path), and /api/openapi.json, the services'
documents merged into one for client generation.

The merge keeps paths as they are (each service serves under /api/<service>/; any other path of
its document is left out, since the gateway would not route it to that service), prefixes
every component name with the service (`Identity_TokenPublic`) and rewrites the $refs and
security requirements that name them, and prefixes tags. It is built on request from the
services' current documents and cached briefly; a service that cannot be reached is listed under
`x-unavailable` and the incomplete result is not cached.
"""

import asyncio
import html
import json
import time
from typing import Any

import httpx
from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, JSONResponse

from gateway.settings import API_SERVICES
from gateway.upstreams import Upstream

SWAGGER_JS = "/static/vendor/swagger-ui/swagger-ui-bundle.js"
SWAGGER_CSS = "/static/vendor/swagger-ui/swagger-ui.css"
COMBINED = "/api/openapi.json"
HTTP_METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})


def service_document_url(service: str) -> str:
    return f"/api/{service}/v1/openapi.json"


def _rewrite_refs(node: Any, prefix: str) -> Any:
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str) and value.startswith("#/components/"):
                section, _, name = value[len("#/components/"):].partition("/")
                out[key] = f"#/components/{section}/{prefix}{name}"
            else:
                out[key] = _rewrite_refs(value, prefix)
        return out
    if isinstance(node, list):
        return [_rewrite_refs(item, prefix) for item in node]
    return node


def _prefixed_security(requirements: list[dict], prefix: str) -> list[dict]:
    return [{f"{prefix}{name}": scopes for name, scopes in requirement.items()}
            for requirement in requirements]


def merge_documents(documents: dict[str, dict], unavailable: list[str]) -> dict:
    merged: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {"title": "Cascade API", "version": "1.0.0",
                 "description": "Every Cascade service's API, as the gateway serves it."},
        "paths": {},
        "components": {},
        "tags": [],
    }
    for service, document in documents.items():
        prefix = f"{service.capitalize()}_"
        document = _rewrite_refs(document, prefix)
        default_security = document.get("security")
        for path, item in document.get("paths", {}).items():
            if not path.startswith(f"/api/{service}/"):
                continue  # the gateway would not route it to this service
            for method, operation in item.items():
                if method not in HTTP_METHODS or not isinstance(operation, dict):
                    continue
                operation["tags"] = [f"{service} {tag}" for tag in operation.get("tags", [])] or [
                    service]
                security = operation.get("security", default_security)
                if security is not None:
                    operation["security"] = _prefixed_security(security, prefix)
            merged["paths"][path] = item
        for section, members in document.get("components", {}).items():
            target = merged["components"].setdefault(section, {})
            for name, value in members.items():
                target[f"{prefix}{name}"] = value
        for tag in document.get("tags", []):
            merged["tags"].append({**tag, "name": f"{service} {tag['name']}"})
    if unavailable:
        merged["x-unavailable"] = unavailable
    return merged


class CombinedDocument:
    def __init__(self, upstreams: dict[str, Upstream], *, cache_seconds: float,
                 timeout: float) -> None:
        self._upstreams = upstreams
        self._cache_seconds = cache_seconds
        self._timeout = timeout
        self._cached: tuple[float, dict] | None = None
        self._lock = asyncio.Lock()

    async def get(self) -> dict:
        async with self._lock:  # one rebuild at a time; the others take its result
            if self._cached and self._cached[0] > time.monotonic():
                return self._cached[1]
            fetched = await asyncio.gather(*(self._fetch(name) for name in API_SERVICES))
            answers = list(zip(API_SERVICES, fetched, strict=True))
            documents = {name: doc for name, doc in answers if doc is not None}
            unavailable = [name for name, doc in answers if doc is None]
            merged = merge_documents(documents, unavailable)
            if not unavailable:
                self._cached = (time.monotonic() + self._cache_seconds, merged)
            return merged

    async def _fetch(self, service: str) -> dict | None:
        try:
            async with asyncio.timeout(self._timeout):
                response = await self._upstreams[service].client.get(
                    service_document_url(service), timeout=self._timeout)
            if response.status_code == 200:
                return response.json()
        except (httpx.HTTPError, TimeoutError, ValueError):
            pass
        return None


_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Cascade API</title>
<link rel="stylesheet" href="{css}">
<style>
  nav {{ font-family: sans-serif; padding: .75rem 1rem; border-bottom: 1px solid #ccc; }}
  nav label {{ margin-right: .5rem; }}
</style>
</head>
<body>
<nav aria-label="API documents">
<form method="get" action="/api/docs">
  <label for="service">API</label>
  <select id="service" name="service">{options}</select>
  <button type="submit">Show</button>
</form>
</nav>
<main id="swagger-ui"></main>
<script src="{js}"></script>
<script>
SwaggerUIBundle({{url: {url}, dom_id: "#swagger-ui", deepLinking: true,
                 presets: [SwaggerUIBundle.presets.apis]}});
</script>
</body>
</html>
"""


def docs_router(document: CombinedDocument) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    choices = {"all": ("All services", COMBINED)} | {
        name: (name.capitalize(), service_document_url(name)) for name in API_SERVICES}

    @router.get("/api/docs")
    async def api_docs(service: str = Query("all")) -> HTMLResponse:
        chosen = service if service in choices else "all"
        options = "".join(
            f'<option value="{key}"{" selected" if key == chosen else ""}>'
            f"{html.escape(label)}</option>"
            for key, (label, _) in choices.items())
        return HTMLResponse(_PAGE.format(css=SWAGGER_CSS, js=SWAGGER_JS, options=options,
                                         url=json.dumps(choices[chosen][1])))

    @router.get(COMBINED)
    async def combined_openapi() -> JSONResponse:
        return JSONResponse(await document.get())

    return router
