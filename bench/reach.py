"""Reach at statewide scale through the gateway, on SQLite or PostgreSQL, beside DuckDB.

    .venv/bin/python bench/reach.py [--scale 1.0] [--asks 10] [--postgres] [--keep FILE]

1. Synthesises the statewide read model of bench/engine.py (at --scale 1: 300,000 people, 10,000
   schools, 1,000 districts, 58 counties, two networks, about 10 million attendance rows over
   the school years 2022-23 .. 2025-26) by bulk insert into reach's database of a fresh suite
   (SQLite files in a temporary directory; --postgres: a fresh database on 127.0.0.1:5432).
2. Copies the same raw rows into DuckDB (in memory), untouched but for parsing (JSON lists,
   timestamps, the equity flags of each organization's attributes).
3. Starts the whole suite (services.runner.Suite, as bench/signups.py does), waits for reach's
   index to load, and asks, as a platform admin through the gateway, one request at a time: the
   summary and the breakdown by every dimension, for the whole history, one school year and
   random 37-day windows (the two networks in turn). Each answer's direct reach is computed by
   DuckDB from the raw rows for the same window, timed, and compared.
4. Prints p50/p95 per question and window beside DuckDB's, their ratio, whether the figures
   agree, and the reach process's memory (RSS now and its peak).

--keep FILE keeps the synthesised SQLite file (and reuses it on the next run: synthesis at
scale 1 takes minutes). Goal (issue 8): p95 under 200 ms on both databases, faster than
DuckDB, and the reach process under 1 GB.
"""

import argparse
import asyncio
import csv
import json
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.engine import HISTORY, NETWORKS, YEAR  # noqa: E402
from bench.signups import ADMIN_EMAIL, ADMIN_PASSWORD, percentile, running_suite  # noqa: E402
from services.reach.engine.reference import equity_flags  # noqa: E402
from services.reach.engine.result import DIRECT_KINDS  # noqa: E402
from services.reach.figures.questions import (  # noqa: E402
    DIMENSIONS,
    GRADE_SPANS,
    PERSON_DIMENSIONS,
)
from services.runner import Suite  # noqa: E402
from shared import migrations  # noqa: E402

REACH = "/api/reach/v1"
WINDOW_NAMES = ("whole history", "one school year", "37-day window")
QUESTIONS = ("summary", *DIMENSIONS)

# What DuckDB reads of the raw rows: (table, columns).
RAW = {
    "organization": ("id", "kind", "parent_id", "county", "attributes"),
    "person": ("id", "role", "school_id", "district_id", "county"),
    "membership": ("organization_id", "person_id", "role", "starts_on", "ends_on"),
    "event": ("id", "network_id", "kind", "subjects", "grade_min", "grade_max"),
    "event_session": ("id", "event_id", "starts_at", "status", "facilitator_ids"),
    "attendance": ("session_id", "person_id"),
}


# -- the database and DuckDB ------------------------------------------------------------------

def synthesise(url: str, scale: float) -> None:
    subprocess.run([sys.executable, str(ROOT / "bench" / "engine.py"), "--scale", str(scale),
                    "--synthesise", url], check=True)


def export(url: str, table: str, into: Path) -> None:
    """The table's raw columns as CSV (NULL as an empty field), streamed."""
    columns = ", ".join(RAW[table])
    if url.startswith("postgresql"):
        import psycopg
        with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as db, \
                db.cursor() as cursor, into.open("wb") as out, cursor.copy(
                    f"COPY (SELECT {columns} FROM reach.{table}) TO STDOUT (FORMAT csv)") as copy:
            for block in copy:
                out.write(block)
        return
    db = sqlite3.connect(url.removeprefix("sqlite+aiosqlite:///"))
    with into.open("w", newline="") as out:
        csv.writer(out).writerows(db.execute(f"SELECT {columns} FROM {table}"))  # noqa: S608
    db.close()


def load_duckdb(url: str, tmp: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    for table, columns in RAW.items():
        path = tmp / f"{table}.csv"
        export(url, table, path)
        types = {c: "INTEGER" if c.startswith("grade_") else "VARCHAR" for c in columns}
        con.execute(f"CREATE TABLE raw_{table} AS SELECT * FROM read_csv(?, header=false, "
                    f"columns={types!r}, quote='\"', nullstr='')", [str(path)])
        path.unlink()
    # Parsed once, as any warehouse would store them: timestamps, JSON lists, flags.
    con.execute("""
        CREATE TABLE event_session AS SELECT id, event_id, status,
            CAST(substr(replace(starts_at, 'T', ' '), 1, 19) AS TIMESTAMP) AS starts_at
        FROM raw_event_session;
        CREATE TABLE session_facilitator AS SELECT id AS session_id,
            unnest(from_json(facilitator_ids, '["VARCHAR"]')) AS person_id
        FROM raw_event_session;
        CREATE TABLE event AS SELECT id, network_id, kind, grade_min, grade_max,
            from_json(subjects, '["VARCHAR"]') AS subjects FROM raw_event;
        CREATE TABLE membership AS SELECT organization_id, person_id, role,
            CAST(starts_on AS DATE) AS starts_on, CAST(ends_on AS DATE) AS ends_on
        FROM raw_membership;
        ALTER TABLE raw_person RENAME TO person;
        ALTER TABLE raw_attendance RENAME TO attendance;
    """)
    flags = []
    for org_id, kind, parent, county, attributes in con.execute(
            "SELECT * FROM raw_organization").fetchall():
        lens = equity_flags(json.loads(attributes or "{}"))
        flags.append((org_id, kind, parent, county,
                      *(None if lens[n] is None else ("yes" if lens[n] else "no")
                        for n in ("high_poverty", "el_serving", "rural"))))
    con.execute("CREATE TABLE organization (id VARCHAR, kind VARCHAR, parent_id VARCHAR, "
                "county VARCHAR, high_poverty VARCHAR, el_serving VARCHAR, rural VARCHAR)")
    con.executemany("INSERT INTO organization VALUES (?, ?, ?, ?, ?, ?, ?)", flags)
    con.execute("DROP TABLE raw_event_session; DROP TABLE raw_event; DROP TABLE raw_membership;"
                " DROP TABLE raw_organization")
    return con


# Direct reach (SPEC "Reach"): people other than the window's leaders who attended a held
# session, in the window, of a direct-kind event of the network that one of its leaders led.
DIRECT = f"""
WITH leader AS (
    SELECT DISTINCT person_id FROM membership
    WHERE organization_id = $net AND role = 'leader'
      AND coalesce(starts_on, DATE '0001-01-01') <= $last
      AND coalesce(ends_on, DATE '9999-12-31') >= $first),
led AS (
    SELECT s.id, s.starts_at, e.kind, e.subjects, e.grade_min, e.grade_max
    FROM event_session s JOIN event e ON e.id = s.event_id
    WHERE e.network_id = $net AND s.status <> 'cancelled'
      AND e.kind IN ({", ".join(f"'{k}'" for k in sorted(DIRECT_KINDS))})
      AND s.starts_at >= $since AND s.starts_at < $until
      AND EXISTS (SELECT 1 FROM session_facilitator f JOIN leader l USING (person_id)
                  WHERE f.session_id = s.id)),
direct AS (
    SELECT a.person_id, led.* FROM attendance a JOIN led ON led.id = a.session_id
    WHERE a.person_id NOT IN (SELECT person_id FROM leader)),
place AS (
    SELECT p.id, p.role, p.school_id AS school,
           coalesce(p.district_id, s.parent_id) AS district,
           coalesce(p.county, s.county, d.county) AS county,
           coalesce(s.high_poverty, d.high_poverty) AS high_poverty,
           coalesce(s.el_serving, d.el_serving) AS el_serving,
           coalesce(s.rural, d.rural) AS rural
    FROM person p LEFT JOIN organization s ON s.id = p.school_id
    LEFT JOIN organization d ON d.id = coalesce(p.district_id, s.parent_id))
"""
SPANS = " UNION ALL ".join(f"SELECT '{name}' AS span, {low} AS low, {high} AS high"
                           for name, (low, high) in GRADE_SPANS.items())
YEAR_OF = ("CAST(year(starts_at) - (month(starts_at) < 7)::INT AS VARCHAR) || '-' || "
           "lpad(CAST((year(starts_at) - (month(starts_at) < 7)::INT + 1) % 100 AS VARCHAR), "
           "2, '0')")


def duckdb_sql(question: str) -> str:
    if question == "summary":
        return DIRECT + "SELECT NULL, count(DISTINCT person_id) FROM direct"
    if question in PERSON_DIMENSIONS:
        return DIRECT + (f"SELECT place.{question}, count(DISTINCT direct.person_id) FROM direct "
                         f"JOIN place ON place.id = direct.person_id GROUP BY 1")
    grouped = {
        "subject": "FROM (SELECT person_id, unnest(subjects) AS key FROM direct)",
        "grade_span": f"FROM direct JOIN ({SPANS}) spans ON direct.grade_min <= spans.high "
                      "AND direct.grade_max >= spans.low",
        "event_kind": "FROM direct",
        "school_year": "FROM direct",
        "program_year": "FROM direct",
    }[question]
    key = {"subject": "key", "grade_span": "span", "event_kind": "kind"}.get(question, YEAR_OF)
    return DIRECT + f"SELECT {key}, count(DISTINCT person_id) {grouped} GROUP BY 1"


def duckdb_answer(con, question: str, network: str, first: date, last: date) -> dict:
    since = datetime.combine(first, datetime.min.time())
    until = datetime.combine(last + timedelta(days=1), datetime.min.time())
    rows = con.execute(duckdb_sql(question), {"net": network, "first": first, "last": last,
                                              "since": since, "until": until}).fetchall()
    return {key: count for key, count in rows if count}


def service_answer(body: dict, question: str) -> dict:
    if question == "summary":
        return {None: body["direct"]} if body["direct"] else {}
    return {row["key"]: row["direct"] for row in body["rows"] if row["direct"]}


# -- the run ----------------------------------------------------------------------------------

def memory_mb(pid: int) -> tuple[float, float]:
    fields = dict(line.split(":", 1) for line in
                  Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def windows(asks: int, seed: int = 37) -> dict[str, list[tuple[str, date, date]]]:
    pick = random.Random(seed)
    span = (HISTORY[1] - HISTORY[0]).days - 37

    def month() -> tuple[date, date]:
        first = HISTORY[0] + timedelta(days=pick.randrange(span))
        return first, first + timedelta(days=36)

    return {
        "whole history": [(NETWORKS[i % 2], *HISTORY) for i in range(asks)],
        "one school year": [(NETWORKS[i % 2], *YEAR) for i in range(asks)],
        "37-day window": [(NETWORKS[i % 2], *month()) for i in range(asks)],
    }


async def wait_for_index(client: httpx.AsyncClient, headers: dict, sign_in) -> float:
    """Until reach answers (503 index_loading meanwhile); a 504 means reach was too busy to
    answer the gateway in time, which is said."""
    began, busy = time.perf_counter(), 0
    while True:
        response = await client.get(f"{REACH}/summary", headers=headers, params={
            "network_id": NETWORKS[0], "from": HISTORY[0].isoformat(),
            "to": HISTORY[1].isoformat()})
        if response.status_code == 200:
            if busy:
                print(f"while loading, reach left the gateway without an answer (504) "
                      f"{busy} times")
            return time.perf_counter() - began
        busy += response.status_code == 504
        if response.status_code == 401:  # the token expired while the index loaded
            await sign_in()
        elif response.status_code not in (503, 504):
            raise RuntimeError(f"summary: {response.status_code} {response.text[:500]}")
        await asyncio.sleep(1)


async def measure(suite: Suite, con, backend: str, asks: int, only: list[str]) -> None:
    pid = suite.processes["reach"].pid
    async with httpx.AsyncClient(base_url=suite.url, timeout=httpx.Timeout(300.0)) as client:
        headers: dict[str, str] = {}

        async def sign_in() -> None:
            token = await client.post("/api/identity/v1/token", data={
                "grant_type": "password", "username": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
            token.raise_for_status()
            headers["Authorization"] = f"Bearer {token.json()['access_token']}"

        await sign_in()
        loaded = await wait_for_index(client, headers, sign_in)
        rss, peak = memory_mb(pid)
        print(f"reach's index loaded {loaded:.0f} s after the suite came up; reach process "
              f"RSS {rss:.0f} MB, peak {peak:.0f} MB", flush=True)
        print(f"\n{'window':<16} {'question':<14} {backend + ' p50':>12} {'p95':>7} "
              f"{'DuckDB p50':>11} {'p95':>7} {'p95 ratio':>10}  figures")
        worst, signed_in = 0.0, time.monotonic()
        for window_name, asked in windows(asks).items():
            for question in only:
                took, yardstick, differ = [], [], 0
                for network, first, last in asked:
                    params = {"network_id": network, "from": first.isoformat(),
                              "to": last.isoformat()}
                    path = f"{REACH}/summary"
                    if question != "summary":
                        path, params["dimension"] = f"{REACH}/breakdown", question
                    if time.monotonic() - signed_in > 120:  # access tokens live 5 minutes
                        await sign_in()
                        signed_in = time.monotonic()
                    began = time.perf_counter()
                    response = await client.get(path, params=params, headers=headers)
                    took.append((time.perf_counter() - began) * 1000)
                    if response.status_code == 401:  # expired while this request waited
                        await sign_in()
                        signed_in = time.monotonic()
                        response = await client.get(path, params=params, headers=headers)
                    if response.status_code != 200:
                        raise RuntimeError(f"{path}: {response.status_code} "
                                           f"{response.text[:500]}")
                    began = time.perf_counter()
                    expected = duckdb_answer(con, question, network, first, last)
                    yardstick.append((time.perf_counter() - began) * 1000)
                    differ += service_answer(response.json(), question) != expected
                p95, d95 = percentile(sorted(took), 0.95), percentile(sorted(yardstick), 0.95)
                worst = max(worst, p95)
                print(f"{window_name:<16} {question:<14} {statistics.median(took):>9.0f} ms "
                      f"{p95:>4.0f} ms {statistics.median(yardstick):>8.0f} ms {d95:>4.0f} ms "
                      f"{p95 / d95:>9.2f}x  "
                      + ("same" if not differ else f"{differ} of {len(asked)} differ"),
                      flush=True)
        rss, peak = memory_mb(pid)
        print(f"\nworst p95 {worst:.0f} ms; reach process RSS {rss:.0f} MB, peak {peak:.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--asks", type=int, default=10, help="requests per question and window")
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--keep", help="synthesise into (or reuse) this SQLite file")
    parser.add_argument("--only", nargs="*", choices=QUESTIONS, default=list(QUESTIONS))
    args = parser.parse_args()
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}; scale {args.scale}",
          flush=True)
    with tempfile.TemporaryDirectory(prefix="cascade-bench-reach-") as tmp:
        con = None

        def fill(suite: Suite) -> None:
            nonlocal con
            url = suite.environment("reach")["REACH_DATABASE_URL"]
            began = time.perf_counter()
            if args.keep and not args.postgres and Path(args.keep).exists():
                path = url.removeprefix("sqlite+aiosqlite:///")
                shutil.copyfile(args.keep, path)
                migrations.upgrade("reach", f"sqlite:///{path}")  # kept by an older checkout
                print(f"reused {args.keep}")
            else:
                synthesise(url, args.scale)
                if args.keep and not args.postgres:
                    shutil.copyfile(url.removeprefix("sqlite+aiosqlite:///"), args.keep)
            print(f"synthesis and bulk insert: {time.perf_counter() - began:.0f} s", flush=True)
            began = time.perf_counter()
            con = load_duckdb(url, Path(tmp))
            print(f"DuckDB loaded the raw rows in {time.perf_counter() - began:.0f} s",
                  flush=True)

        with running_suite(postgres=args.postgres, prepare=fill) as (suite, backend):
            asyncio.run(measure(suite, con, backend, args.asks, args.only))


if __name__ == "__main__":
    main()
