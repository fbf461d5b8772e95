"""Which upstream a request reaches, and what it carries there and back."""

import httpx
import pytest

from tests.gateway.conftest import echo_app, gateway_client, header, serve, settings_for


class TestRouting:
    @pytest.mark.parametrize("service", ["identity", "scheduling", "evidence", "reach"])
    async def test_api_path_goes_to_its_service_with_path_and_query_unchanged(
            self, echo_gateway, service):
        response = await echo_gateway.get(
            f"/api/{service}/v1/events/a%2Fb?b=2&a=1&a=%20x&flag")
        answer = response.json()
        assert response.status_code == 200
        assert answer["service"] == service
        assert answer["raw_path"] == f"/api/{service}/v1/events/a%2Fb"
        assert answer["query"] == "b=2&a=1&a=%20x&flag"

    @pytest.mark.parametrize("path", ["/", "/static/app.css", "/events/42", "/login?next=/x",
                                      "/apis", "/api"])
    async def test_everything_else_goes_to_web(self, echo_gateway, path):
        response = await echo_gateway.get(path)
        assert response.json()["service"] == "web"
        assert response.json()["path"] == path.split("?")[0]

    async def test_forms_are_posted_to_web_with_their_body(self, echo_gateway):
        response = await echo_gateway.post("/events/42/register", data={"seat": "1"})
        assert response.json()["service"] == "web"
        assert response.json()["method"] == "POST"
        assert response.json()["body_length"] == len("seat=1")

    async def test_unknown_api_is_a_404_problem(self, echo_gateway):
        response = await echo_gateway.get("/api/payroll/v1/salaries")
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["code"] == "unknown_service"

    async def test_upstream_errors_pass_through_unchanged(self, echo_gateway):
        response = await echo_gateway.get("/api/reach/v1/fail")
        assert response.status_code == 500
        assert response.json()["service"] == "reach"


class TestRequestId:
    async def test_gateway_mints_the_id_sends_it_upstream_and_echoes_it(self, echo_gateway):
        first = await echo_gateway.get("/api/identity/v1/me", headers={"X-Request-ID": "evil"})
        second = await echo_gateway.get("/api/identity/v1/me", headers={"X-Request-ID": "evil"})
        for response in (first, second):
            minted = response.headers["x-request-id"]
            assert minted != "evil"
            assert header(response.json(), "x-request-id") == [minted]
        assert first.headers["x-request-id"] != second.headers["x-request-id"]

    async def test_problem_answers_carry_the_id_too(self, echo_gateway):
        response = await echo_gateway.get("/api/nothing/v1/x")
        assert response.json()["request_id"] == response.headers["x-request-id"]


class TestForwardedHeaders:
    async def test_spoofed_forwarded_headers_are_replaced(self, echo_gateway):
        response = await echo_gateway.get("/api/scheduling/v1/events", headers={
            "X-Forwarded-For": "6.6.6.6", "X-Forwarded-Host": "evil.example",
            "X-Forwarded-Proto": "https", "Forwarded": "for=6.6.6.6", "X-Real-IP": "6.6.6.6",
        })
        answer = response.json()
        assert header(answer, "x-forwarded-for") == ["203.0.113.7"]
        assert header(answer, "x-forwarded-host") == ["cascade.test"]
        assert header(answer, "x-forwarded-proto") == ["http"]
        assert header(answer, "forwarded") == header(answer, "x-real-ip") == []

    async def test_hop_by_hop_headers_and_those_named_in_connection_are_dropped(
            self, echo_gateway):
        response = await echo_gateway.get("/api/evidence/v1/files", headers={
            "Connection": "keep-alive, X-Private", "X-Private": "1", "Keep-Alive": "timeout=5",
            "TE": "trailers", "Proxy-Authorization": "Basic eA==", "X-Kept": "yes",
        })
        names = {name for name, _ in response.json()["headers"]}
        assert {"x-private", "keep-alive", "te", "proxy-authorization", "connection"}.isdisjoint(
            names)
        assert header(response.json(), "x-kept") == ["yes"]

    async def test_authorization_reaches_the_service_untouched(self, echo_gateway):
        response = await echo_gateway.get("/api/reach/v1/reports",
                                          headers={"Authorization": "Bearer eyJ.x.y"})
        assert header(response.json(), "authorization") == ["Bearer eyJ.x.y"]


class TestCookies:
    async def test_cookies_are_stripped_on_api_routes_and_forwarded_to_web(self, echo_gateway):
        cookies = {"Cookie": "session=abc; theme=dark"}
        api = await echo_gateway.get("/api/identity/v1/me", headers=cookies)
        web = await echo_gateway.get("/events", headers=cookies)
        assert header(api.json(), "cookie") == []
        assert header(web.json(), "cookie") == ["session=abc; theme=dark"]

    async def test_set_cookie_from_web_reaches_the_browser(self, echo_gateway):
        response = await echo_gateway.get("/login/set-cookie")
        assert "session=web-secret" in response.headers["set-cookie"]

    @pytest.mark.parametrize("transport", ["pool", "httpx"])
    async def test_a_cookie_set_for_one_caller_never_reaches_another(self, transport):
        async with serve(echo_app("web")) as web_url:
            settings = settings_for(web_url=web_url, transport=transport)
            async with gateway_client(settings) as gateway:
                first = await gateway.get("/login/set-cookie")
                assert "web-secret" in first.headers["set-cookie"]
                # A different caller: a fresh client with no cookies of its own.
                async with httpx.AsyncClient(transport=gateway._transport,
                                             base_url="http://cascade.test") as other:
                    second = await other.get("/events")
        assert header(second.json(), "cookie") == []


class TestNoSniff:
    @pytest.mark.parametrize("path", ["/api/scheduling/v1/events", "/api/reach/v1/fail", "/",
                                      "/api/nothing/v1/x", "/healthz", "/api/openapi.json"])
    async def test_every_answer_is_nosniff_relayed_or_the_gateways_own(self, echo_gateway, path):
        # The echo upstreams set no such header: the gateway adds it to what it relays, and to
        # its own answers (an unknown API's 404, health, the combined OpenAPI document).
        response = await echo_gateway.get(path)
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers.get_list("x-content-type-options") == ["nosniff"]
