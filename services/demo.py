"""The demo network, loaded into a running suite through its public API only (as a partner's or
a district's import script would), so the demo also exercises the contract.

A statewide network with three leaders in a program's cohort: two workshop series that already
ran this school year (with returners to Session II), a conference session, a coach who went on to
lead colleagues (indirect reach), and an upcoming series with open seats to sign up for. One
series is approved for PD credit network-wide; the upcoming one waits in Oakland's coordinator's
queue, and its leader is polling colleagues for a third session's time.
"""

import random
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx

from services.identity.cli import create_account, create_platform_admin
from services.identity.settings import IdentitySettings
from services.runner import database_url

# S105: the demo logins' password, printed by `cascade run` and given in README; a deployment
# (deploy/) never loads the demo.
PASSWORD = "cascade-demo"  # noqa: S105
ROOT_EMAIL = "root@demo.cascade.test"
DEMO_LOGINS = [
    (ROOT_EMAIL, "platform admin"),
    ("admin@demo.cascade.test", "network admin, Golden State Teacher Leadership Network"),
    ("leader@demo.cascade.test", "teacher leader (Maria Lopez)"),
    ("coordinator@demo.cascade.test", "district coordinator, Oakland Unified (PD credit)"),
    ("teacher@demo.cascade.test", "participant (Ana Reyes, Lincoln Elementary)"),
]
MARKER = "demo-loaded"
TIMEZONE = ZoneInfo("America/Los_Angeles")

COUNTIES = {
    "Alameda": {"Oakland Unified": ["Lincoln Elementary", "Westlake Middle", "Fremont High"],
                "Hayward Unified": ["Tennyson High", "Bret Harte Middle"]},
    "Fresno": {"Fresno Unified": ["Roosevelt Middle", "Hoover High", "Addams Elementary"]},
    "Los Angeles": {"Long Beach Unified": ["Hughes Middle", "Poly High"]},
}
FIRST = ["Ana", "Luis", "Grace", "Omar", "Priya", "Daniel", "Mei", "Carlos", "Fatima", "Jamal",
         "Sofia", "Ethan", "Nadia", "Hector", "Linh", "Rosa", "Kevin", "Aisha", "Diego", "Hannah"]
LAST = ["Reyes", "Nguyen", "Johnson", "Patel", "Garcia", "Kim", "Williams", "Lopez", "Chen",
        "Martinez", "Brown", "Singh", "Davis", "Hernandez", "Okafor", "Rivera"]


def after_school(days_from_today: int) -> datetime:
    """3:30 pm in California, the usual start of a workshop after the school day."""
    day = date.today() + timedelta(days=days_from_today)
    return datetime.combine(day, time(15, 30), tzinfo=TIMEZONE)


def school_year(day: date) -> str:
    """The school year (July to June) a day falls in, named like "2026-27"."""
    start = day.year if day.month >= 7 else day.year - 1
    return f"{start}-{(start + 1) % 100:02d}"


def demo_loaded(var_dir: Path) -> bool:
    return (var_dir / MARKER).exists()


# Makes a confirmed account (email, password, full name) the way an operator does: the demo's
# logins are addresses nobody reads, so they cannot confirm a sign-up by mail.
MakeAccount = Callable[[str, str, str], Awaitable[object]]


class DemoLoader:
    def __init__(self, client: httpx.AsyncClient, make_account: MakeAccount) -> None:
        self.event_ids: list[str] = []
        self.client = client
        self.make_account = make_account
        self.random = random.Random(2014)  # noqa: S311 (the same demo every time; no secrets)

    async def call(self, method: str, path: str, token: str, **kwargs) -> dict:
        response = await self.client.request(
            method, path, headers={"Authorization": f"Bearer {token}"}, **kwargs
        )
        if response.status_code >= 400:
            raise RuntimeError(f"{method} {path} -> {response.status_code}: {response.text[:300]}")
        return response.json() if response.content else {}

    async def token(self, email: str) -> str:
        response = await self.client.post("/api/identity/v1/token", data={
            "grant_type": "password", "username": email, "password": PASSWORD})
        response.raise_for_status()
        return response.json()["access_token"]

    async def person(self, root: str, email: str, name: str, role: str, school: str,
                     district: str, county: str, *, account: bool = False) -> str:
        person = await self.call("POST", "/api/identity/v1/people", root, json={
            "email": email, "full_name": name, "role": role,
            "school": school, "district": district, "county": county})
        if account:
            await self.make_account(email, PASSWORD, name)
        return person["id"]

    def random_place(self) -> tuple[str, str, str]:
        county = self.random.choice(list(COUNTIES))
        district = self.random.choice(list(COUNTIES[county]))
        return self.random.choice(COUNTIES[county][district]), district, county

    async def participants(self, root: str, count: int, prefix: str) -> list[str]:
        people = []
        for n in range(count):
            name = f"{self.random.choice(FIRST)} {self.random.choice(LAST)}"
            school, district, county = self.random_place()
            role = self.random.choice(["teacher"] * 6 + ["coach_tosa", "administrator"])
            people.append(await self.person(root, f"{prefix}{n + 1}@demo.cascade.test", name,
                                            role, school, district, county))
        return people

    async def event(self, token: str, network_id: str, title: str, kind: str, subjects: list[str],
                    grades: tuple[str, str], sessions: list[tuple[datetime, int]],
                    facilitator: str, capacity: int = 40, county: str = "Alameda",
                    program_id: str | None = None) -> list[str]:
        event = await self.call("POST", "/api/scheduling/v1/events", token, json={
            "county": county, "program_id": program_id,
            "network_id": network_id, "kind": kind, "title": title, "subjects": subjects,
            "grade_min": grades[0], "grade_max": grades[1], "timezone": TIMEZONE.key,
            "credit_hours": 3 * len(sessions), "status": "published", "format": "in_person",
            "venue": "County office of education", "description": f"{title}: a demo event."})
        self.event_ids.append(event["id"])
        ids = []
        for number, (starts_at, hours) in enumerate(sessions, start=1):
            session = await self.call("POST", f"/api/scheduling/v1/events/{event['id']}/sessions",
                                      token, json={
                "title": f"Session {'I' * number if number < 4 else number}",
                "starts_at": starts_at.isoformat(),
                "ends_at": (starts_at + timedelta(hours=hours)).isoformat(),
                "capacity": capacity, "facilitator_ids": [facilitator]})
            ids.append(session["id"])
        return ids

    async def attend(self, token: str, session_id: str, people: list[str]) -> None:
        for person_id in people:
            await self.call("POST", f"/api/scheduling/v1/sessions/{session_id}/registrations",
                            token, json={"person_id": person_id})
            await self.call("POST", f"/api/scheduling/v1/sessions/{session_id}/attendance",
                            token, json={"person_id": person_id, "source": "check_in"})

    async def load(self) -> None:
        root = await self.token(ROOT_EMAIL)
        network = await self.call("POST", "/api/identity/v1/organizations", root, json={
            "name": "Golden State Teacher Leadership Network", "kind": "network"})
        for county, districts in COUNTIES.items():
            for district_name, schools in districts.items():
                district = await self.call("POST", "/api/identity/v1/organizations", root, json={
                    "name": district_name, "kind": "district", "county": county})
                for school in schools:
                    await self.call("POST", "/api/identity/v1/organizations", root, json={
                        "name": school, "kind": "school", "parent_id": district["id"]})

        admin = await self.person(root, "admin@demo.cascade.test", "Jordan Ellis", "administrator",
                                  "", "Oakland Unified", "Alameda", account=True)
        leaders = [
            await self.person(root, "leader@demo.cascade.test", "Maria Lopez", "teacher",
                              "Westlake Middle", "Oakland Unified", "Alameda", account=True),
            await self.person(root, "leader2@demo.cascade.test", "David Okafor", "teacher",
                              "Hoover High", "Fresno Unified", "Fresno"),
            await self.person(root, "leader3@demo.cascade.test", "Lena Park", "coach_tosa",
                              "Poly High", "Long Beach Unified", "Los Angeles"),
        ]
        teacher = await self.person(root, "teacher@demo.cascade.test", "Ana Reyes", "teacher",
                                    "Lincoln Elementary", "Oakland Unified", "Alameda",
                                    account=True)
        members = f"/api/identity/v1/organizations/{network['id']}/members"
        await self.call("POST", members, root, json={"person_id": admin, "role": "network_admin"})
        for leader in leaders:
            await self.call("POST", members, root, json={
                "person_id": leader, "role": "leader", "starts_on": "2026-07-01"})

        coordinator = await self.person(root, "coordinator@demo.cascade.test", "Sam Whitfield",
                                        "administrator", "", "Oakland Unified", "Alameda",
                                        account=True)
        oakland = await self.call("GET", "/api/identity/v1/organizations", root,
                                  params={"kind": "district", "q": "Oakland Unified"})
        oakland_id = oakland["items"][0]["id"]
        await self.call("POST", f"/api/identity/v1/organizations/{oakland_id}/members", root,
                        json={"person_id": coordinator, "role": "coordinator"})

        staff = await self.token("admin@demo.cascade.test")
        year = school_year(date.today())
        program = await self.call("POST", "/api/scheduling/v1/programs", staff, json={
            "network_id": network["id"], "name": "Teacher Leadership Phase 2",
            "description": "Leaders model instructional shifts in their own regions.",
            "starts_on": f"{year[:4]}-07-01", "ends_on": f"{int(year[:4]) + 3}-06-30"})
        for leader in leaders:
            await self.call("POST", f"/api/scheduling/v1/programs/{program['id']}/cohort", staff,
                            json={"person_id": leader, "program_year": year, "role": "leader"})
        workshop_people = await self.participants(root, 24, "writing")
        math_people = await self.participants(root, 14, "math")
        conference_people = await self.participants(root, 18, "conference")
        colleagues = await self.participants(root, 9, "colleague")

        writing = await self.event(
            staff, network["id"], "Argument writing across the content areas", "workshop_series",
            ["ELA"], ("6", "8"), [(after_school(-40), 3), (after_school(-12), 3)], leaders[0],
            program_id=program["id"])
        await self.attend(staff, writing[0], [teacher, *workshop_people])
        await self.attend(staff, writing[1], [teacher, *workshop_people[:17]])

        math = await self.event(
            staff, network["id"], "Productive struggle in math, grades 3-5", "workshop_series",
            ["math"], ("3", "5"), [(after_school(-55), 3), (after_school(-30), 3)],
            leaders[1], county="Fresno", program_id=program["id"])
        await self.attend(staff, math[0], math_people)
        await self.attend(staff, math[1], math_people[:9])

        conference = await self.event(
            staff, network["id"], "Fall Teacher Leadership Conference: NGSS in practice",
            "conference", ["science"], ("K", "12"), [(after_school(-20), 2)], leaders[2],
            capacity=60, county="Los Angeles")
        await self.attend(staff, conference[0], conference_people)

        # A coach reached by the writing series leads her own colleagues: indirect reach.
        coach = workshop_people[0]
        coached = await self.event(
            staff, network["id"], "Writing feedback cycles at our school", "community_of_practice",
            ["ELA"], ("6", "8"), [(after_school(-5), 2)], coach, capacity=20)
        await self.attend(staff, coached[0], colleagues)

        upcoming = await self.event(
            staff, network["id"], "NGSS storylines in middle school science", "workshop_series",
            ["science"], ("6", "8"),
            [(after_school(21), 3), (after_school(49), 3)],
            leaders[0], capacity=25, program_id=program["id"])
        for person_id in [teacher, *math_people[:6]]:
            await self.call("POST", f"/api/scheduling/v1/sessions/{upcoming[0]}/registrations",
                            staff, json={"person_id": person_id})
        await self.credit_and_poll(staff, writing_event=self.event_ids[0],
                                   upcoming_event=self.event_ids[-1], oakland_id=oakland_id)

    async def credit_and_poll(self, staff: str, *, writing_event: str, upcoming_event: str,
                              oakland_id: str) -> None:
        credit = "/api/scheduling/v1/events/{}/credit/{}"
        await self.call("POST", credit.format(writing_event, "approvals"), staff, json={
            "district_id": None, "hours": 6, "note": "Agendas and sign-in sheets on file."})
        await self.call("POST", credit.format(upcoming_event, "requests"), staff, json={
            "district_id": oakland_id, "note": "Two after-school sessions with classroom work."})
        leader = await self.token("leader@demo.cascade.test")
        times = [after_school(days) for days in (70, 72, 77)]
        await self.call("POST", f"/api/scheduling/v1/events/{upcoming_event}/polls", leader, json={
            "title": "Session III: sharing student work",
            "times": [{"date": t.astimezone(TIMEZONE).date().isoformat(), "start_time": "15:30",
                       "end_time": "17:00"} for t in times],
            "invitees": [{"name": "Ana Reyes", "email": "teacher@demo.cascade.test"},
                         {"name": "Math colleague", "email": "math1@demo.cascade.test"}]})


async def load_demo(gateway_url: str, *, var_dir: Path) -> None:
    """Loads the demo once: a marker in var/ records that it was loaded."""
    if demo_loaded(var_dir):
        return
    identity = IdentitySettings(database_url=database_url("identity", var_dir), var_dir=var_dir)
    await create_platform_admin(identity, email=ROOT_EMAIL, password=PASSWORD,
                                full_name="Cascade platform admin")

    async def make_account(email: str, password: str, full_name: str) -> str:
        return await create_account(identity, email=email, password=password,
                                    full_name=full_name)

    async with httpx.AsyncClient(base_url=gateway_url, timeout=30) as client:
        await DemoLoader(client, make_account).load()
    (var_dir / MARKER).write_text(datetime.now(UTC).isoformat())
