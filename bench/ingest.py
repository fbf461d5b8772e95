"""Ingest of an ILC-shaped network through the public API, until reach's figures show all of it.

    .venv/bin/python bench/ingest.py [--scale 1.0] [--concurrency 4] [--postgres]

Starts the suite like bench/signups.py (free ports, temporary var dir, SQLite by default,
--postgres: a fresh database on 127.0.0.1:5432, dropped at the end) and loads, as a platform
admin through the gateway, a network shaped like the published ILC figures
(reference/reach-metrics.md 7.3) over 2014-11-01..2018-09-30. At --scale 1:

- a network, ~500 districts and ~2,200 schools (organizations), 250 leaders in three yearly
  cohorts (people with a leader membership from the cohort's first day);
- ~1,100 leader-led workshop series of 2 or 3 meetings (one `sessions/series` call each), ~32
  people each, most of them new: direct reach of about 32,000, every one in a multi-session event;
- 8 conferences of 60 leader-led sessions, ~30,000 new people attending one or two each;
- ~1,540 single-session workshops led by coaches reached in a direct series at least two weeks
  before, 25 new people each: indirect reach of about 38,500 (total reach just over 100,000).

Attendance goes in as a sign-in sheet import sends it: per session, one
`people/matches:batch` call that matches or creates the sheet's people by email (with their
school and district by name), then one `attendance:batch` call with their ids, each with an
Idempotency-Key; about 125,000 attendances at scale 1. --concurrency requests are in flight at
a time, as a real importer would send them.

Then it polls reach's summary for the network over the window until it shows everything: the
sessions figure is the number of sessions created, PD hours are the hours of every attendance
sent, and both stay put for two polls after reach's as_of passed the last write. It prints rows
per second for each stage, the time from the first call until reach showed everything, and
reach's figures beside what the plan expects. The run is bounded by --time-limit.
"""

import argparse
import asyncio
import os
import random
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import httpx
from signups import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    SCHEDULING,
    client_for,
    cpu_by_process,
    gather_limited,
    running_suite,
)

IDENTITY = "/api/identity/v1"
REACH = "/api/reach/v1"
FIRST_DAY, LAST_DAY = date(2014, 11, 1), date(2018, 9, 30)
COUNTIES = ("Fresno", "Madera", "Kern", "Tulare", "Los Angeles", "Sacramento", "San Diego",
            "Alameda", "Riverside", "San Bernardino", "Orange", "Stanislaus", "Merced",
            "Santa Clara", "San Joaquin", "Ventura", "Sonoma", "Humboldt", "Shasta", "Imperial")
SUBJECTS = ("math", "science", "ELA", "ELD")
TIMEZONE = "America/Los_Angeles"
TOKEN_REFRESH = 200.0  # seconds; access tokens live 300


def scaled(value: float, scale: float, least: int = 1) -> int:
    return max(least, round(value * scale))


def random_day(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randrange((last - first).days + 1))


@dataclass
class Sheet:
    """One session's sign-in sheet: the people (by number) who attended it."""

    session_id: str
    hours: float
    people: list[int]


@dataclass
class Plan:
    """The network to load, drawn from one seeded random stream."""

    scale: float
    rng: random.Random
    districts: list[tuple[str, str]] = field(default_factory=list)  # (name, county)
    schools: list[tuple[str, int]] = field(default_factory=list)  # (name, district index)
    people: int = 0  # numbers handed out so far; person n's school is school_of[n]
    school_of: list[int] = field(default_factory=list)
    role_of: list[str] = field(default_factory=list)

    def new_person(self, role: str = "teacher") -> int:
        self.school_of.append(self.rng.randrange(len(self.schools)))
        self.role_of.append(role)
        self.people += 1
        return self.people - 1

    def match_item(self, n: int, network_id: str) -> dict:
        school, district = self.schools[self.school_of[n]]
        district_name, county = self.districts[district]
        return {"network_id": network_id, "email": f"p{n}@ilc.bench.cascade.test",
                "full_name": f"Educator {n}", "role": self.role_of[n], "school": school,
                "district": district_name, "county": county}


class Client:
    """The gateway as the platform admin sees it, counting calls; the token renewed in time."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client, self.calls, self._token_at = client, 0, float("-inf")
        self.headers: dict[str, str] = {}
        self._lock = asyncio.Lock()

    async def _auth(self) -> dict[str, str]:
        async with self._lock:
            if time.monotonic() - self._token_at > TOKEN_REFRESH:
                response = await self.client.post(f"{IDENTITY}/token", data={
                    "grant_type": "password", "username": ADMIN_EMAIL,
                    "password": ADMIN_PASSWORD})
                response.raise_for_status()
                self.headers = {"Authorization": f"Bearer {response.json()['access_token']}"}
                self._token_at = time.monotonic()
        return self.headers

    async def post(self, path: str, body, key: str | None = None) -> dict | list:
        headers = dict(await self._auth())
        if key:
            headers["Idempotency-Key"] = key
        for attempt in range(5):
            response = await self.client.post(path, json=body, headers=headers)
            self.calls += 1
            if response.status_code == 503 and attempt < 4:  # shed by the gateway: again
                await asyncio.sleep(0.2 * (attempt + 1))
                continue
            if response.status_code not in (200, 201):
                raise RuntimeError(f"POST {path}: {response.status_code} {response.text[:500]}")
            return response.json()
        raise AssertionError("unreachable")

    async def get(self, path: str, **params) -> dict:
        response = await self.client.get(path, params=params, headers=await self._auth())
        self.calls += 1
        if response.status_code != 200:
            raise RuntimeError(f"GET {path}: {response.status_code} {response.text[:500]}")
        return response.json()


class Loader:
    def __init__(self, api: Client, plan: Plan, concurrency: int, suite) -> None:
        self.api, self.plan, self.concurrency, self.suite = api, plan, concurrency, suite
        self.network_id = ""
        self.person_ids: dict[int, str] = {}
        self.sessions = 0
        self.attendances = 0
        self.hours = 0.0
        self.stages: list[tuple[str, int, str, float, dict[str, float]]] = []

    async def stage(self, name: str, unit: str, work) -> None:
        started, cpu = time.perf_counter(), cpu_by_process(self.suite)
        rows = await work
        elapsed = time.perf_counter() - started
        self.stages.append((name, rows, unit, elapsed, cpu_by_process(self.suite, since=cpu)))
        print(f"  {name}: {rows} {unit} in {elapsed:.1f} s ({rows / elapsed:.0f}/s)", flush=True)

    async def organizations(self) -> int:
        network = await self.api.post(f"{IDENTITY}/organizations",
                                      {"name": "ILC Bench Network", "kind": "network"})
        self.network_id = network["id"]
        districts = await gather_limited((self.api.post(f"{IDENTITY}/organizations", {
            "name": name, "kind": "district", "county": county})
            for name, county in self.plan.districts), limit=self.concurrency)
        await gather_limited((self.api.post(f"{IDENTITY}/organizations", {
            "name": name, "kind": "school", "parent_id": districts[d]["id"],
            "county": self.plan.districts[d][1]})
            for name, d in self.plan.schools), limit=self.concurrency)
        return 1 + len(self.plan.districts) + len(self.plan.schools)

    async def leaders(self, cohorts: list[list[int]]) -> int:
        async def one(n: int, starts_on: date) -> None:
            person = await self.api.post(f"{IDENTITY}/people", {
                k: v for k, v in self.plan.match_item(n, self.network_id).items()
                if k != "network_id"})
            self.person_ids[n] = person["id"]
            await self.api.post(f"{IDENTITY}/organizations/{self.network_id}/members", {
                "person_id": person["id"], "role": "leader", "starts_on": starts_on.isoformat()})

        await gather_limited((one(n, date(2014, 8, 1) + timedelta(days=365 * year))
                              for year, cohort in enumerate(cohorts) for n in cohort),
                             limit=self.concurrency)
        return sum(len(c) for c in cohorts)

    async def event(self, kind: str, title: str) -> str:
        event = await self.api.post(f"{SCHEDULING}/events", {
            "network_id": self.network_id, "kind": kind, "title": title,
            "subjects": [SUBJECTS[sum(title.encode()) % len(SUBJECTS)]], "grade_min": "K",
            "grade_max": "8",
            "timezone": TIMEZONE, "credit_hours": 3, "status": "published"})
        return event["id"]

    def _count(self, sessions: list[dict]) -> list[tuple[str, float]]:
        self.sessions += len(sessions)
        return [(s["id"], (datetime.fromisoformat(s["ends_at"])
                           - datetime.fromisoformat(s["starts_at"])).total_seconds() / 3600)
                for s in sessions]

    async def series(self, title: str, first: date, count: int, facilitators: list[int],
                     every_weeks: int) -> list[tuple[str, float]]:
        event_id = await self.event("workshop_series", title)
        sessions = await self.api.post(f"{SCHEDULING}/events/{event_id}/sessions/series", {
            "title": "Meeting", "first_date": first.isoformat(), "start_time": "09:00",
            "end_time": "12:00", "every_weeks": every_weeks, "count": count, "capacity": 200,
            "facilitator_ids": [self.person_ids[f] for f in facilitators]})
        return self._count(sessions)

    async def one_session_event(self, kind: str, title: str, sessions: list[tuple[datetime,
                                float, int]]) -> list[tuple[str, float]]:
        """An event whose sessions are created one call each: (start, hours, facilitator)."""
        event_id = await self.event(kind, title)
        made = []
        for start, hours, facilitator in sessions:
            made.append(await self.api.post(f"{SCHEDULING}/events/{event_id}/sessions", {
                "title": f"Session {len(made) + 1}", "starts_at": start.isoformat(),
                "ends_at": (start + timedelta(hours=hours)).isoformat(), "capacity": 500,
                "facilitator_ids": [self.person_ids[facilitator]]}))
        return self._count(made)

    async def sheet(self, sheet: Sheet, key: str) -> int:
        """One sign-in sheet, as the importer sends it: match the people, then check them in."""
        unknown = [n for n in sheet.people if n not in self.person_ids]
        if unknown:
            answer = await self.api.post(
                f"{IDENTITY}/people/matches:batch",
                [self.plan.match_item(n, self.network_id) for n in unknown], key=f"{key}:m")
            for n, item in zip(unknown, answer["items"], strict=True):
                if item["status"] == "error":
                    raise RuntimeError(f"identity refused person {n}: {item}")
                self.person_ids[n] = item["id"]
        answer = await self.api.post(
            f"{SCHEDULING}/sessions/{sheet.session_id}/attendance:batch",
            {"person_ids": [self.person_ids[n] for n in sheet.people], "source": "manual"},
            key=f"{key}:a")
        recorded = sum(item["status"] == "recorded" for item in answer["items"])
        self.attendances += recorded
        self.hours += recorded * sheet.hours
        return recorded

    async def sheets(self, sheets: list[Sheet], prefix: str) -> int:
        recorded = await gather_limited(
            (self.sheet(s, f"{prefix}:{i}") for i, s in enumerate(sheets)),
            limit=self.concurrency)
        return sum(recorded)


def places(plan: Plan) -> None:
    for d in range(scaled(500, plan.scale, 5)):
        plan.districts.append((f"District {d}", COUNTIES[d % len(COUNTIES)]))
    for s in range(scaled(2200, plan.scale, 10)):
        plan.schools.append((f"School {s}", s % len(plan.districts)))


def weighted_sessions(rng: random.Random, count: int, later: float) -> list[int]:
    """Which meetings (by index) one person attended: the first, then each later one at `later`."""
    return [0, *(i for i in range(1, count) if rng.random() < later)]


async def load(api: Client, plan: Plan, concurrency: int, suite) -> tuple[Loader, float]:
    rng, scale = plan.rng, plan.scale
    loader = Loader(api, plan, concurrency, suite)
    places(plan)
    leaders = [plan.new_person(rng.choice(("teacher", "teacher", "coach_tosa", "administrator")))
               for _ in range(scaled(250, scale, 6))]
    cohorts = [leaders[i::3] for i in range(3)]
    began = time.perf_counter()
    await loader.stage("organizations (network, districts, schools)", "organizations",
                       loader.organizations())
    await loader.stage("leaders (person and leader membership)", "leaders",
                       loader.leaders(cohorts))

    def leaders_on(day: date) -> list[int]:
        return [n for year, cohort in enumerate(cohorts)
                if date(2014, 8, 1) + timedelta(days=365 * year) <= day for n in cohort]

    # Direct: leader-led workshop series of 2 or 3 meetings.
    direct: list[tuple[str, date, int, list[int], int, list[list[int]]]] = []
    reached: list[tuple[int, date]] = []  # direct people and the day of their last meeting
    for s in range(scaled(1100, scale, 4)):
        first = random_day(rng, FIRST_DAY, date(2018, 5, 1))
        count, every = rng.choice((2, 3)), rng.choice((2, 3, 4))
        facilitators = rng.sample(leaders_on(first), rng.choice((1, 1, 2)))
        meetings: list[list[int]] = [[] for _ in range(count)]
        for _ in range(32):
            person = (rng.choice(reached)[0] if reached and rng.random() < 0.08
                      else plan.new_person(rng.choice(("teacher",) * 9 + ("coach_tosa",))))
            for m in weighted_sessions(rng, count, 0.3):
                meetings[m].append(person)
            reached.append((person, first + timedelta(weeks=every * (count - 1))))
        direct.append((f"Series {s}", first, count, facilitators, every, meetings))

    # Conferences: a day of 60 one-and-a-half-hour sessions each (8 at scale 1).
    conferences = scaled(8, scale)
    per_conference = max(3, round(480 * scale / conferences))
    conference_days = [random_day(rng, FIRST_DAY, date(2018, 6, 1)) for _ in range(conferences)]
    conference_people = scaled(30000, scale, 20) // conferences

    # Indirect: coaches reached by a direct series lead a single session at least two weeks later.
    coaches = [(p, day) for p, day in reached if day < date(2018, 6, 1)]

    async def events_and_sessions() -> int:
        async def one_series(title, first, count, facilitators, every, meetings):
            made = await loader.series(title, first, count, facilitators, every)
            return [Sheet(sid, hours, people)
                    for (sid, hours), people in zip(made, meetings, strict=True) if people]

        def conference_plan(c: int) -> tuple[int, list, list[list[int]]]:
            # Drawn before any call, so the random stream (and the plan) is the same every run.
            day = conference_days[c]
            slots = [(datetime(day.year, day.month, day.day, 16 + 2 * (i % 4), tzinfo=UTC), 1.5,
                      rng.choice(leaders_on(day) or leaders)) for i in range(per_conference)]
            attended: list[list[int]] = [[] for _ in slots]
            for _ in range(conference_people):
                person = plan.new_person(rng.choice(("teacher",) * 8 + ("teacher_candidate",
                                                                         "administrator")))
                for i in rng.sample(range(len(slots)), 2 if rng.random() < 0.3 else 1):
                    attended[i].append(person)
            return c, slots, attended

        async def one_conference(c: int, slots: list, attended: list[list[int]]):
            made = await loader.one_session_event("conference", f"Conference {c}", slots)
            return [Sheet(sid, hours, people)
                    for (sid, hours), people in zip(made, attended, strict=True) if people]

        planned = [conference_plan(c) for c in range(conferences)]
        nested = await gather_limited([*(one_series(*d) for d in direct),
                                       *(one_conference(*p) for p in planned)],
                                      limit=concurrency)
        loader.first_sheets = [sheet for sheets in nested for sheet in sheets]
        return loader.sessions

    await loader.stage("leader-led events and sessions", "sessions", events_and_sessions())
    await loader.stage("direct and conference attendance (sign-in sheets)", "attendances",
                       loader.sheets(loader.first_sheets, "first"))

    async def coach_sessions() -> int:
        before = loader.sessions
        chosen = rng.sample(coaches, min(len(coaches), scaled(1540, scale, 3)))

        def coach_plan(i: int, coach: int, reached_on: date) -> tuple[int, datetime, int, list]:
            day = random_day(rng, reached_on + timedelta(days=14), LAST_DAY - timedelta(days=1))
            start = datetime(day.year, day.month, day.day, 23, tzinfo=UTC)
            return i, start, coach, [plan.new_person() for _ in range(25)]

        async def one(i: int, start: datetime, coach: int, people: list[int]):
            made = await loader.one_session_event("workshop_series", f"Coach workshop {i}",
                                                  [(start, 2.0, coach)])
            return Sheet(made[0][0], made[0][1], people)

        planned = [coach_plan(i, c, d) for i, (c, d) in enumerate(chosen)]
        loader.coach_sheets = await gather_limited((one(*p) for p in planned),
                                                   limit=concurrency)
        return loader.sessions - before

    await loader.stage("coach-led events and sessions", "sessions", coach_sessions())
    await loader.stage("indirect attendance (sign-in sheets)", "attendances",
                       loader.sheets(loader.coach_sheets, "coach"))
    return loader, began


async def wait_for_reach(api: Client, loader: Loader, last_write: datetime, began: float,
                         deadline: float) -> tuple[dict, float]:
    """Polls the summary until it holds everything sent; the moment it first did."""
    params = {"network_id": loader.network_id, "from": FIRST_DAY.isoformat(),
              "to": LAST_DAY.isoformat()}
    previous, seen = None, 0
    while True:
        polled = time.perf_counter()
        response = await api.client.get(f"{REACH}/summary", params=params,
                                        headers=await api._auth())
        if response.status_code == 200:
            summary = response.json()
            figures = (summary["sessions"], round(summary["pd_hours"] or 0, 1))
            caught_up = (summary["as_of"] is not None
                         and datetime.fromisoformat(summary["as_of"]) >= last_write)
            complete = figures == (loader.sessions, round(loader.hours, 1))
            seen = seen + 1 if caught_up and figures == previous else 0
            if complete or seen >= 2:
                return summary, polled - began
            previous = figures
            print(f"  reach so far: {figures[0]} of {loader.sessions} sessions, "
                  f"{figures[1]:.0f} of {loader.hours:.0f} PD hours", flush=True)
        elif response.status_code != 503:  # 503 index_loading: not yet
            raise RuntimeError(f"summary: {response.status_code} {response.text[:500]}")
        if time.perf_counter() > deadline:
            raise TimeoutError("reach did not show everything in time")
        await asyncio.sleep(1.0)


async def run(suite, backend: str, args) -> int:
    plan = Plan(scale=args.scale, rng=random.Random(args.seed))
    deadline = time.perf_counter() + args.time_limit
    async with client_for(suite, args.concurrency + 2) as client:
        api = Client(client)
        loader, began = await load(api, plan, args.concurrency, suite)
        sent = time.perf_counter() - began
        last_write = datetime.now(UTC)
        print(f"  everything sent in {sent:.1f} s ({api.calls} calls, "
              f"{loader.attendances / sent:.0f} attendances/s); waiting for reach", flush=True)
        summary, total = await wait_for_reach(api, loader, last_write, began, deadline)
    print(f"\n{loader.attendances} attendances of {plan.people} people in {loader.sessions} "
          f"sessions, {len(plan.schools)} schools, {len(plan.districts)} districts")
    print(f"sent through the gateway in {sent:.1f} s; reach showed all of it "
          f"{total:.1f} s after the first call ({total - sent:.1f} s after the last): "
          f"{loader.attendances / total:.0f} attendances/s end to end")
    for name, rows, unit, elapsed, cpu in loader.stages:
        print(f"  {name:52} {rows:7} {unit:13} {elapsed:7.1f} s  {rows / elapsed:7.0f}/s")
        print("      CPU s: " + ", ".join(f"{process} {seconds:.1f}"
                                        for process, seconds in cpu.items() if seconds >= 0.1))
    footprint = summary["footprint"]
    print("reach says: " + ", ".join(f"{name} {summary[name]}" for name in (
        "leaders", "active_leaders", "direct", "direct_multi_session", "direct_returned",
        "conference", "indirect", "total", "schools", "districts", "counties", "sessions")))
    print(f"  pd_hours {summary['pd_hours']:.1f} (sent {loader.hours:.1f}); total footprint "
          f"{footprint['total']['schools']} schools, {footprint['total']['districts']} "
          f"districts; generations " + ", ".join(
              f"{g['generation']}: {g['people']}" for g in summary["generations"]))
    ok = summary["sessions"] == loader.sessions and round(summary["pd_hours"], 1) == round(
        loader.hours, 1)
    print("OK: reach holds every session and attendance sent" if ok else
          "WRONG: reach's figures do not match what was sent")
    return 0 if ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0,
                        help="share of the ILC shape to load (0.02 for a quick run)")
    parser.add_argument("--concurrency", type=int, default=4, help="requests in flight")
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--postgres", action="store_true",
                        help="a fresh PostgreSQL database at 127.0.0.1:5432 instead of SQLite")
    parser.add_argument("--time-limit", type=float, default=3600.0,
                        help="seconds for loading and waiting for reach together")
    args = parser.parse_args()
    with running_suite(postgres=args.postgres) as (suite, backend):
        print(f"Cascade suite on {backend}, gateway {suite.url}; {os.cpu_count()} CPUs, "
              f"load average {os.getloadavg()[0]:.2f}; scale {args.scale}, "
              f"{args.concurrency} requests in flight", flush=True)
        return asyncio.run(run(suite, backend, args))


if __name__ == "__main__":
    sys.exit(main())
