"""Scheduling through the gateway: the catalog, events and sessions, sign-ups, rosters, check-in,
sign-in sheet imports, the personal calendar feed and the mailbox."""

from datetime import datetime
from typing import IO, Any

from web.clients.base import ApiModel, GatewayClient, Page

BASE = "/api/scheduling/v1"


class Session(ApiModel):
    id: str
    event_id: str
    network_id: str | None = None
    slot_id: str | None = None
    title: str = ""
    description: str = ""
    room: str | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    capacity: int | None = None
    facilitator_ids: list[str] = []
    confirmed_count: int = 0
    waitlist_count: int = 0
    status: str = "scheduled"
    cancelled_at: datetime | None = None

    @property
    def cancelled(self) -> bool:
        return self.status == "cancelled"

    @property
    def seats_left(self) -> int | None:
        if self.capacity is None:
            return None
        return max(self.capacity - self.confirmed_count, 0)


class Event(ApiModel):
    id: str
    network_id: str | None = None
    kind: str = "workshop_series"
    title: str
    subjects: list[str] = []
    grade_min: str | None = None
    grade_max: str | None = None
    timezone: str = "UTC"
    credit_hours: float | None = None
    status: str = "draft"
    format: str | None = None
    venue: str | None = None
    county: str | None = None
    description: str = ""
    audience: str | None = None
    program_id: str | None = None
    sessions: list[Session] = []

    @property
    def grade_span(self) -> str:
        if self.grade_min and self.grade_max:
            return self.grade_min if self.grade_min == self.grade_max \
                else f"{self.grade_min}–{self.grade_max}"
        return self.grade_min or self.grade_max or ""

    @property
    def first_start(self) -> datetime | None:
        starts = [s.starts_at for s in self.sessions if s.starts_at]
        return min(starts) if starts else None


class Slot(ApiModel):
    id: str
    event_id: str
    label: str
    starts_at: datetime
    ends_at: datetime


class SlotPage(Page):
    items: list[Slot]


class EventPage(Page):
    items: list[Event]


class County(ApiModel):
    name: str
    events: int = 0


class CountyPage(Page):
    items: list[County]


class Registration(ApiModel):
    id: str
    session_id: str
    event_id: str | None = None
    person_id: str | None = None
    status: str
    waitlist_position: int | None = None

    @property
    def active(self) -> bool:
        return self.status in ("confirmed", "waitlisted")


class MyRegistration(Registration):
    """A line of the caller's schedule, with what the schedule shows of its session."""

    session_title: str = ""
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    room: str | None = None
    event_title: str = ""
    event_kind: str = ""
    timezone: str = "UTC"
    venue: str | None = None


class MyRegistrationPage(Page):
    items: list[MyRegistration]


class RosterEntry(Registration):
    person_name: str | None = None
    person_email: str | None = None
    attended: bool = False


class RosterPage(Page):
    items: list[RosterEntry]


class Attendance(ApiModel):
    person_id: str
    source: str = ""


class AttendancePage(Page):
    items: list[Attendance]


class SessionCancellation(ApiModel):
    session: Session
    cancelled: list[Registration] = []


class RegistrationMove(ApiModel):
    previous: Registration
    registration: Registration
    promoted: list[Registration] = []


class AuditEntry(ApiModel):
    id: str
    session_id: str | None = None
    to_session_id: str | None = None
    person_id: str | None = None
    action: str
    actor: str = ""
    reason: str = ""
    details: dict[str, Any] = {}
    created_at: datetime


class AuditPage(Page):
    items: list[AuditEntry]


class LineError(ApiModel):
    line: int
    message: str


class Job(ApiModel):
    """An import running in the background: progress and the lines that were refused."""

    job_id: str
    status: str
    total: int = 0
    processed: int = 0
    errors: list[LineError] = []
    message: str | None = None

    @property
    def running(self) -> bool:
        return self.status in ("queued", "running")


class ImportJob(Job):
    """A sign-in sheet import, with its counts."""

    session_id: str
    attended: int = 0
    people_created: int = 0
    people_matched: int = 0


class PlannedSession(ApiModel):
    line: int
    title: str
    starts_at: datetime
    ends_at: datetime
    capacity: int
    room: str | None = None


class PlannedEvent(ApiModel):
    lines: list[int]
    valid: bool
    title: str
    kind: str | None = None
    subjects: list[str] = []
    grade_min: str | None = None
    grade_max: str | None = None
    format: str | None = None
    county: str | None = None
    timezone: str | None = None
    sessions: list[PlannedSession] = []


class EventImportPreview(ApiModel):
    """What an events spreadsheet would create, and what is wrong with which line."""

    lines: int
    valid_events: int
    invalid_events: int
    events: list[PlannedEvent]
    errors: list[LineError] = []


class ImportedEvent(ApiModel):
    event_id: str
    title: str
    line: int


class EventImportJob(Job):
    """An events spreadsheet import, with the events it created."""

    network_id: str
    event_status: str = "draft"
    events_created: int = 0
    sessions_created: int = 0
    skipped_events: int = 0
    events: list[ImportedEvent] = []


class CalendarLink(ApiModel):
    url: str


def _key(idempotency_key: str | None) -> dict[str, str]:
    return {"Idempotency-Key": idempotency_key} if idempotency_key else {}


class Message(ApiModel):
    """A notification as the mailbox shows it."""

    id: str
    kind: str
    email: str = ""
    name: str = ""
    subject: str
    body: str
    status: str
    delivered_via: str | None = None
    last_error: str | None = None
    created_at: datetime
    sent_at: datetime | None = None


class MessagePage(Page):
    items: list[Message]


class SchedulingClient:
    def __init__(self, gateway: GatewayClient) -> None:
        self.gateway = gateway

    async def list_events(self, token: str | None, *, filters: dict[str, Any],
                          cursor: str | None = None, limit: int = 20) -> EventPage:
        return await self.gateway.get(
            EventPage, f"{BASE}/events", token=token,
            params={**filters, "cursor": cursor, "limit": limit},
        )

    async def list_counties(self, token: str | None, *, status: str | None = None
                            ) -> list[County]:
        # A state has a few dozen counties: every page of them fits one select.
        return await self.gateway.every_page(CountyPage, f"{BASE}/events/counties", token=token,
                                             params={"status": status})

    async def get_event(self, token: str | None, event_id: str) -> Event:
        return await self.gateway.get(Event, f"{BASE}/events/{event_id}", token=token)

    async def create_event(self, token: str, body: dict[str, Any], *, idempotency_key: str
                           ) -> Event:
        return await self.gateway.post(Event, f"{BASE}/events", token=token, json=body,
                                       headers={"Idempotency-Key": idempotency_key})

    async def update_event(self, token: str, event_id: str, body: dict[str, Any], *,
                           idempotency_key: str | None = None) -> Event:
        response = await self.gateway.send("PATCH", f"{BASE}/events/{event_id}", token=token,
                                           json=body, headers=_key(idempotency_key))
        return Event.model_validate(response.json())

    async def list_slots(self, token: str | None, event_id: str) -> list[Slot]:
        return await self.gateway.every_page(SlotPage, f"{BASE}/events/{event_id}/slots",
                                             token=token)

    async def create_slot(self, token: str, event_id: str, body: dict[str, Any], *,
                          idempotency_key: str) -> Slot:
        return await self.gateway.post(Slot, f"{BASE}/events/{event_id}/slots", token=token,
                                       json=body, headers=_key(idempotency_key))

    async def create_series(self, token: str, event_id: str, body: dict[str, Any], *,
                            idempotency_key: str) -> list[Session]:
        response = await self.gateway.send("POST", f"{BASE}/events/{event_id}/sessions/series",
                                           token=token, json=body, headers=_key(idempotency_key))
        return [Session.model_validate(item) for item in response.json()]

    async def update_session(self, token: str, session_id: str, body: dict[str, Any], *,
                             idempotency_key: str | None = None) -> Session:
        response = await self.gateway.send("PATCH", f"{BASE}/sessions/{session_id}", token=token,
                                           json=body, headers=_key(idempotency_key))
        return Session.model_validate(response.json())

    async def get_session(self, token: str | None, session_id: str) -> Session:
        return await self.gateway.get(Session, f"{BASE}/sessions/{session_id}", token=token)

    async def create_session(self, token: str, event_id: str, body: dict[str, Any], *,
                             idempotency_key: str | None = None) -> Session:
        return await self.gateway.post(Session, f"{BASE}/events/{event_id}/sessions",
                                       token=token, json=body, headers=_key(idempotency_key))

    async def register(self, token: str, session_id: str, *, idempotency_key: str
                       ) -> Registration:
        return await self.gateway.post(
            Registration, f"{BASE}/sessions/{session_id}/registrations", token=token, json={},
            headers={"Idempotency-Key": idempotency_key},
        )

    async def cancel_registration(self, token: str, registration_id: str) -> None:
        await self.gateway.send("DELETE", f"{BASE}/registrations/{registration_id}", token=token)

    async def my_registrations(self, token: str) -> list[MyRegistration]:
        return await self.gateway.every_page(MyRegistrationPage, f"{BASE}/me/registrations",
                                             token=token)

    async def roster(self, token: str, session_id: str) -> list[RosterEntry]:
        return await self.gateway.every_page(
            RosterPage, f"{BASE}/sessions/{session_id}/registrations", token=token
        )

    async def attendance(self, token: str, session_id: str) -> list[Attendance]:
        return await self.gateway.every_page(
            AttendancePage, f"{BASE}/sessions/{session_id}/attendance", token=token)

    async def cancel_session(self, token: str, session_id: str, *, idempotency_key: str
                             ) -> SessionCancellation:
        return await self.gateway.post(SessionCancellation, f"{BASE}/sessions/{session_id}/cancel",
                                       token=token, headers={"Idempotency-Key": idempotency_key})

    async def force_add(self, token: str, session_id: str, body: dict[str, Any], *,
                        idempotency_key: str) -> Registration:
        return await self.gateway.post(
            Registration, f"{BASE}/sessions/{session_id}/registrations/forced", token=token,
            json=body, headers={"Idempotency-Key": idempotency_key})

    async def move_registration(self, token: str, registration_id: str, body: dict[str, Any], *,
                                idempotency_key: str) -> RegistrationMove:
        return await self.gateway.post(
            RegistrationMove, f"{BASE}/registrations/{registration_id}/move", token=token,
            json=body, headers={"Idempotency-Key": idempotency_key})

    async def audit_entries(self, token: str, event_id: str, *, session_id: str | None = None,
                            cursor: str | None = None, limit: int = 50) -> AuditPage:
        return await self.gateway.get(
            AuditPage, f"{BASE}/events/{event_id}/audit", token=token,
            params={"session_id": session_id, "cursor": cursor, "limit": limit})

    async def check_in(self, token: str, session_id: str, person_id: str) -> None:
        await self.gateway.send(
            "POST", f"{BASE}/sessions/{session_id}/attendance", token=token,
            json={"person_id": person_id, "source": "check_in"},
        )

    async def import_sign_in_sheet(self, token: str, session_id: str, *, filename: str,
                                   sheet: IO[bytes]) -> ImportJob:
        # The upload is passed on as a file object, so httpx streams it instead of copying it.
        response = await self.gateway.send(
            "POST", f"{BASE}/sessions/{session_id}/sign-in-sheet", token=token,
            files={"file": (filename, sheet, "text/csv")},
        )
        return ImportJob.model_validate(response.json())

    async def get_import_job(self, token: str, job_id: str) -> ImportJob:
        return await self.gateway.get(ImportJob, f"{BASE}/jobs/{job_id}", token=token)

    async def preview_event_import(self, token: str, network_id: str, *, sheet: bytes
                                   ) -> EventImportPreview:
        response = await self.gateway.send(
            "POST", f"{BASE}/networks/{network_id}/event-imports/preview", token=token,
            files={"file": ("events.csv", sheet, "text/csv")})
        return EventImportPreview.model_validate(response.json())

    async def import_events(self, token: str, network_id: str, *, sheet: bytes, status: str,
                            skip_invalid: bool, idempotency_key: str) -> EventImportJob:
        response = await self.gateway.send(
            "POST", f"{BASE}/networks/{network_id}/event-imports", token=token,
            params={"status": status, "skip_invalid": "true" if skip_invalid else None},
            files={"file": ("events.csv", sheet, "text/csv")},
            headers={"Idempotency-Key": idempotency_key})
        return EventImportJob.model_validate(response.json())

    async def get_event_import(self, token: str, job_id: str) -> EventImportJob:
        return await self.gateway.get(EventImportJob, f"{BASE}/event-imports/{job_id}",
                                      token=token)

    async def my_calendar(self, token: str) -> CalendarLink:
        return await self.gateway.get(CalendarLink, f"{BASE}/me/calendar", token=token)

    async def messages(self, token: str, *, everyone: bool, cursor: str | None = None,
                       limit: int = 20) -> MessagePage:
        """The caller's messages, newest first; everyone's (platform admins) when asked."""
        path = f"{BASE}/messages" if everyone else f"{BASE}/me/messages"
        return await self.gateway.get(MessagePage, path, token=token,
                                      params={"cursor": cursor, "limit": limit})
