"""Catalog search latency on 10,000 published events, through the gateway, on the real processes.

    .venv/bin/python bench/catalog.py [--events 10000] [--requests 200] [--seed auto|api|sql]
                                      [--postgres]

Starts the suite like bench/signups.py (free ports, temporary var dir, SQLite by default,
--postgres: a fresh database on 127.0.0.1:5432, dropped at the end), seeds published events with
one session each, then sends catalog searches one at a time, anonymously as the public catalog
does: q=<word> (common and rare words), subject, grade, grade span, county (common and rare),
format, from/to date ranges, combinations, the
unfiltered first page and cursor pages. Prints p50/p95 per kind of search and overall.

Seeding: --seed api creates every event and session through the gateway. --seed auto (the
default) creates the first --api-sample that way, and if the rest would take more than three
minutes at the measured rate, inserts the rest straight into scheduling's database with the
service's own tables (Event, Session), which skips the outbox and the API's checks; the output
says how many rows came each way. --seed sql inserts them all that way.
"""

import argparse
import asyncio
import os
import random
import statistics
import sys
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta

import httpx
from signups import (
    SCHEDULING,
    Api,
    client_for,
    gather_limited,
    latency_line,
    percentile,
    running_suite,
)

from services.runner import Suite, database_url
from services.scheduling.events.models import Event
from services.scheduling.sessions.models import Session
from shared.db import create_engine
from shared.ids import new_id

WORDS = ("argument", "writing", "fractions", "geometry", "inquiry", "phenomena", "literacy",
         "discourse", "modeling", "ratios", "narrative", "evidence", "reading", "algebra",
         "ecosystems", "energy", "vocabulary", "designated", "integrated", "assessment",
         "coaching", "lesson", "study", "equity", "routines", "number", "sense", "phonics",
         "language", "data")
RARE = "zeppelin"  # in one event of RARE_EVERY: a search that must look through everything
RARE_EVERY = 2000
SUBJECTS = ("ELA", "math", "science", "ELD", "other")
# Counties and formats come from the event's number, not the random stream, so the titles, grades
# and dates stay those of earlier runs and their figures compare.
COUNTIES = ("Alameda", "Fresno", "Kern", "Los Angeles", "Orange", "Riverside", "Sacramento",
            "San Bernardino", "San Diego", "San Joaquin", "Santa Clara", "Stanislaus", "Tulare",
            "Ventura", "Modoc", "Alpine")
FORMATS = ("in_person", "in_person", "virtual", "hybrid")
GRADES = ("TK", "K", *(str(n) for n in range(1, 13)))
FIRST_DAY = datetime(2026, 1, 5, 16, 0, tzinfo=UTC)
DAYS = 730  # sessions spread over two years: about 14 a day for 10,000 events
SQL_SHORTCUT_SECONDS = 180.0


def event_fields(n: int, rng: random.Random) -> tuple[dict, datetime]:
    title = " ".join(rng.sample(WORDS, 3)).capitalize()
    if n % RARE_EVERY == 7:
        title += f" {RARE}"
    low = rng.randrange(len(GRADES))
    high = min(len(GRADES) - 1, low + rng.randrange(4))
    starts = FIRST_DAY + timedelta(days=rng.randrange(DAYS), minutes=30 * rng.randrange(8))
    return {
        "kind": "workshop_series", "title": f"{title} #{n}",
        "subjects": rng.sample(SUBJECTS, rng.choice((1, 1, 2))),
        "grade_min": GRADES[low], "grade_max": GRADES[high],
        "timezone": "America/Los_Angeles", "credit_hours": 2, "status": "published",
        # Modoc and Alpine are small: one event in about a hundred.
        "county": COUNTIES[n % (len(COUNTIES) - 2)] if n % 97 else COUNTIES[-1 - n % 2],
        "format": FORMATS[(n // 3) % len(FORMATS)],
    }, starts


async def seed_through_api(api: Api, network_id: str, numbers: range, rng: random.Random) -> None:
    async def one(n: int) -> None:
        fields, starts = event_fields(n, rng)
        event = await api.post(f"{SCHEDULING}/events", {"network_id": network_id, **fields})
        await api.post(f"{SCHEDULING}/events/{event['id']}/sessions", {
            "title": "Session I", "starts_at": starts.isoformat(),
            "ends_at": (starts + timedelta(hours=2)).isoformat(), "capacity": 30,
            "facilitator_ids": []})

    await gather_limited((one(n) for n in numbers), limit=16)


async def seed_with_sql(suite: Suite, network_id: str, numbers: range, rng: random.Random) -> None:
    """The shortcut: rows as the service would write them, in batches, beside the running suite."""
    engine = create_engine(database_url("scheduling", suite.var_dir), schema="scheduling")
    grade_ordinal = {grade: index - 1 for index, grade in enumerate(GRADES)}  # TK -1, K 0, 1..12
    try:
        batch = 1000
        for start in range(numbers.start, numbers.stop, batch):
            events, sessions = [], []
            now = datetime.now(UTC)
            for n in range(start, min(start + batch, numbers.stop)):
                fields, starts = event_fields(n, rng)
                event_id = new_id()
                events.append({
                    "id": event_id, "network_id": network_id, "kind": fields["kind"],
                    "title": fields["title"], "description": "",
                    "subjects": ",".join(fields["subjects"]),
                    "grade_min": grade_ordinal[fields["grade_min"]],
                    "grade_max": grade_ordinal[fields["grade_max"]], "audience": None,
                    "format": fields["format"], "venue": None, "county": fields["county"],
                    "timezone": fields["timezone"],
                    "credit_hours": 2.0, "status": "published", "created_at": now,
                    "updated_at": now,
                })
                sessions.append({
                    "id": new_id(), "event_id": event_id, "network_id": network_id,
                    "slot_id": None, "title": "Session I", "description": "", "room": None,
                    "starts_at": starts, "ends_at": starts + timedelta(hours=2), "capacity": 30,
                    "facilitator_ids": [], "confirmed_count": 0, "waitlist_count": 0,
                    "created_at": now,
                })
            async with engine.begin() as connection:
                await connection.execute(Event.__table__.insert(), events)
                await connection.execute(Session.__table__.insert(), sessions)
    finally:
        await engine.dispose()


def searches(count: int, rng: random.Random) -> list[tuple[str, dict]]:
    """The mix: (kind, query parameters); "cursor" kinds are timed on their second page."""
    def week() -> dict:
        start = (FIRST_DAY + timedelta(days=rng.randrange(DAYS - 7))).date()
        return {"from": start.isoformat(), "to": (start + timedelta(days=6)).isoformat()}

    def day() -> dict:
        start = (FIRST_DAY + timedelta(days=rng.randrange(DAYS))).date().isoformat()
        return {"from": start, "to": start}

    makers = {
        "first page, no filter": lambda: {},
        "q=<common word>": lambda: {"q": rng.choice(WORDS)},
        f"q={RARE} (rare)": lambda: {"q": RARE},
        "subject": lambda: {"subject": rng.choice(SUBJECTS)},
        "grade": lambda: {"grade": rng.choice(GRADES)},
        "subject+grade": lambda: {"subject": rng.choice(SUBJECTS), "grade": rng.choice(GRADES)},
        "from/to one week": week,
        "from/to one day + subject": lambda: day() | {"subject": rng.choice(SUBJECTS)},
        "q+grade+from/to week": lambda: {"q": rng.choice(WORDS), "grade": rng.choice(GRADES)}
        | week(),
        "county": lambda: {"county": rng.choice(COUNTIES)},
        "county=Modoc (small)": lambda: {"county": "Modoc"},
        "format": lambda: {"format": rng.choice(FORMATS)},
        "grade span": lambda: {"grade": "-".join(sorted(rng.sample(GRADES, 2), key=GRADES.index))},
        "county+format+grade span": lambda: {
            "county": rng.choice(COUNTIES), "format": rng.choice(FORMATS),
            "grade": "-".join(sorted(rng.sample(GRADES, 2), key=GRADES.index))},
        "county+format+week+q": lambda: {"county": rng.choice(COUNTIES),
                                         "format": rng.choice(FORMATS), "q": rng.choice(WORDS)}
        | week(),
        "cursor page 2, no filter": lambda: {},
        "cursor page 2, subject+grade": lambda: {"subject": rng.choice(SUBJECTS),
                                                 "grade": rng.choice(GRADES)},
    }
    kinds = list(makers)
    return [(kinds[i % len(kinds)], makers[kinds[i % len(kinds)]]()) for i in range(count)]


async def measure(client: httpx.AsyncClient, plan: list[tuple[str, dict]]) -> dict:
    path = f"{SCHEDULING}/events"
    timings: dict[str, list[float]] = defaultdict(list)
    found: dict[str, list[int]] = defaultdict(list)
    for kind, params in plan:
        if kind.startswith("cursor"):
            first = await client.get(path, params=params)
            first.raise_for_status()
            cursor = first.json()["next_cursor"]
            if not cursor:
                continue
            params = params | {"cursor": cursor}
        started = time.perf_counter()
        response = await client.get(path, params=params)
        elapsed = time.perf_counter() - started
        if response.status_code != 200:
            raise RuntimeError(f"GET {path} {params}: {response.status_code} {response.text}")
        timings[kind].append(elapsed)
        found[kind].append(len(response.json()["items"]))
    return {"timings": timings, "found": found}


async def run(suite: Suite, backend: str, args) -> int:
    rng = random.Random(20261123)
    async with client_for(suite, 32) as client:
        api = Api(client)
        await api.sign_in()
        network = await api.network("Catalog Network")
        began = time.perf_counter()
        through_api = args.events if args.seed == "api" else 0
        if args.seed == "auto":
            sample = min(args.api_sample, args.events)
            await seed_through_api(api, network["id"], range(sample), rng)
            rate = sample / (time.perf_counter() - began)
            through_api = sample
            if (args.events - sample) / rate <= SQL_SHORTCUT_SECONDS:
                await seed_through_api(api, network["id"], range(sample, args.events), rng)
                through_api = args.events
            print(f"API seeding rate: {rate:.0f} events+sessions/s (16 at a time), so the rest "
                  f"would take {(args.events - sample) / rate:.0f} s through the API")
        elif through_api:
            await seed_through_api(api, network["id"], range(through_api), rng)
        if through_api < args.events:
            await seed_with_sql(suite, network["id"], range(through_api, args.events), rng)
        seeded = time.perf_counter() - began
        print(f"seeded {args.events} published events with a session each in {seeded:.1f} s: "
              f"{through_api} through the API, {args.events - through_api} inserted directly "
              f"into scheduling's database (SQL shortcut, service's own tables, no outbox)")

    async with httpx.AsyncClient(base_url=suite.url, timeout=30.0) as anonymous:
        await measure(anonymous, searches(22, random.Random(1)))  # warm-up: connections, caches
        result = await measure(anonymous, searches(args.requests, rng))

    timings, found = result["timings"], result["found"]
    everything = [t for values in timings.values() for t in values]
    print(f"\ncatalog searches on {backend}, anonymous, default page size, one at a time "
          f"through the gateway ({len(everything)} timed requests after 22 warm-up):")
    print(f"{'kind':<32} {'n':>3} {'items':>6} {'p50 ms':>8} {'p95 ms':>8}")
    for kind, values in timings.items():
        ordered = sorted(values)
        print(f"{kind:<32} {len(values):>3} {statistics.mean(found[kind]):>6.1f} "
              f"{percentile(ordered, 0.5) * 1000:>8.1f} {percentile(ordered, 0.95) * 1000:>8.1f}")
    print(f"{'all':<32} {len(everything):>3} {'':>6} "
          f"{percentile(sorted(everything), 0.5) * 1000:>8.1f} "
          f"{percentile(sorted(everything), 0.95) * 1000:>8.1f}")
    print(f"overall: {latency_line(everything)}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--seed", choices=("auto", "api", "sql"), default="auto")
    parser.add_argument("--api-sample", type=int, default=300,
                        help="with --seed auto: events created through the API first")
    parser.add_argument("--postgres", action="store_true",
                        help="a fresh PostgreSQL database at 127.0.0.1:5432 instead of SQLite")
    parser.add_argument("--time-limit", type=float, default=900.0)
    args = parser.parse_args()
    with running_suite(postgres=args.postgres) as (suite, backend):
        print(f"Cascade suite on {backend}, gateway {suite.url}; {os.cpu_count()} CPUs, "
              f"load average {os.getloadavg()[0]:.2f}")
        return asyncio.run(asyncio.wait_for(run(suite, backend, args), args.time_limit))


if __name__ == "__main__":
    sys.exit(main())
