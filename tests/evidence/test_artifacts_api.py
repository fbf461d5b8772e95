"""Artifacts over the real scheduling service: evidence asks scheduling (through its gateway
client, as the caller) whether a session exists and who may handle its evidence."""

import hashlib
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func
from sqlmodel import select

from services.evidence.artifacts.models import Artifact
from services.evidence.db import OutboxEvent
from services.evidence.main import create_app as create_evidence
from services.evidence.settings import EvidenceSettings
from services.scheduling.main import create_app as create_scheduling
from services.scheduling.settings import SchedulingSettings
from tests.scheduling.conftest import Directory

NETWORK = "net-evidence"
LIMIT = 64 * 1024


class PathDispatcher:
    """Stands in for the gateway: /api/<service>/... goes to that service's app."""

    def __init__(self, apps: dict[str, object]) -> None:
        self.apps = apps

    async def __call__(self, scope, receive, send):
        service = scope["path"].split("/")[2] if scope["path"].startswith("/api/") else ""
        app = self.apps.get(service)
        if app is None:
            await send({"type": "http.response.start", "status": 503, "headers": []})
            await send({"type": "http.response.body", "body": b""})
            return
        await app(scope, receive, send)


class IdentityDouble:
    """Identity as scheduling's tests stand it in (tests/scheduling/conftest.py), as an ASGI app:
    it knows the evidence tests' network and people, so scheduling accepts their events."""

    def __init__(self) -> None:
        self.directory = Directory()
        self.directory.network(NETWORK)

    async def __call__(self, scope, receive, send):
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        query = scope["query_string"].decode()
        request = httpx.Request(scope["method"], f"http://gateway{scope['path']}"
                                + (f"?{query}" if query else ""),
                                headers=[(k.decode(), v.decode()) for k, v in scope["headers"]],
                                content=body)
        response = self.directory.handle(request)
        await send({"type": "http.response.start", "status": response.status_code,
                    "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": response.content})


class Suite:
    def __init__(self, client: httpx.AsyncClient, scheduling: httpx.AsyncClient, evidence_app,
                 files: Path, keys) -> None:
        self.client, self.scheduling, self.app, self.files, self.keys = (
            client, scheduling, evidence_app, files, keys)

    def admin(self) -> dict:
        return self.keys.headers(person_id="admin-1", roles={NETWORK: ["network_admin"]})

    async def session(self, facilitator: str = "fac-1", status: str = "published") -> dict:
        event = await self.scheduling.post("/api/scheduling/v1/events", headers=self.admin(), json={
            "network_id": NETWORK, "kind": "workshop_series", "title": "Argument writing",
            "grade_min": "6", "grade_max": "8", "timezone": "America/Los_Angeles",
            "status": status})
        assert event.status_code == 201, event.text
        session = await self.scheduling.post(
            f"/api/scheduling/v1/events/{event.json()['id']}/sessions", headers=self.admin(),
            json={"title": "Session I", "starts_at": "2026-09-10T16:00:00+00:00",
                  "ends_at": "2026-09-10T19:00:00+00:00", "capacity": 30,
                  "facilitator_ids": [facilitator]})
        assert session.status_code == 201, session.text
        return session.json()

    async def upload(self, session_id: str, headers: dict, content: bytes = b"%PDF-1.7 agenda",
                     filename: str = "agenda.pdf", content_type: str = "application/pdf",
                     kind: str = "agenda") -> httpx.Response:
        return await self.client.post(
            "/api/evidence/v1/artifacts", headers=headers,
            data={"kind": kind, "title": "Session I agenda", "session_id": session_id},
            files={"file": (filename, content, content_type)})

    def stored_files(self) -> list[Path]:
        return [p for p in self.files.rglob("*") if p.is_file()] if self.files.exists() else []

    async def count(self, model) -> int:
        async with self.app.state.sessions() as db:
            return (await db.exec(select(func.count()).select_from(model))).one()


@pytest.fixture
async def suite(database_urls, keys, tmp_path):
    dispatcher = PathDispatcher({"identity": IdentityDouble()})
    transport = httpx.ASGITransport(app=dispatcher)
    scheduling = create_scheduling(
        SchedulingSettings(database_url=database_urls["scheduling"], var_dir=tmp_path),
        gateway_transport=transport, verifier=keys.verifier("scheduling"))
    files = tmp_path / "evidence-files"
    evidence = create_evidence(
        EvidenceSettings(database_url=database_urls["evidence"], var_dir=tmp_path,
                         storage_dir=files, max_upload_bytes=LIMIT),
        gateway_transport=transport, verifier=keys.verifier("evidence"))
    dispatcher.apps.update(scheduling=scheduling, evidence=evidence)
    async with scheduling.router.lifespan_context(scheduling), \
            evidence.router.lifespan_context(evidence), \
            httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
        yield Suite(client, client, evidence, files, keys)


class TestUpload:
    async def test_round_trip_keeps_the_bytes_and_their_hash(self, suite, keys):
        session = await suite.session()
        content = b"%PDF-1.7\n" + bytes(range(256)) * 40
        facilitator = keys.headers(person_id="fac-1")
        response = await suite.upload(session["id"], facilitator, content=content,
                                      filename="../../etc/Agenda é.pdf")
        assert response.status_code == 201, response.text
        body = response.json()
        digest = hashlib.sha256(content).hexdigest()
        assert body["sha256"] == digest and body["size_bytes"] == len(content)
        assert body["session_id"] == session["id"] and body["event_id"] == session["event_id"]
        assert body["kind"] == "agenda" and body["uploaded_by"] == "fac-1"
        assert body["filename"] == "Agenda é.pdf"
        assert body["content_type"] == "application/pdf"
        # Stored under its hash, never under the client's name.
        assert [p.name for p in suite.stored_files()] == [digest]

        download = await suite.client.get(f"/api/evidence/v1/artifacts/{body['id']}/content",
                                          headers=facilitator)
        assert download.status_code == 200
        assert download.content == content
        assert hashlib.sha256(download.content).hexdigest() == digest
        assert download.headers["content-type"] == "application/pdf"
        assert download.headers["x-content-type-options"] == "nosniff"
        assert download.headers["content-disposition"].startswith("attachment;")
        assert "filename*=UTF-8''Agenda%20%C3%A9.pdf" in download.headers["content-disposition"]

        again = await suite.client.get(f"/api/evidence/v1/artifacts/{body['id']}",
                                       headers=suite.admin())
        assert again.json() == body
        listed = await suite.client.get("/api/evidence/v1/artifacts", headers=facilitator,
                                        params={"session_id": session["id"]})
        assert listed.json() == {"items": [body], "next_cursor": None}

    async def test_the_upload_is_announced_on_the_feed(self, suite, keys):
        session = await suite.session()
        body = (await suite.upload(session["id"], suite.admin())).json()
        feed = await suite.client.get("/api/evidence/v1/feed",
                                      headers=keys.headers(kind="service", sub="service:reach"))
        [event] = feed.json()["events"]
        assert event["topic"] == "artifact.created"
        assert event["payload"] == {k: body[k] for k in (
            "id", "session_id", "event_id", "kind", "sha256", "size_bytes")}

    async def test_an_unsafe_content_type_is_served_as_bytes(self, suite):
        session = await suite.session()
        body = (await suite.upload(session["id"], suite.admin(), content=b"<script>x()</script>",
                                   filename="page.html", content_type="text/html")).json()
        assert body["content_type"] == "application/octet-stream"
        download = await suite.client.get(f"/api/evidence/v1/artifacts/{body['id']}/content",
                                          headers=suite.admin())
        assert download.headers["content-type"] == "application/octet-stream"

    async def test_too_large_is_413_and_keeps_nothing(self, suite):
        session = await suite.session()
        response = await suite.upload(session["id"], suite.admin(), content=b"x" * (LIMIT + 1))
        assert response.status_code == 413
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["code"] == "upload_too_large"
        assert suite.stored_files() == []
        assert await suite.count(Artifact) == 0 and await suite.count(OutboxEvent) == 0
        exactly = await suite.upload(session["id"], suite.admin(), content=b"x" * LIMIT)
        assert exactly.status_code == 201

    async def test_a_declared_length_over_the_limit_is_refused_before_reading(self, suite):
        response = await suite.client.post(
            "/api/evidence/v1/artifacts", headers={
                **suite.admin(), "content-type": "multipart/form-data; boundary=x",
                "content-length": str(LIMIT * 4)},
            content=b"--x--\r\n")
        assert response.status_code == 413
        assert suite.stored_files() == []

    async def test_outsiders_are_refused_and_nothing_is_kept(self, suite, keys):
        session = await suite.session()
        teacher = keys.headers(person_id="someone-else")
        other_admin = keys.headers(roles={"other-network": ["network_admin"]})
        member = keys.headers(roles={NETWORK: ["member"]})
        for headers in (teacher, other_admin, member):
            response = await suite.upload(session["id"], headers)
            assert response.status_code == 403
            assert response.json()["code"] == "session_forbidden"
        assert suite.stored_files() == [] and await suite.count(Artifact) == 0
        kept = (await suite.upload(session["id"], suite.admin())).json()
        for path in (f"/api/evidence/v1/artifacts/{kept['id']}",
                     f"/api/evidence/v1/artifacts/{kept['id']}/content"):
            assert (await suite.client.get(path, headers=teacher)).status_code == 403
        listed = await suite.client.get("/api/evidence/v1/artifacts", headers=teacher,
                                        params={"session_id": session["id"]})
        assert listed.status_code == 403
        anonymous = await suite.client.post("/api/evidence/v1/artifacts",
                                            files={"file": ("a.txt", b"a", "text/plain")})
        assert anonymous.status_code == 401

    @pytest.mark.parametrize("role", ["leader", "coordinator"])
    async def test_network_staff_may_keep_evidence(self, suite, keys, role):
        session = await suite.session()
        response = await suite.upload(session["id"], keys.headers(roles={NETWORK: [role]}))
        assert response.status_code == 201

    async def test_unknown_session_is_404(self, suite):
        for session_id in ("no-such-session", "../../identity/v1/token"):
            response = await suite.upload(session_id, suite.admin())
            assert response.status_code == 404
            assert response.json()["code"] == "session_not_found"
        assert suite.stored_files() == []

    async def test_a_draft_session_is_unknown_to_its_facilitator_only_if_scheduling_hides_it(
            self, suite, keys):
        # Scheduling shows drafts to the network's staff only; evidence follows its answer.
        session = await suite.session(status="draft")
        facilitator = keys.headers(person_id="fac-1")
        assert (await suite.upload(session["id"], facilitator)).status_code == 404
        assert (await suite.upload(session["id"], suite.admin())).status_code == 201

    async def test_bad_forms_are_problems(self, suite):
        session = await suite.session()
        bad_kind = await suite.upload(session["id"], suite.admin(), kind="selfie")
        no_file = await suite.client.post("/api/evidence/v1/artifacts", headers=suite.admin(),
                                          data={"kind": "agenda", "title": "t",
                                                "session_id": session["id"]},
                                          files={"other": ("x", b"")})
        not_multipart = await suite.client.post("/api/evidence/v1/artifacts",
                                                headers=suite.admin(), json={"kind": "agenda"})
        assert bad_kind.status_code == 422 and bad_kind.json()["code"] == "invalid_artifact"
        assert no_file.status_code == 422
        assert not_multipart.status_code == 415
        assert suite.stored_files() == []

    async def test_unknown_artifact_is_404(self, suite):
        response = await suite.client.get("/api/evidence/v1/artifacts/nope",
                                          headers=suite.admin())
        assert response.status_code == 404


class TestIdempotentUpload:
    @pytest.mark.parametrize("change", ["content", "title"])
    async def test_a_retried_upload_keeps_one_artifact_and_another_under_its_key_is_422(
            self, suite, keys, change):
        session = await suite.session()
        facilitator = {**keys.headers(person_id="fac-1"), "Idempotency-Key": "upload-once"}
        first = await suite.upload(session["id"], facilitator)
        assert first.status_code == 201, first.text
        again = await suite.upload(session["id"], facilitator)
        assert again.status_code == 201
        assert again.headers["idempotent-replayed"] == "true"
        assert again.content == first.content
        assert await suite.count(Artifact) == 1
        assert await suite.count(OutboxEvent) == 1

        if change == "content":
            other = await suite.upload(session["id"], facilitator, content=b"%PDF-1.7 other")
        else:
            other = await suite.client.post(
                "/api/evidence/v1/artifacts", headers=facilitator,
                data={"kind": "agenda", "title": "Another title", "session_id": session["id"]},
                files={"file": ("agenda.pdf", b"%PDF-1.7 agenda", "application/pdf")})
        assert other.status_code == 422, other.text
        assert other.json()["code"] == "idempotency_key_reused"
        assert await suite.count(Artifact) == 1
        # Neither the replay nor the refusal left a file behind: only the first upload's.
        assert [p.name for p in suite.stored_files()] == [first.json()["sha256"]]
