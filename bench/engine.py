"""The reach index (services/reach/engine/index.py) at statewide scale: load time, memory and
ask() latency, straight on a read model, without the service around it.

    .venv/bin/python bench/engine.py [--scale 1.0] [--asks 40] [--postgres] [--keep PATH]

Synthesises a statewide read model in a child process (at --scale 1: 300,000 people, 10,000
schools, 1,000 districts, 58 counties, two networks with 150 leaders each, about 10 million
attendance rows over the four school years 2022-23 .. 2025-26; cohorts that come back to each
session of their event, coaches who were reached leading sessions of their own, some cancelled
sessions) with bulk inserts into a SQLite file (PostgreSQL with --postgres: a fresh database on
127.0.0.1:5432, or CASCADE_BENCH_POSTGRES_URL, dropped at the end). Then, in this process: the
first load's time and the process's memory (RSS) before and after it, ask() p50/p95 for the
whole history, one school year and 37-day windows (each network in turn, windows at random),
and one incremental refresh after 1,000 new attendance rows.
"""

import argparse
import asyncio
import gc
import json
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from services.reach.engine.index import ReachIndex  # noqa: E402
from shared import migrations  # noqa: E402
from shared.db import create_engine, session_factory  # noqa: E402

NETWORKS = ("net-north", "net-south")
HISTORY = (date(2022, 7, 1), date(2026, 6, 30))
YEAR = (date(2025, 7, 1), date(2026, 6, 30))
KINDS = (("workshop_series", 0.35, (3, 5)), ("institute", 0.10, (2, 4)),
         ("coaching_cycle", 0.10, (4, 6)), ("community_of_practice", 0.13, (4, 8)),
         ("lesson_study", 0.05, (3, 3)), ("conference", 0.02, (20, 40)),
         ("webinar", 0.20, (1, 1)), ("presentation", 0.05, (1, 1)))
SUBJECTS = ("ELA", "math", "science", "ELD")  # as reach names them
COLUMNS = {
    "organization": ("id", "name", "kind", "parent_id", "county", "attributes", "version"),
    "person": ("id", "role", "school_id", "district_id", "county", "version"),
    "membership": ("id", "organization_id", "person_id", "role", "starts_on", "ends_on",
                   "version"),
    "event": ("id", "network_id", "kind", "title", "timezone", "credit_hours", "status",
              "subjects", "grade_min", "grade_max", "format", "program_id", "version"),
    "event_session": ("id", "event_id", "starts_at", "ends_at", "facilitator_ids", "status",
                      "version"),
    "attendance": ("id", "session_id", "event_id", "person_id", "recorded_at", "version"),
}


class Sink:
    """Bulk inserts into the reach tables of a SQLite file or a PostgreSQL database."""

    def __init__(self, url: str) -> None:
        self.postgres = url.startswith("postgresql")
        self.version = 0
        if self.postgres:
            import psycopg
            self.db = psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"))
        else:
            self.db = sqlite3.connect(url.removeprefix("sqlite+aiosqlite:///"))
            self.db.execute("PRAGMA synchronous=OFF")

    def put(self, table: str, rows: list[tuple]) -> None:
        columns = COLUMNS[table]
        stamped = []
        for row in rows:
            self.version += 1
            stamped.append((*row, self.version))
        if self.postgres:
            with self.db.cursor() as cursor, cursor.copy(
                    f"COPY reach.{table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in stamped:
                    copy.write_row(row)
        else:
            marks = ", ".join("?" for _ in columns)
            self.db.executemany(f"INSERT INTO {table} ({', '.join(columns)}) "  # noqa: S608
                                f"VALUES ({marks})", stamped)

    def close(self) -> None:
        self.db.commit()
        if self.postgres:
            with self.db.cursor() as cursor:
                cursor.execute("ANALYZE")
            self.db.commit()
        self.db.close()


def when(at: datetime, postgres: bool) -> str:
    return at.isoformat() if postgres else at.replace(tzinfo=None).isoformat(" ", "microseconds")


def synthesise(url: str, scale: float, seed: int = 8) -> None:
    rng = np.random.default_rng(seed)
    pick = random.Random(seed)  # noqa: S311 (synthetic data)
    sink = Sink(url)
    pg = sink.postgres
    people = int(300_000 * scale)
    schools = max(int(10_000 * scale), 58)
    districts = max(int(1_000 * scale), 58)
    target = int(10_000_000 * scale)

    rows = [(net, f"Network {net}", "network", None, None, "{}") for net in NETWORKS]
    rows += [(f"d{d}", f"District {d}", "district", None, f"County {d % 58}",
              json.dumps(pick.choice([{}, {"frpl_pct": 70}, {"locale": "rural"}])))
             for d in range(districts)]
    school_district = rng.integers(0, districts, schools)
    rows += [(f"s{s}", f"School {s}", "school", f"d{school_district[s]}", None,
              json.dumps(pick.choice([{}, {"frpl_pct": 55}, {"el_pct": 30}])))
             for s in range(schools)]
    sink.put("organization", rows)
    # People in school order, so a contiguous block of them is a region.
    school_of = np.sort(rng.integers(0, schools, people))
    roles = rng.choice(["teacher", "coach_tosa", "administrator"], people, p=[.85, .1, .05])
    sink.put("person", [(f"p{p}", roles[p], f"s{school_of[p]}", None, None)
                        for p in range(people)])
    leaders = {net: [f"p{p}" for p in rng.choice(people, max(int(150 * scale), 5),
                                                 replace=False)] for net in NETWORKS}
    sink.put("membership", [(f"m-{net}-{pid}", net, pid, "leader", "2022-07-01", None)
                            for net, pids in leaders.items() for pid in pids])
    coaches = np.flatnonzero(roles == "coach_tosa")

    kinds = [k for k, _, _ in KINDS]
    weights = [w for _, w, _ in KINDS]
    days = (HISTORY[1] - HISTORY[0]).days - 70
    written = event_count = session_count = 0
    while written < target:
        events, sessions, attendance = [], [], []
        for _ in range(2000):
            event_count += 1
            eid = f"e{event_count}"
            kind = pick.choices(kinds, weights)[0]
            low, high = dict((k, r) for k, _, r in KINDS)[kind]
            net = pick.choice(NETWORKS)
            grade = pick.choice([-1, 0, 3, 6, 9])
            events.append((eid, net, kind, "An event", "America/Los_Angeles", 3.0,
                           "published", json.dumps(pick.sample(SUBJECTS, 1)), grade,
                           grade + 2, "in_person", pick.choice([None, "prog-1"])))
            block = pick.randrange(0, max(people - 3000, 1))
            cohort = block + rng.choice(min(3000, people), pick.randint(18, 40),
                                        replace=False)
            starts = (datetime.combine(HISTORY[0], datetime.min.time(), UTC)
                      + timedelta(days=pick.randrange(days), hours=16))
            # Leaders lead most sessions; coaches (often reached earlier) lead the rest.
            facilitator = (pick.choice(leaders[net]) if pick.random() < 0.6
                           else f"p{pick.choice(coaches)}")
            for k in range(pick.randint(low, high)):
                session_count += 1
                sid = f"x{session_count}"
                at = starts + timedelta(days=14 * k if kind != "conference" else 0,
                                        hours=k % 4 if kind == "conference" else 0)
                sessions.append((sid, eid, when(at, pg), when(at + timedelta(hours=3), pg),
                                 json.dumps([facilitator]),
                                 "cancelled" if pick.random() < 0.03 else "scheduled"))
                present = (cohort if kind != "conference"
                           else rng.choice(people, pick.randint(20, 60), replace=False))
                present = present[rng.random(len(present)) < 0.85]
                recorded = when(at, pg)
                attendance += [(f"a{written + i}", sid, eid, f"p{p}", recorded)
                               for i, p in enumerate(present.tolist())]
                written += len(present)
        sink.put("event", events)
        sink.put("event_session", sessions)
        sink.put("attendance", attendance)
    sink.close()
    print(f"synthesised: {people:,} people, {schools:,} schools, {districts:,} districts, "
          f"58 counties, {event_count:,} events, {session_count:,} sessions, "
          f"{written:,} attendance rows", flush=True)


def rss_mb() -> tuple[float, float]:
    status = Path("/proc/self/status").read_text()
    fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
    return (int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


async def measure(url: str, asks: int) -> None:
    gc.collect()
    before, _ = rss_mb()
    engine = create_engine(url, schema="reach")
    index = ReachIndex(session_factory(engine))
    started = time.perf_counter()
    await index.refresh()
    load = time.perf_counter() - started
    gc.collect()
    after, peak = rss_mb()
    snapshot = index.snapshot()
    print(f"load: {load:.1f} s; RSS {before:.0f} MB before, {after:.0f} MB after "
          f"(index {after - before:.0f} MB), peak {peak:.0f} MB; "
          f"{snapshot.people.count:,} people, {len(snapshot.s_event):,} sessions, "
          f"{len(snapshot.r_p):,} attendance rows, {len(snapshot.pair_person):,} "
          "(person, event) pairs", flush=True)

    pick = random.Random(37)  # noqa: S311
    span = (HISTORY[1] - HISTORY[0]).days - 37
    windows = {
        "whole history": lambda: HISTORY,
        "one school year": lambda: YEAR,
        "37-day window": lambda: (lambda s: (s, s + timedelta(days=36)))(
            HISTORY[0] + timedelta(days=pick.randrange(span))),
    }
    for name, window in windows.items():
        took, reached = [], []
        for i in range(asks):
            start, end = window()
            began = time.perf_counter()
            answer = snapshot.ask(NETWORKS[i % 2], start, end)
            took.append((time.perf_counter() - began) * 1000)
            reached.append(int(answer.reached.sum()))
        print(f"ask, {name}: p50 {statistics.median(took):.0f} ms, p95 "
              f"{percentile(took, 0.95):.0f} ms, max {max(took):.0f} ms over {asks} asks "
              f"(reached, median: {int(statistics.median(reached)):,}; "
              f"max generation {int(answer.generation.max())})", flush=True)

    # An incremental refresh: 1,000 new attendance rows in existing sessions.
    sink = Sink(url)
    sink.version = 10**12
    people = snapshot.people.ids
    sessions = [s for s in index.sessions.ids[:5000] if s.startswith("x")]
    sink.put("attendance", [(f"new-{i}", pick.choice(sessions), None, pick.choice(people),
                             None) for i in range(1000)])
    sink.close()
    began = time.perf_counter()
    await index.refresh()
    print(f"refresh after 1,000 new attendance rows: {time.perf_counter() - began:.2f} s; "
          f"rows now {len(index.snapshot().r_p):,}", flush=True)
    began = time.perf_counter()
    await index.refresh()
    print(f"refresh with nothing new: {(time.perf_counter() - began) * 1000:.0f} ms")
    await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--asks", type=int, default=40)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--keep", help="synthesise into (or reuse) this SQLite file")
    parser.add_argument("--synthesise", help=argparse.SUPPRESS)  # the child process
    args = parser.parse_args()
    if args.synthesise:
        synthesise(args.synthesise, args.scale)
        return
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}; scale {args.scale}",
          flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        drop = None
        if args.postgres:
            import psycopg
            server = os.environ.get("CASCADE_BENCH_POSTGRES_URL",
                                    "postgresql://postgres@127.0.0.1:5432/postgres")
            name = f"cascade_bench_engine_{uuid.uuid4().hex[:8]}"
            with psycopg.connect(server, autocommit=True) as connection:
                connection.execute(f'CREATE DATABASE "{name}"')
            url = server.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
            url = f"{url}/{name}"

            def drop() -> None:
                with psycopg.connect(server, autocommit=True) as connection:
                    connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        else:
            path = Path(args.keep) if args.keep else Path(tmp) / "reach.db"
            url = f"sqlite+aiosqlite:///{path}"
        try:
            if not (args.keep and Path(args.keep).exists()):
                migrations.upgrade("reach", url if args.postgres else f"sqlite:///{path}")
                began = time.perf_counter()
                subprocess.run([sys.executable, __file__, "--scale", str(args.scale),
                                "--synthesise", url], check=True)
                print(f"synthesis and bulk insert: {time.perf_counter() - began:.0f} s",
                      flush=True)
            asyncio.run(measure(url, args.asks))
        finally:
            if drop:
                drop()


if __name__ == "__main__":
    main()
