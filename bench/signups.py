"""A sign-up storm on the real processes: 200 people sign up at once for a 30-seat session.

    .venv/bin/python bench/signups.py [--people 200] [--seats 30] [--postgres]

Starts the whole suite (services.runner.Suite: the four services, web and the gateway as uvicorn
processes) on free ports with a temporary var dir, SQLite by default; --postgres points every
service at a fresh PostgreSQL database on 127.0.0.1:5432 (created here, dropped at the end).
Seeds a network, the people and one session through the gateway as a platform admin, then sends
every sign-up at once through the gateway (staff signing people up by person_id, so each one also
reads the person from identity) and prints sign-ups per second, latency percentiles and the seat
counts, which must be exactly `seats` confirmed and the rest waitlisted 1..n. Only 127.0.0.1 is
used; the whole run is bounded by --time-limit and the suite is always stopped.

bench/catalog.py reuses the suite harness defined here.
"""

import argparse
import asyncio
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from services.runner import DEFAULT_PORTS, SERVICES, Suite, migrate_all  # noqa: E402

POSTGRES_ADMIN_URL = os.environ.get("CASCADE_BENCH_POSTGRES_URL",
                                    "postgresql://postgres@127.0.0.1:5432/postgres")
ADMIN_EMAIL, ADMIN_PASSWORD = "root@bench.cascade.test", "bench-root-password"
SCHEDULING = "/api/scheduling/v1"
RETRIES = 20  # per sign-up, after a 503 gateway_saturated
BASELINE = 20  # sign-ups one at a time, for comparison


def saturated(response: httpx.Response) -> bool:
    """The gateway's load shedding: every connection to the service stayed busy too long."""
    return response.status_code == 503 and "gateway_saturated" in response.text


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def cpu_by_process(suite: Suite, since: dict[str, float] | None = None) -> dict[str, float]:
    return {name: cpu_seconds(process.pid) - (since or {}).get(name, 0.0)
            for name, process in suite.processes.items()}


def cpu_line(used: dict[str, float], requests: int) -> str:
    return ", ".join(f"{name} {seconds / requests * 1000:.1f}"
                     for name, seconds in used.items() if seconds)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def percentile(sorted_values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of an already sorted list."""
    index = min(len(sorted_values) - 1, max(0, round(fraction * len(sorted_values)) - 1))
    return sorted_values[index]


def latency_line(latencies_s: list[float]) -> str:
    ordered = sorted(latencies_s)
    return "  ".join(f"p{int(f * 100)} {percentile(ordered, f) * 1000:8.1f} ms"
                     for f in (0.5, 0.95, 0.99)) + f"  max {ordered[-1] * 1000:8.1f} ms"


@contextmanager
def postgres_database() -> Iterator[str]:
    """A fresh database for the run (each service keeps to its own schema in it)."""
    name = f"cascade_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    base = POSTGRES_ADMIN_URL.rpartition("/")[0]
    try:
        yield f"{base}/{name}".replace("postgresql://", "postgresql+psycopg://", 1)
    finally:
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def running_suite(*, postgres: bool, prepare: Callable[[Suite], None] | None = None
                  ) -> Iterator[tuple[Suite, str]]:
    """The real suite on free ports with a platform admin; yields it and the backend's name.
    `prepare` runs after the migrations, before any process starts (to fill a database)."""
    with tempfile.TemporaryDirectory(prefix="cascade-bench-") as tmp, \
            (postgres_database() if postgres else _no_database()) as pg_url:
        var_dir = Path(tmp)
        for service in SERVICES:
            variable = f"{service.upper()}_DATABASE_URL"
            if pg_url:
                os.environ[variable] = pg_url
            else:
                os.environ.pop(variable, None)  # the Suite's default: SQLite files in var_dir
        suite = Suite(var_dir=var_dir, ports={name: free_port() for name in DEFAULT_PORTS},
                      log_dir=var_dir / "logs")
        migrate_all(var_dir)
        subprocess.run(
            [sys.executable, "-m", "services.cli", "admin", "create", "--email", ADMIN_EMAIL,
             "--password-stdin"],
            input=ADMIN_PASSWORD + "\n", text=True, env=suite.environment(), check=True,
            capture_output=True, cwd=ROOT,
        )
        if prepare:
            prepare(suite)
        suite.start()
        try:
            suite.wait_until_healthy()
            yield suite, "PostgreSQL" if pg_url else "SQLite"
        finally:
            # Read before stopping: feed consumers that outlive the gateway by a moment log
            # connection errors on the way down, which say nothing about the run.
            logs = {log.name: log.read_text(errors="replace")
                    for log in sorted((var_dir / "logs").glob("*.log"))}
            suite.stop()
            for name, text in logs.items():
                errors = [line for line in text.splitlines() if '"level": "ERROR"' in line]
                if errors:
                    print(f"--- {name}: {len(errors)} ERROR lines; the last one ---\n"
                          f"{errors[-1][:3000]}")


@contextmanager
def _no_database() -> Iterator[None]:
    yield None


class Api:
    """The gateway as the platform admin sees it."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client
        self.headers: dict[str, str] = {}

    async def sign_in(self) -> None:
        response = await self.client.post("/api/identity/v1/token", data={
            "grant_type": "password", "username": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
        response.raise_for_status()
        self.headers = {"Authorization": f"Bearer {response.json()['access_token']}"}

    async def post(self, path: str, body: dict) -> dict:
        response = await self.client.post(path, json=body, headers=self.headers)
        if response.status_code not in (200, 201):
            raise RuntimeError(f"POST {path}: {response.status_code} {response.text}")
        return response.json()

    async def get(self, path: str, **params) -> dict:
        response = await self.client.get(path, params=params, headers=self.headers)
        if response.status_code != 200:
            raise RuntimeError(f"GET {path}: {response.status_code} {response.text}")
        return response.json()

    async def network(self, name: str) -> dict:
        return await self.post("/api/identity/v1/organizations", {"name": name, "kind": "network"})


def client_for(suite: Suite, connections: int) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=suite.url, timeout=httpx.Timeout(60.0),
                             limits=httpx.Limits(max_connections=connections,
                                                 max_keepalive_connections=connections))


async def gather_limited(coroutines, limit: int) -> list:
    """Seeding helper: many requests, at most `limit` in flight."""
    gate = asyncio.Semaphore(limit)

    async def one(coroutine):
        async with gate:
            return await coroutine

    return await asyncio.gather(*(one(c) for c in coroutines))


async def storm(suite: Suite, people_count: int, seats: int) -> int:
    async with client_for(suite, people_count) as client:
        api = Api(client)
        await api.sign_in()
        network = await api.network("Bench Network")
        event = await api.post(f"{SCHEDULING}/events", {
            "network_id": network["id"], "kind": "workshop_series", "title": "Popular workshop",
            "subjects": ["math"], "grade_min": "K", "grade_max": "5",
            "timezone": "America/Los_Angeles", "credit_hours": 2, "status": "published"})
        session = await api.post(f"{SCHEDULING}/events/{event['id']}/sessions", {
            "title": "Only session", "starts_at": "2026-09-01T16:00:00Z",
            "ends_at": "2026-09-01T18:00:00Z", "capacity": seats, "facilitator_ids": []})
        began = time.perf_counter()
        people = await gather_limited((api.post("/api/identity/v1/people", {
            "email": f"bench{n}@bench.cascade.test", "full_name": f"Bench Teacher {n}",
            "role": "teacher"}) for n in range(people_count)), limit=16)
        seeded = time.perf_counter() - began
        # Warm the connection pool, so the storm measures sign-ups rather than TCP handshakes.
        await asyncio.gather(*(client.get("/healthz") for _ in range(people_count)),
                             return_exceptions=True)

        shed = 0

        async def sign_up(person_id: str) -> tuple[float, httpx.Response]:
            nonlocal shed
            started = time.perf_counter()
            for attempt in range(RETRIES + 1):
                try:
                    response = await client.post(
                        f"{SCHEDULING}/sessions/{session['id']}/registrations",
                        json={"person_id": person_id}, headers=api.headers)
                except httpx.TransportError as exc:
                    # No answer (the gateway dropped the connection): whether the sign-up
                    # happened is unknown, so it counts as a failure, shown with the rest.
                    response = httpx.Response(599, text=f"no answer: {exc!r}")
                if not saturated(response) or attempt == RETRIES:
                    return time.perf_counter() - started, response
                shed += 1
                await asyncio.sleep(random.uniform(0.05, 0.25))  # as a polite client would
            raise AssertionError("unreachable")

        # The same sign-up one at a time, on a roomy session of its own: what one costs
        # without contention, to compare with the storm's figures.
        roomy = await api.post(f"{SCHEDULING}/events/{event['id']}/sessions", {
            "title": "Roomy session", "starts_at": "2026-09-02T16:00:00Z",
            "ends_at": "2026-09-02T18:00:00Z", "capacity": BASELINE, "facilitator_ids": []})
        cpu_before = cpu_by_process(suite)
        alone = []
        for person in people[:BASELINE]:
            started = time.perf_counter()
            await api.post(f"{SCHEDULING}/sessions/{roomy['id']}/registrations",
                           {"person_id": person["id"]})
            alone.append(time.perf_counter() - started)
        cpu_alone = cpu_by_process(suite, since=cpu_before)

        cpu_before = cpu_by_process(suite)
        began = time.perf_counter()
        results = await asyncio.gather(*(sign_up(p["id"]) for p in people))
        elapsed = time.perf_counter() - began
        cpu_used = cpu_by_process(suite, since=cpu_before)
        counts = await api.get(f"{SCHEDULING}/sessions/{session['id']}")

    failures = [r for _, r in results if r.status_code != 201]
    bodies = [r.json() for _, r in results if r.status_code == 201]
    confirmed = sum(b["status"] == "confirmed" for b in bodies)
    positions = sorted(b["waitlist_position"] for b in bodies if b["status"] == "waitlisted")
    print(f"seeded {people_count} people through the gateway in {seeded:.2f} s "
          f"({people_count / seeded:.0f}/s, 16 at a time)")
    print(f"{people_count} sign-ups sent at once for {seats} seats: {elapsed:.2f} s wall, "
          f"{len(bodies) / elapsed:.0f} sign-ups/s")
    print(f"latency per sign-up (from first send to final answer): "
          f"{latency_line([t for t, _ in results])}")
    print(f"gateway shed {shed} attempts with 503 gateway_saturated (more than its "
          f"max_connections in flight to scheduling for longer than pool_timeout); "
          f"each was retried after 50-250 ms")
    print("CPU ms per sign-up while storming: " + cpu_line(cpu_used, people_count))
    print(f"for comparison, {BASELINE} sign-ups one at a time: {latency_line(alone)}; CPU ms per "
          f"sign-up: {cpu_line(cpu_alone, BASELINE)}")
    first, last = (positions[0], positions[-1]) if positions else ("-", "-")
    print(f"answers: {confirmed} confirmed, {len(positions)} waitlisted "
          f"(positions {first}..{last}),"
          f" {len(failures)} failed; session says confirmed_count={counts['confirmed_count']}, "
          f"waitlist_count={counts['waitlist_count']}")
    for failure in failures[:5]:
        print(f"  failed: {failure.status_code} {failure.text[:300]}")
    expected_waitlist = list(range(1, people_count - seats + 1))
    ok = (not failures and confirmed == seats and positions == expected_waitlist
          and counts["confirmed_count"] == seats
          and counts["waitlist_count"] == people_count - seats)
    print("OK: exactly the seats confirmed, the rest queued 1..n" if ok else "WRONG COUNTS")
    return 0 if ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument("--seats", type=int, default=30)
    parser.add_argument("--postgres", action="store_true",
                        help="a fresh PostgreSQL database at 127.0.0.1:5432 instead of SQLite")
    parser.add_argument("--time-limit", type=float, default=300.0,
                        help="seconds for seeding and the storm together")
    args = parser.parse_args()
    with running_suite(postgres=args.postgres) as (suite, backend):
        print(f"Cascade suite on {backend}, gateway {suite.url}; {os.cpu_count()} CPUs, "
              f"load average {os.getloadavg()[0]:.2f}")
        return asyncio.run(asyncio.wait_for(storm(suite, args.people, args.seats),
                                            args.time_limit))


if __name__ == "__main__":
    sys.exit(main())
