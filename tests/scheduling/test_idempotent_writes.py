"""Every scheduling write honours Idempotency-Key: a retry with the same key gets the first answer
back (marked Idempotent-Replayed) and does not do the work again; the same key on a different
request is refused."""

from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import func
from sqlmodel import select

from services.scheduling.attendance.models import Attendance
from services.scheduling.db import OutboxEvent
from services.scheduling.events.models import Slot
from services.scheduling.programs.models import CohortEntry, Program
from services.scheduling.sessions.models import Session
from services.scheduling.signin_sheets.models import SignInSheetJob
from tests.scheduling.conftest import API, problem

PROGRAM = {"name": "Phase 2", "starts_on": "2017-07-01", "ends_on": "2020-06-30"}
SLOT = {"label": "Breakout A", "starts_at": "2026-03-04T10:00:00-08:00",
        "ends_at": "2026-03-04T11:00:00-08:00"}
SERIES = {"title": "Lesson study", "first_date": "2026-03-03", "weekday": "tuesday",
          "start_time": "15:30", "end_time": "17:00", "every_weeks": 2, "count": 4, "capacity": 20}
SHEET = "email,full_name,role,school,district,county\n"


@dataclass
class Write:
    """One request, a different request under the same key, and the rows whose number tells
    whether the work was done again."""

    method: str
    path: str
    other_path: str
    body: Any = None
    other_body: Any = None
    counted: type = OutboxEvent
    headers: dict | None = None

    def send(self, client, headers: dict, *, other: bool = False):
        path, body = (self.other_path, self.other_body) if other else (self.path, self.body)
        if isinstance(body, str):  # a CSV sheet
            return client.request(self.method, path, content=body.encode(),
                                  headers={**headers, "Content-Type": "text/csv"})
        return client.request(self.method, path, json=body, headers=headers)


async def _program(api, admin) -> dict:
    response = await api.client.post(f"{API}/programs", headers=admin,
                                     json={"network_id": api.network, **PROGRAM})
    assert response.status_code == 201, response.text
    return response.json()


async def _cohort_entry(api, admin, program_id: str) -> str:
    response = await api.client.post(f"{API}/programs/{program_id}/cohort", headers=admin,
                                     json={"person_id": api.new_person(),
                                           "program_year": "2018-19"})
    assert response.status_code == 201, response.text
    return response.json()["id"]


async def _write(route: str, api) -> Write:
    """The route under test, with what it needs built through the API first."""
    admin = api.person(roles={api.network: ["network_admin"]})
    if route in ("programs-create", "programs-update", "cohort-add", "cohort-remove"):
        program = await _program(api, admin)
        pid = program["id"]
        if route == "programs-create":
            return Write("POST", f"{API}/programs", f"{API}/programs",
                         {"network_id": api.network, **PROGRAM},
                         {"network_id": api.network, **PROGRAM, "name": "Other"},
                         counted=Program, headers=admin)
        if route == "programs-update":
            return Write("PATCH", f"{API}/programs/{pid}", f"{API}/programs/{pid}",
                         {"name": "Renamed"}, {"name": "Other"}, headers=admin)
        if route == "cohort-add":
            body = {"person_id": api.new_person(), "program_year": "2018-19"}
            return Write("POST", f"{API}/programs/{pid}/cohort", f"{API}/programs/{pid}/cohort",
                         body, {**body, "role": "coach"}, counted=CohortEntry, headers=admin)
        first, second = (await _cohort_entry(api, admin, pid), await _cohort_entry(api, admin, pid))
        return Write("DELETE", f"{API}/programs/{pid}/cohort/{first}",
                     f"{API}/programs/{pid}/cohort/{second}", headers=admin)
    event = await api.event(kind="conference")
    eid = event["id"]
    if route == "event-update":
        return Write("PATCH", f"{API}/events/{eid}", f"{API}/events/{eid}",
                     {"title": "Renamed"}, {"title": "Other"})
    if route == "slot-create":
        return Write("POST", f"{API}/events/{eid}/slots", f"{API}/events/{eid}/slots",
                     SLOT, {**SLOT, "label": "Breakout B"}, counted=Slot)
    if route == "session-create":
        body = {"title": "Keynote", "starts_at": "2026-03-04T09:00:00-08:00",
                "ends_at": "2026-03-04T10:00:00-08:00", "capacity": 100}
        return Write("POST", f"{API}/events/{eid}/sessions", f"{API}/events/{eid}/sessions",
                     body, {**body, "capacity": 50}, counted=Session)
    if route == "series-create":
        return Write("POST", f"{API}/events/{eid}/sessions/series",
                     f"{API}/events/{eid}/sessions/series", SERIES, {**SERIES, "count": 3},
                     counted=Session)
    session = await api.session(eid)
    sid = session["id"]
    if route == "session-update":
        return Write("PATCH", f"{API}/sessions/{sid}", f"{API}/sessions/{sid}",
                     {"capacity": 30}, {"capacity": 40})
    if route == "attendance":
        return Write("POST", f"{API}/sessions/{sid}/attendance", f"{API}/sessions/{sid}/attendance",
                     {"person_id": api.new_person()}, {"person_id": api.new_person()},
                     counted=Attendance)
    if route == "sign-in-sheet":
        return Write("POST", f"{API}/sessions/{sid}/sign-in-sheet",
                     f"{API}/sessions/{sid}/sign-in-sheet", SHEET + "a@x.test,A,teacher,,,\n",
                     SHEET + "b@x.test,B,teacher,,,\n", counted=SignInSheetJob)
    assert route == "registration-cancel"
    participant = api.person()
    first = (await api.register(sid, participant)).json()["id"]
    second_session = await api.session(eid)
    second = (await api.register(second_session["id"], participant)).json()["id"]
    return Write("DELETE", f"{API}/registrations/{first}", f"{API}/registrations/{second}",
                 headers=participant)


async def _count(app, table: type) -> int:
    async with app.state.sessions() as db:
        return (await db.exec(select(func.count()).select_from(table))).one()


ROUTES = ["event-update", "slot-create", "session-create", "series-create", "session-update",
          "attendance", "registration-cancel", "sign-in-sheet", "programs-create",
          "programs-update", "cohort-add", "cohort-remove"]


@pytest.mark.parametrize("route", ROUTES)
async def test_a_retry_replays_the_first_answer_without_doing_the_work_again(route, api, app,
                                                                              client):
    write = await _write(route, api)
    headers = {**(write.headers or api.leader), "Idempotency-Key": f"retry-{route}"}
    before = await _count(app, write.counted)
    first = await write.send(client, headers)
    assert first.status_code in (200, 201, 202, 204), first.text
    assert "idempotent-replayed" not in first.headers
    done_once = await _count(app, write.counted)
    assert done_once != before  # the first request did its work

    again = await write.send(client, headers)
    assert again.status_code == first.status_code
    assert again.headers["idempotent-replayed"] == "true"
    assert again.content == first.content
    assert await _count(app, write.counted) == done_once

    reused = await write.send(client, headers, other=True)
    assert problem(reused, 422)["code"] == "idempotency_key_reused"
    assert await _count(app, write.counted) == done_once
