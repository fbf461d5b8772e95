"""Sign-in sheet import through the whole stack: the sheet goes in at the gateway, scheduling
finds or creates each person in the real identity service and records their attendance once."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
import jwt
import pytest

from services.scheduling.signin_sheets.models import SignInSheetJob
from tests.scheduling.conftest import API, problem
from tests.support.stack import CLIENT_SECRETS, ROOT_LOGIN, bearer, eventually

IDENTITY = "/api/identity/v1"
HEADER = "email,full_name,role,school,district,county\n"
SHEET = (
    HEADER
    + "not-an-email,Bad Email,teacher,,,\n"                          # line 2
    + "wizard@stack.test,Unknown Role,wizard,,,\n"                   # line 3
    + "noname@stack.test,,teacher,,,\n"                              # line 4
    + "New.Teacher@stack.test,Nia Teacher,teacher,lincoln elementary,OAKLAND UNIFIED,Alameda\n"
    + "EXISTING@Stack.test,Existing Person,coach_tosa,,,\n"          # line 6
)


@dataclass
class Workshop:
    stack: object
    root: str
    leader: str
    participant: str
    session_id: str
    school_id: str
    district_id: str

    async def upload(self, content: str, token: str | None = None) -> httpx.Response:
        return await self.stack.client.post(
            f"{API}/sessions/{self.session_id}/sign-in-sheet", content=content.encode(),
            headers={**bearer(token or self.leader), "Content-Type": "text/csv"})

    async def finished(self, job_id: str) -> dict:
        async def done():
            response = await self.stack.client.get(f"{API}/jobs/{job_id}",
                                                   headers=bearer(self.leader))
            assert response.status_code == 200, response.text
            body = response.json()
            return body if body["status"] in ("done", "failed") else None
        return await eventually(done)

    async def attendance(self) -> list[dict]:
        response = await self.stack.client.get(f"{API}/sessions/{self.session_id}/attendance",
                                               params={"limit": 100}, headers=bearer(self.leader))
        assert response.status_code == 200, response.text
        return response.json()["items"]

    async def person(self, email: str) -> dict:
        response = await self.stack.client.get(f"{IDENTITY}/people", params={"email": email},
                                               headers=bearer(self.root))
        assert response.status_code == 200, response.text
        [person] = response.json()["items"]
        return person


async def _post(stack, path: str, token: str, **kwargs) -> dict:
    response = await stack.client.post(path, headers=bearer(token), **kwargs)
    assert response.status_code in (200, 201), response.text
    return response.json()


async def _workshop(stack) -> Workshop:
    root = await stack.token(*ROOT_LOGIN)
    network = await _post(stack, f"{IDENTITY}/organizations", root,
                          json={"name": "Bay Teacher Network", "kind": "network"})
    district = await _post(stack, f"{IDENTITY}/organizations", root,
                           json={"name": "Oakland Unified", "kind": "district",
                                 "county": "Alameda"})
    school = await _post(stack, f"{IDENTITY}/organizations", root,
                         json={"name": "Lincoln Elementary", "kind": "school",
                               "parent_id": district["id"]})
    leader = await _post(stack, f"{IDENTITY}/people", root, json={
        "email": "leader@stack.test", "full_name": "Maria Lopez", "role": "teacher"})
    await _post(stack, f"{IDENTITY}/organizations/{network['id']}/members", root,
                json={"person_id": leader["id"], "role": "leader"})
    await _post(stack, f"{IDENTITY}/people", root, json={
        "email": "existing@stack.test", "full_name": "Existing Person", "role": "coach_tosa"})
    for email in ("leader@stack.test", "teacher@stack.test"):
        await stack.create_account(email, "long-enough-password", "Someone")
    leader_token = await stack.token("leader@stack.test", "long-enough-password")
    event = await _post(stack, f"{API}/events", leader_token, json={
        "network_id": network["id"], "kind": "workshop_series", "title": "Argument writing",
        "subjects": ["ELA"], "grade_min": "6", "grade_max": "8",
        "timezone": "America/Los_Angeles", "credit_hours": 3, "status": "published"})
    session = await _post(stack, f"{API}/events/{event['id']}/sessions", leader_token, json={
        "title": "Session I", "starts_at": "2026-03-04T16:00:00-08:00",
        "ends_at": "2026-03-04T18:00:00-08:00", "capacity": 30,
        "facilitator_ids": [leader["id"]]})
    return Workshop(stack=stack, root=root, leader=leader_token,
                    participant=await stack.token("teacher@stack.test", "long-enough-password"),
                    session_id=session["id"], school_id=school["id"], district_id=district["id"])


async def _attendance_events(stack) -> list[dict]:
    token = (await _post(stack, f"{IDENTITY}/token", "", data={
        "grant_type": "client_credentials", "client_id": "reach",
        "client_secret": CLIENT_SECRETS["reach"]}))["access_token"]
    response = await stack.client.get(f"{API}/feed", params={"limit": 1000},
                                      headers=bearer(token))
    assert response.status_code == 200, response.text
    return [e for e in response.json()["events"] if e["topic"] == "attendance.recorded"]


class TestImport:
    async def test_good_lines_are_applied_and_bad_lines_reported(self, stack):
        workshop = await _workshop(stack)

        response = await workshop.upload(SHEET)

        assert response.status_code == 202, response.text
        assert response.json()["status"] in ("queued", "running", "done")
        assert response.json()["total"] == 5
        job = await workshop.finished(response.json()["job_id"])
        assert job["status"] == "done", job
        assert (job["total"], job["processed"], job["attended"], job["people_created"],
                job["people_matched"]) == (5, 5, 2, 1, 1)
        assert [e["line"] for e in job["errors"]] == [2, 3, 4]
        assert "email" in job["errors"][0]["message"]
        assert "role" in job["errors"][1]["message"] and "wizard" in job["errors"][1]["message"]
        assert "full_name" in job["errors"][2]["message"]

        new = await workshop.person("new.teacher@stack.test")
        assert (new["full_name"], new["school_id"], new["district_id"]) == (
            "Nia Teacher", workshop.school_id, workshop.district_id)
        existing = await workshop.person("existing@stack.test")
        attended = await workshop.attendance()
        assert sorted(a["person_id"] for a in attended) == sorted([new["id"], existing["id"]])
        assert {a["source"] for a in attended} == {"sign_in_sheet"}
        assert len(await _attendance_events(stack)) == 2

    async def test_importing_the_same_sheet_again_records_nothing_twice(self, stack):
        workshop = await _workshop(stack)
        first = await workshop.finished((await workshop.upload(SHEET)).json()["job_id"])

        # The second time as a multipart upload, the other way a sheet may come in.
        response = await stack.client.post(
            f"{API}/sessions/{workshop.session_id}/sign-in-sheet", headers=bearer(workshop.leader),
            files={"file": ("sheet.csv", SHEET.encode(), "text/csv")})

        assert response.status_code == 202, response.text
        second = await workshop.finished(response.json()["job_id"])
        assert first["attended"] == 2
        assert (second["status"], second["processed"], second["attended"],
                second["people_created"], second["people_matched"]) == ("done", 5, 0, 0, 2)
        assert [e["line"] for e in second["errors"]] == [2, 3, 4]
        assert len(await workshop.attendance()) == 2
        assert len(await _attendance_events(stack)) == 2


class TestRefusals:
    async def test_a_participant_may_neither_import_nor_read_the_job(self, stack):
        workshop = await _workshop(stack)
        problem(await workshop.upload(SHEET, token=workshop.participant), 403)
        job_id = (await workshop.upload(SHEET)).json()["job_id"]
        await workshop.finished(job_id)
        problem(await stack.client.get(f"{API}/jobs/{job_id}",
                                       headers=bearer(workshop.participant)), 403)
        assert len(await workshop.attendance()) == 2

    async def test_a_sheet_with_another_header_is_refused(self, stack):
        workshop = await _workshop(stack)
        body = problem(await workshop.upload("email,name,role\nx@stack.test,X,teacher\n"), 422)
        assert body["code"] == "invalid_sign_in_sheet"
        assert "email,full_name,role,school,district,county" in body["detail"]
        assert await workshop.attendance() == []

    async def test_an_oversized_or_unknown_upload_is_refused(self, stack):
        workshop = await _workshop(stack)
        line = "someone@stack.test,Some One,teacher,,,\n"
        huge = HEADER + line * (2 * 1024 * 1024 // len(line) + 1)
        assert problem(await workshop.upload(huge), 413)["code"] == "sheet_too_large"
        response = await stack.client.post(
            f"{API}/sessions/{workshop.session_id}/sign-in-sheet", json={"sheet": SHEET},
            headers=bearer(workshop.leader))
        assert problem(response, 415)["code"] == "unsupported_media_type"
        problem(await stack.client.get(f"{API}/jobs/nope", headers=bearer(workshop.leader)), 404)


class TestInterruptions:
    @pytest.mark.parametrize("failure", [503, None])
    async def test_lines_identity_cannot_answer_are_not_applied_and_the_job_stops(
            self, api, client, directory, failure):
        # The scheduling service alone, with identity answering 503 (or not at all) once the
        # session exists, so no line can be matched or created.
        event = await api.event()
        session = await api.session(event["id"])
        directory.failure = (failure,)
        sheet = HEADER + "".join(f"t{n}@stack.test,Teacher {n},teacher,,,\n" for n in range(5))

        response = await client.post(f"{API}/sessions/{session['id']}/sign-in-sheet",
                                     content=sheet.encode(),
                                     headers={**api.leader, "Content-Type": "text/csv"})
        assert response.status_code == 202, response.text

        async def stopped():
            job = (await client.get(f"{API}/jobs/{response.json()['job_id']}",
                                    headers=api.leader)).json()
            return job if job["status"] in ("done", "failed") else None
        job = await eventually(stopped)

        # The sheet is one chunk: identity was asked for it three times, then the job stopped
        # with none of its lines applied, and says so.
        assert (job["status"], job["total"], job["processed"], job["attended"]) == (
            "failed", 5, 0, 0)
        assert job["errors"] == []
        assert "Identity could not be reached" in job["message"]
        assert "from line 2 on were not applied" in job["message"]
        matches = [r for r in directory.requests if r.url.path.endswith("/people/matches:batch")]
        assert len(matches) == 3
        assert len({r.headers["idempotency-key"] for r in matches}) == 1
        listed = await client.get(f"{API}/sessions/{session['id']}/attendance", headers=api.leader)
        assert listed.json()["items"] == []

    async def test_a_job_whose_process_died_is_reported_failed(self, api, client, app):
        event = await api.event()
        session = await api.session(event["id"])
        long_ago = datetime.now(UTC) - timedelta(hours=1)
        async with app.state.sessions() as db:
            job = SignInSheetJob(session_id=session["id"], requested_by="someone", status="running",
                                 total=10, processed=4, created_at=long_ago, updated_at=long_ago)
            db.add(job)
            await db.commit()

        answer = (await client.get(f"{API}/jobs/{job.id}", headers=api.leader)).json()

        assert (answer["status"], answer["processed"]) == ("failed", 4)
        assert "upload the sheet again" in answer["message"]


def _claims(token: str) -> dict:
    """What a token says (its signature is identity's business here)."""
    return jwt.decode(token, options={"verify_signature": False})


class TestActingAsTheImporter:
    """Hole 6: a facilitator's import created people, districts and schools in identity with
    scheduling's own powers. Identity now decides, at POST /people/matches, with the importing
    user's own token: a facilitator creates people only; the network's staff may still create
    unverified schools and districts."""

    NEW = HEADER + "newbie@stack.test,New Bie,teacher,Nowhere Elementary,Nowhere Unified,Alameda\n"

    async def _organizations(self, workshop: Workshop, q: str) -> list[dict]:
        response = await workshop.stack.client.get(f"{IDENTITY}/organizations", params={"q": q},
                                                   headers=bearer(workshop.root))
        assert response.status_code == 200, response.text
        return response.json()["items"]

    async def test_a_teacher_who_facilitates_creates_people_but_no_organizations(self, stack):
        workshop = await _workshop(stack)
        teacher = _claims(workshop.participant)
        leader = _claims(workshop.leader)
        changed = await stack.client.patch(
            f"{API}/sessions/{workshop.session_id}", headers=bearer(workshop.leader),
            json={"facilitator_ids": [leader["person_id"], teacher["person_id"]]})
        assert changed.status_code == 200, changed.text

        response = await workshop.upload(self.NEW + "existing@stack.test,E,coach_tosa,,,\n",
                                         token=workshop.participant)

        assert response.status_code == 202, response.text
        job = await workshop.finished(response.json()["job_id"])
        assert (job["status"], job["attended"], job["people_created"], job["people_matched"],
                job["errors"]) == ("done", 2, 1, 1, [])
        newbie = await workshop.person("newbie@stack.test")
        assert (newbie["school_id"], newbie["district_id"]) == (None, None)
        assert await self._organizations(workshop, "Nowhere") == []
        # Identity recorded the change as the teacher's, made through scheduling.
        audit = await stack.client.get(f"{IDENTITY}/audit", headers=bearer(workshop.root),
                                       params={"limit": 200})
        [created] = [e for e in audit.json()["items"]
                     if e["action"] == "person.create" and e["target_id"] == newbie["id"]]
        assert created["actor_subject"] == teacher["sub"]

    async def test_the_networks_staff_may_still_create_unverified_places(self, stack):
        workshop = await _workshop(stack)
        response = await workshop.upload(self.NEW, token=workshop.root)
        job = await workshop.finished(response.json()["job_id"])
        assert (job["status"], job["people_created"]) == ("done", 1), job
        newbie = await workshop.person("newbie@stack.test")
        [school] = await self._organizations(workshop, "Nowhere Elementary")
        [district] = await self._organizations(workshop, "Nowhere Unified")
        assert (newbie["school_id"], newbie["district_id"]) == (school["id"], district["id"])
        assert not school["verified"] and not district["verified"]
