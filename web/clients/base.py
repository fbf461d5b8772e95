"""The one HTTP client web uses: the gateway's public API, called with the user's access token.

A problem+json answer becomes an ApiError carrying what the page needs to explain it: the status,
the stable code, the detail and the per-field errors of a 422.
"""

from collections.abc import Mapping
from typing import Any, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel, ConfigDict

Model = TypeVar("Model", bound=BaseModel)


def segment(value: str) -> str:
    """An id as one segment of a path: a '/', '?' or '#' in it cannot name another route."""
    return quote(value, safe="")


class ApiModel(BaseModel):
    # Services may add fields to their answers; the pages read only what they know.
    model_config = ConfigDict(extra="ignore")


class FieldError(ApiModel):
    loc: list[str | int] = []
    msg: str = ""
    type: str = ""

    @property
    def field(self) -> str | None:
        """The name of the offending field: the last string of its location."""
        names = [part for part in self.loc
                 if isinstance(part, str) and part not in {"body", "query"}]
        return names[-1] if names else None


class ApiError(Exception):
    def __init__(self, status: int, code: str, detail: str, errors: list[FieldError] | None = None):
        super().__init__(f"{status} {code}: {detail}")
        self.status = status
        self.code = code
        self.detail = detail
        self.errors = errors or []

    @classmethod
    def from_response(cls, response: httpx.Response) -> "ApiError":
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            return cls(response.status_code, "http_error",
                       response.reason_phrase or "Request failed")
        raw_errors = body.get("errors")
        errors = [FieldError.model_validate(e) for e in raw_errors if isinstance(e, dict)] \
            if isinstance(raw_errors, list) else []
        return cls(
            response.status_code,
            str(body.get("code") or "http_error"),
            str(body.get("detail") or body.get("title") or response.reason_phrase),
            errors,
        )

    @property
    def unavailable(self) -> bool:
        return self.status in (502, 503, 504)


class Page(ApiModel):
    next_cursor: str | None = None


class GatewayClient:
    """Shared by the per-service clients; one pooled connection set for the whole web process."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def send(
        self,
        method: str,
        path: str,
        *,
        token: str | None,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        data: Mapping[str, str] | None = None,
        files: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        client_address: str | None = None,
    ) -> httpx.Response:
        """`client_address`: the browser this call is made for, passed on as X-Forwarded-For
        (the gateway believes it from web, one of its trusted proxies), so that the gateway's
        per-address rate limit and identity's sign-in throttle count that browser, not web."""
        all_headers = {"Accept": "application/json", **(headers or {})}
        if token:
            all_headers["Authorization"] = f"Bearer {token}"
        if client_address:
            all_headers["X-Forwarded-For"] = client_address
        query = {k: v for k, v in (params or {}).items() if v not in (None, "")}
        try:
            response = await self.http.request(
                method, path, params=query, json=json, data=data, files=files,
                headers=all_headers,
            )
        except httpx.TimeoutException:
            raise ApiError(504, "gateway_timeout", "The service took too long to answer.") from None
        except httpx.TransportError:
            raise ApiError(503, "unavailable", "The service cannot be reached right now.") from None
        if response.is_error:
            raise ApiError.from_response(response)
        return response

    async def get(self, model: type[Model], path: str, *, token: str | None,
                  params: Mapping[str, Any] | None = None) -> Model:
        response = await self.send("GET", path, token=token, params=params)
        return model.model_validate(response.json())

    async def post(self, model: type[Model], path: str, *, token: str | None, json: Any = None,
                   headers: Mapping[str, str] | None = None,
                   client_address: str | None = None) -> Model:
        response = await self.send("POST", path, token=token, json=json, headers=headers,
                                   client_address=client_address)
        return model.model_validate(response.json())

    async def every_page(self, page_model: type[Model], path: str, *, token: str | None,
                         params: Mapping[str, Any] | None = None) -> list[Any]:
        """All items of a cursor-paginated list; used only for short, per-person lists."""
        items: list[Any] = []
        cursor = None
        while True:
            page = await self.get(page_model, path, token=token,
                                  params={**(params or {}), "cursor": cursor, "limit": 200})
            items.extend(page.items)  # type: ignore[attr-defined]
            cursor = page.next_cursor  # type: ignore[attr-defined]
            if not cursor:
                return items
