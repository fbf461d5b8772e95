"""The world the authorization matrix is asked about, built through the public API only.

Network A (the one every route is asked about) with districts D1 and D2, a partner organization
with an API key, and A's objects: a published event with sessions, a registration, a program
with a cohort, a poll, an artifact, credit, an invitation, a membership, jobs. Network B has an
admin of its own, who acts on A's objects. Each role is one account:

- participant: no role; a teacher in D1, registered for A's session (their "own" data);
- leader: a leader of A, facilitating A's session;
- coordinator / other_coordinator: coordinator of D1 (the participant's district) / of D2;
- analyst, admin: analyst / network admin of A; other_admin: network admin of B;
- partner: A's partner organization's API key, sent as the bearer (the gateway exchanges it);
- platform_admin: the stack's ROOT_LOGIN.

Writes that use up their target (cancel, delete, decide, revoke ...) get a fresh one per
request from the factories below, made by the platform admin.
"""

import itertools
import re
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta

import jwt

from tests.support.stack import CLIENT_SECRETS, ROOT_LOGIN, InProcessStack, bearer, eventually

ROLES = ("anonymous", "participant", "leader", "coordinator", "other_coordinator", "analyst",
         "admin", "other_admin", "partner", "platform_admin")
PASSWORD = "matrix-password-123"
IDENTITY, SCHEDULING = "/api/identity/v1", "/api/scheduling/v1"
TIMEZONE = "America/Los_Angeles"
LINK = re.compile(r"https?://\S+/(verify|reset-password|invitations)/(\S+)")
_numbers = itertools.count(1)


def unique(prefix: str) -> str:
    return f"{prefix}-{next(_numbers)}"


def school_year(day: date) -> str:
    start = day.year if day.month >= 7 else day.year - 1
    return f"{start}-{(start + 1) % 100:02d}"


class World:
    def __init__(self, stack: InProcessStack) -> None:
        self.stack = stack
        self.client = stack.client
        self.headers: dict[str, dict[str, str]] = {"anonymous": {}}
        self.person: dict[str, str] = {}  # role -> person id
        self.subject: dict[str, str] = {}  # role -> the token's sub
        self.email: dict[str, str] = {"platform_admin": ROOT_LOGIN[0]}
        self.password: dict[str, str] = {"platform_admin": ROOT_LOGIN[1]}
        self._feed_after = "0"  # how far identity's feed has been read for mailed links
        self._links: defaultdict[str, list[tuple[str, str]]] = defaultdict(list)

    # -- calls ------------------------------------------------------------------------------
    async def call(self, method: str, path: str, *, role: str = "platform_admin",
                   expect: tuple[int, ...] = (200, 201, 202, 204), csv: str | None = None,
                   **kwargs) -> dict:
        headers = dict(self.headers[role])
        if csv is not None:
            headers["Content-Type"] = "text/csv"
            kwargs["content"] = csv.encode()
        response = await self.client.request(method, path, headers=headers, **kwargs)
        assert response.status_code in expect, f"{method} {path}: {response.text}"
        return response.json() if response.content else {}

    async def post(self, path: str, json: dict | None = None, **kwargs) -> dict:
        return await self.call("POST", path, json=json, **kwargs)

    async def sign_in(self, email: str, password: str = PASSWORD) -> dict:
        response = await self.client.post(f"{IDENTITY}/token", data={
            "grant_type": "password", "username": email, "password": password})
        assert response.status_code == 200, response.text
        return response.json()

    async def mailed_link(self, email: str, kind: str) -> str:
        """The newest `kind` link identity mailed to `email`, read from its feed as scheduling
        (which delivers identity's mail) reads it: from where the last read stopped."""
        service = await self.client.post(f"{IDENTITY}/token", data={
            "grant_type": "client_credentials", "client_id": "scheduling",
            "client_secret": CLIENT_SECRETS["scheduling"]})
        headers = bearer(service.json()["access_token"])
        while True:
            feed = await self.client.get(f"{IDENTITY}/feed", headers=headers,
                                         params={"after": self._feed_after, "limit": 500})
            assert feed.status_code == 200, feed.text
            page = feed.json()
            for event in page["events"]:
                if event["topic"] == "mail.requested":
                    mail = event["payload"]
                    self._links[mail["to_email"]] += LINK.findall(mail["body"])
            if page["next_cursor"] == self._feed_after:
                break
            self._feed_after = page["next_cursor"]
        tokens = [token for found, token in self._links[email] if found == kind]
        assert tokens, f"no {kind} link was mailed to {email}"
        return tokens[-1]

    # -- the world ----------------------------------------------------------------------------
    async def build(self) -> "World":
        await self.stack.create_admin(*ROOT_LOGIN)
        root = await self.stack.token(*ROOT_LOGIN)
        self.headers["platform_admin"] = bearer(root)
        organization = f"{IDENTITY}/organizations"
        self.network = (await self.post(organization,
                                        {"name": "Network A", "kind": "network"}))["id"]
        self.other_network = (await self.post(organization,
                                              {"name": "Network B", "kind": "network"}))["id"]
        self.district = (await self.post(organization, {
            "name": "District One", "kind": "district", "county": "Alameda"}))["id"]
        self.other_district = (await self.post(organization, {
            "name": "District Two", "kind": "district", "county": "Fresno"}))["id"]
        self.partner_org = (await self.post(organization, {
            "name": "Partner P", "kind": "partner", "parent_id": self.network}))["id"]

        memberships = {
            "participant": None, "leader": (self.network, "leader"),
            "coordinator": (self.district, "coordinator"),
            "other_coordinator": (self.other_district, "coordinator"),
            "analyst": (self.network, "analyst"), "admin": (self.network, "network_admin"),
            "other_admin": (self.other_network, "network_admin"),
        }
        for role, membership in memberships.items():
            self.email[role] = f"{role.replace('_', '.')}@matrix.test"
            self.password[role] = PASSWORD
            district, county = (("District Two", "Fresno") if role == "other_coordinator"
                                else ("District One", "Alameda"))
            person = await self.post(f"{IDENTITY}/people", {
                "email": self.email[role], "full_name": f"{role.title()} Person",
                "role": "teacher", "district": district, "county": county})
            self.person[role] = person["id"]
            await self.stack.create_account(self.email[role], PASSWORD, f"{role.title()} Person")
            if membership:
                await self.post(f"{organization}/{membership[0]}/members",
                                {"person_id": person["id"], "role": membership[1]})
        for role in memberships:
            signed_in = await self.sign_in(self.email[role])
            self.headers[role] = bearer(signed_in["access_token"])
        for role, headers in self.headers.items():
            if role != "anonymous":
                token = headers["Authorization"].removeprefix("Bearer ")
                self.subject[role] = jwt.decode(token, options={"verify_signature": False})["sub"]

        key = await self.post(f"{organization}/{self.partner_org}/api-keys")
        self.headers["partner"] = bearer(key["key"])

        await self._scheduling()
        await self._identity_objects()
        await self._evidence()
        # Identity learns the people of A's events from scheduling's feed: wait until A's
        # admin sees the participant, so no cell races the feed.
        await eventually(lambda: self._admin_sees(self.person["participant"]))
        return self

    async def _admin_sees(self, person_id: str) -> bool:
        response = await self.client.get(f"{IDENTITY}/people/{person_id}",
                                         headers=self.headers["admin"])
        return response.status_code == 200

    async def _scheduling(self) -> None:
        self.event = await self.new_event()
        self.conference = await self.new_event(kind="conference")
        self.session = await self.new_session(facilitators=[self.person["leader"]],
                                              under_way=True)
        self.registration = await self.post(
            f"{SCHEDULING}/sessions/{self.session}/registrations", {}, role="participant")
        await self.post(f"{SCHEDULING}/sessions/{self.session}/attendance",
                        {"person_id": self.person["participant"], "source": "check_in"})
        year = school_year(date.today())
        self.program_year = year
        self.program = (await self.post(f"{SCHEDULING}/programs", {
            "network_id": self.network, "name": "Phase 2", "starts_on": f"{year[:4]}-07-01",
            "ends_on": f"{int(year[:4]) + 3}-06-30"}))["id"]
        self.cohort_entry = await self.new_cohort_entry()
        await self.post(f"{SCHEDULING}/events/{self.event}/credit/requests",
                        {"district_id": self.district, "note": "Two sessions."})
        poll = await self.new_poll(invitees=2)
        self.poll = poll["id"]
        # Two invitees: one link is read and answered, the other is renewed by the link route.
        self.poll_token = poll["invitees"][0]["token"]
        self.poll_options = [o["id"] for o in (await self.call(
            "GET", f"{SCHEDULING}/polls/{self.poll}"))["options"]]
        self.renewed_invitee = poll["invitees"][1]["id"]
        self.sheet_job = (await self.call(
            "POST", f"{SCHEDULING}/sessions/{self.session}/sign-in-sheet",
            csv=self.sheet()))["job_id"]
        self.import_job = (await self.call(
            "POST", f"{SCHEDULING}/networks/{self.network}/event-imports",
            csv=self.events_sheet()))["job_id"]
        calendar = await self.call("GET", f"{SCHEDULING}/me/calendar", role="participant")
        self.calendar_url = calendar["url"]

    async def _identity_objects(self) -> None:
        self.membership = await self.new_membership()
        self.invitation = (await self.new_invitation())["id"]
        preview = await self.new_invitation()
        self.invitation_token = await self.mailed_link(preview["email"], "invitations")

    async def _evidence(self) -> None:
        self.artifact = (await self.call("POST", "/api/evidence/v1/artifacts", data={
            "kind": "agenda", "title": "Agenda", "session_id": self.session},
            files={"file": ("agenda.txt", b"Session I agenda", "text/plain")}))["id"]

    # -- fresh objects, made by the platform admin ------------------------------------------
    async def new_event(self, kind: str = "workshop_series") -> str:
        return (await self.post(f"{SCHEDULING}/events", self.event_body(kind)))["id"]

    def event_body(self, kind: str = "workshop_series") -> dict:
        return {"network_id": self.network, "kind": kind, "title": unique("Event"),
                "subjects": ["ELA"], "grade_min": "6", "grade_max": "8", "timezone": TIMEZONE,
                "credit_hours": 6, "status": "published"}

    def session_body(self, facilitators: list[str] | None = None, *,
                     under_way: bool = False) -> dict:
        """A session some days ahead; or, under_way, one that began an hour ago and runs all
        day (attendance is recorded only from shortly before a session starts)."""
        now = datetime.now(UTC).replace(microsecond=0)
        starts = now - timedelta(hours=1) if under_way else now + timedelta(
            days=next(_numbers) + 7)
        hours = 12 if under_way else 2
        return {"title": unique("Session"), "starts_at": starts.isoformat(),
                "ends_at": (starts + timedelta(hours=hours)).isoformat(), "capacity": 30,
                "facilitator_ids": facilitators or []}

    async def new_session(self, facilitators: list[str] | None = None, *,
                          under_way: bool = False) -> str:
        return (await self.post(f"{SCHEDULING}/events/{self.event}/sessions",
                                self.session_body(facilitators, under_way=under_way)))["id"]

    async def new_person(self) -> str:
        """A teacher of D1 and a member of A: one of the people A's admins see in identity (and
        so may give a role or a cohort place), known there at once (people of A's events are
        known only once identity has read scheduling's feed)."""
        person = (await self.post(f"{IDENTITY}/people", {
            "email": f"{unique('person')}@matrix.test", "full_name": "Fresh Person",
            "role": "teacher", "district": "District One", "county": "Alameda"}))["id"]
        await self.post(f"{IDENTITY}/organizations/{self.network}/members",
                        {"person_id": person, "role": "member"})
        return person

    async def new_registration(self) -> dict:
        """The participant's, in a session of its own."""
        session = await self.new_session()
        return await self.post(f"{SCHEDULING}/sessions/{session}/registrations",
                               {"person_id": self.person["participant"]})

    async def new_cohort_entry(self) -> str:
        return (await self.post(f"{SCHEDULING}/programs/{self.program}/cohort", {
            "person_id": await self.new_person(), "program_year": self.program_year,
            "role": "leader"}))["id"]

    def poll_body(self, invitees: int = 1) -> dict:
        day = date.today() + timedelta(days=60)
        return {"title": unique("Poll"),
                "times": [{"date": (day + timedelta(days=n)).isoformat(), "start_time": "15:30",
                           "end_time": "17:00"} for n in range(2)],
                "invitees": [{"name": f"Invitee {n}", "email": f"{unique('invitee')}@matrix.test"}
                             for n in range(invitees)]}

    async def new_poll(self, invitees: int = 1) -> dict:
        return await self.post(f"{SCHEDULING}/events/{self.event}/polls", self.poll_body(invitees))

    async def new_invitation(self) -> dict:
        return await self.post(f"{IDENTITY}/organizations/{self.network}/invitations", {
            "email": f"{unique('invited')}@matrix.test", "role": "member"})

    async def new_membership(self) -> str:
        """A leader membership of A (beside the member one every fresh person holds)."""
        return (await self.post(f"{IDENTITY}/organizations/{self.network}/members",
                                {"person_id": await self.new_person(), "role": "leader"}))["id"]

    async def new_api_key(self) -> str:
        return (await self.post(f"{IDENTITY}/organizations/{self.partner_org}/api-keys"))["id"]

    async def new_approval(self) -> str:
        """A fresh event approved for credit in D1 (for a revocation to take back)."""
        event = await self.new_event()
        await self.post(f"{SCHEDULING}/events/{event}/credit/approvals",
                        {"district_id": self.district, "hours": 3})
        return event

    async def new_member_with_session(self) -> str:
        """A member of A with an account and a live login session: whose sessions to end."""
        email = f"{unique('member')}@matrix.test"
        person = (await self.post(f"{IDENTITY}/people", {
            "email": email, "full_name": "Member", "role": "teacher"}))["id"]
        await self.stack.create_account(email, PASSWORD, "Member")
        await self.post(f"{IDENTITY}/organizations/{self.network}/members",
                        {"person_id": person, "role": "member"})
        await self.sign_in(email)
        return person

    async def new_login_session(self, role: str) -> str:
        """A second login session of `role`'s account (not the one its token belongs to)."""
        await self.sign_in(self.email[role])
        sessions = await self.call("GET", f"{IDENTITY}/me/sessions", role=role)
        return next(s["id"] for s in sessions["items"] if not s.get("current"))

    async def new_refresh_token(self) -> str:
        email = f"{unique('leaving')}@matrix.test"
        await self.stack.create_account(email, PASSWORD, "Leaving")
        return (await self.sign_in(email))["refresh_token"]

    async def new_signup_link(self) -> str:
        email = f"{unique('signup')}@matrix.test"
        await self.post(f"{IDENTITY}/accounts", {"email": email, "password": PASSWORD,
                                                 "full_name": "New"}, role="anonymous")
        return await self.mailed_link(email, "verify")

    async def new_reset_link(self) -> str:
        email = f"{unique('reset')}@matrix.test"
        await self.stack.create_account(email, PASSWORD, "Reset")
        await self.post(f"{IDENTITY}/password-resets", {"email": email}, role="anonymous")
        return await self.mailed_link(email, "reset-password")

    async def new_invitation_link(self) -> str:
        return await self.mailed_link((await self.new_invitation())["email"], "invitations")

    @staticmethod
    def sheet() -> str:
        return ("email,full_name,role,school,district,county\n"
                f"{unique('sheet')}@matrix.test,Sheet Person,teacher,,District One,Alameda\n")

    @staticmethod
    def events_sheet() -> str:
        day = (date.today() + timedelta(days=90)).isoformat()
        return ("event_key,title,kind,subjects,grades,format,venue,county,timezone,credit_hours,"
                "session_title,date,start_time,end_time,capacity,room\n"
                f",{unique('Imported')},webinar,ELA,K,virtual,,,{TIMEZONE},1,,{day},09:00,10:00,"
                "10,\n")
