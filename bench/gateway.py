"""How much the gateway costs: throughput and latency direct and through it, over the gateway's
own pool and over aiohttp's client, and sign-in latency on the real suite.

    .venv/bin/python bench/gateway.py [--rounds 3] [--seconds 3] [--compare] [--no-logins]

Part 1, the hop. Starts the bench upstream (bench/service.py: the minimal FastAPI JSON route of
the reference measurements) and two gateways, one with transport=pool (gateway/transport.py) and
one with transport=aiohttp (aiohttp's ClientSession), as uvicorn processes (uvloop, httptools,
one worker) pinned to the SAME core (taskset -c 0), so a ratio is the total CPU per request
through the hop; the load generator runs on core 1. wrk is used when installed (Debian:
apt-get install -y wrk); otherwise a small Python load generator, which is slower and noted in
the output. Each round measures direct, pool and aiohttp back to back at 32 connections and at 1;
rows are medians of --rounds rounds, ratios medians of per-round ratios (the machine may be
shared). --compare adds the gateway over httpx's stock transport and over httpx_aiohttp's.

Part 2, sign-in. Starts the real suite (bench/signups.py's harness: every service, web and the
gateway as processes, SQLite in a temporary directory) and sends 20 password sign-ins at once
through the gateway, --login-rounds times, while /healthz of the gateway is asked one request
after another; prints sign-in p50/p99 beside /healthz p99 during the storm and at rest.

Only 127.0.0.1 is used; every process started is stopped. About 90 s in all.
"""

import argparse
import asyncio
import contextlib
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PATH = "/api/identity/v1/items/1"
GOAL_RATIO, GOAL_ADDED_MS = 0.5, 0.3
TRANSPORTS = ("pool", "aiohttp")  # measured side by side in every round
LOGINS = 20  # sign-ins sent at once
TICK = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def can_pin() -> bool:
    return shutil.which("taskset") is not None and (os.cpu_count() or 1) >= 2


def on_core(core: int, argv: list[str]) -> list[str]:
    return ["taskset", "-c", str(core), *argv] if can_pin() else argv


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK  # utime + stime


@contextmanager
def uvicorn_process(target: list[str], env: dict[str, str]):
    port = free_port()
    command = on_core(0, [sys.executable, "-m", "uvicorn", *target, "--host", "127.0.0.1",
                          "--port", str(port), "--loop", "uvloop", "--http", "httptools",
                          "--no-access-log", "--log-level", "warning"])
    process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env})
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"{' '.join(target)} exited with {process.returncode}")
            try:
                # S310: the URL is our own uvicorn's, http on loopback, built just above.
                with urllib.request.urlopen(url + PATH, timeout=1) as response:  # noqa: S310
                    if response.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{' '.join(target)} did not answer in time") from None
                time.sleep(0.1)
        yield url, process.pid
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _duration_ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def run_wrk(url: str, concurrency: int, seconds: float) -> dict:
    command = on_core(1, ["wrk", "-t1", f"-c{concurrency}", f"-d{seconds}s", "--latency",
                          url + PATH])
    out = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 30).stdout
    result = {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": _duration_ms(re.search(r"\s50%\s+(\S+)", out).group(1)),
        "p99": _duration_ms(re.search(r"\s99%\s+(\S+)", out).group(1)),
        "errors": 0,
    }
    if match := re.search(r"Non-2xx or 3xx responses: (\d+)", out):
        result["errors"] += int(match.group(1))
    if match := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)",
                          out):
        result["errors"] += sum(map(int, match.groups()))
    return result


def run_python_load(url: str, concurrency: int, seconds: float) -> dict:
    command = on_core(1, [sys.executable, __file__, "--load", url + PATH, str(concurrency),
                          str(seconds)])
    out = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 30,
                         cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    if out.returncode:
        raise RuntimeError(out.stderr)
    return json.loads(out.stdout)


def python_load(url: str, concurrency: int, seconds: float) -> None:
    """The fallback load generator (runs in its own process): keep-alive connections, one
    request at a time on each, latency of every request."""
    import httpx
    import uvloop

    from gateway.transport import PooledTransport

    parsed = httpx.URL(url)

    async def main() -> None:
        pool = PooledTransport(str(parsed.copy_with(raw_path=b"/")),
                               limits=httpx.Limits(max_connections=concurrency),
                               timeout=httpx.Timeout(10.0))
        latencies: list[float] = []
        errors = 0
        stop = time.perf_counter() + seconds

        async def user() -> None:
            nonlocal errors
            while (started := time.perf_counter()) < stop:
                answer = await pool.open(b"GET", parsed.raw_path, [(b"accept", b"*/*")])
                if not answer.complete:
                    async for _ in answer.aiter_raw():
                        pass
                await answer.aclose()
                latencies.append(time.perf_counter() - started)
                errors += answer.status != 200

        began = time.perf_counter()
        await asyncio.gather(*(user() for _ in range(concurrency)))
        elapsed = time.perf_counter() - began
        latencies.sort()
        print(json.dumps({
            "rps": len(latencies) / elapsed, "errors": errors,
            "p50": latencies[len(latencies) // 2] * 1000,
            "p99": latencies[int(len(latencies) * 0.99)] * 1000,
        }))

    uvloop.run(main())


def measure(load, url: str, concurrency: int, seconds: float, pids: list[int]) -> dict:
    load(url, concurrency, 1)  # warm-up: connections, caches, the JIT-less interpreter's dicts
    before = [cpu_seconds(pid) for pid in pids]
    result = load(url, concurrency, seconds)
    used = [cpu_seconds(pid) - start for pid, start in zip(pids, before, strict=True)]
    served = result["rps"] * seconds
    result["cpu_us"] = [round(u / served * 1e6) if served else 0 for u in used]
    return result


def median_of(runs: list[dict]) -> dict:
    return {key: statistics.median(run[key] for run in runs) for key in ("rps", "p50", "p99")} | {
        "errors": sum(run["errors"] for run in runs),
        "cpu_us": [statistics.median(run["cpu_us"][i] for run in runs)
                   for i in range(len(runs[0]["cpu_us"]))],
    }


def row(label: str, result: dict) -> str:
    return (f"{label:<34} {result['rps']:>9,.0f} {result['p50']:>9.3f} {result['p99']:>9.3f}"
            + (f"   errors: {result['errors']}" if result["errors"] else ""))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--compare", action="store_true", help="also measure the gateway over "
                        "httpx's stock transport and over httpx_aiohttp's")
    parser.add_argument("--login-rounds", type=int, default=5)
    parser.add_argument("--no-logins", action="store_true", help="skip the sign-in part")
    parser.add_argument("--load", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.load:
        python_load(args.load[0], int(args.load[1]), float(args.load[2]))
        return 0

    print(f"{os.cpu_count()} CPUs, load average (1, 5, 15 min) before: "
          + ", ".join(f"{v:.2f}" for v in os.getloadavg()) + "\n")
    failed = hop(args)
    if not args.no_logins:
        failed |= logins(args.login_rounds)
    print("\nload average (1, 5, 15 min) after: " + ", ".join(f"{v:.2f}" for v in os.getloadavg()))
    return 1 if failed else 0


def hop(args) -> bool:
    seconds = int(args.seconds) if shutil.which("wrk") else args.seconds
    if shutil.which("wrk"):
        load, generator = run_wrk, "wrk -t1 (core 1)"
    else:
        print("wrk is not installed (Debian: apt-get install -y wrk); using the Python load "
              "generator, which tops out lower: ratios stay meaningful, absolute figures less.\n")
        load, generator = run_python_load, "Python keep-alive client (core 1)"
    if not can_pin():
        print("Fewer than 2 cores or no taskset: processes are not pinned; figures are rougher.\n")

    service = ["--app-dir", "bench", "service:app"]
    gateway = ["--factory", "gateway.main:create_app"]
    results: dict[str, list[dict]] = {}
    with contextlib.ExitStack() as stack:
        direct_url, service_pid = stack.enter_context(uvicorn_process(service, {}))
        env = {"GATEWAY_IDENTITY_URL": direct_url}
        gateways = {transport: stack.enter_context(uvicorn_process(
            gateway, env | {"GATEWAY_TRANSPORT": transport})) for transport in TRANSPORTS}
        for _ in range(args.rounds):
            for concurrency in (32, 1):
                results.setdefault(f"direct c={concurrency}", []).append(measure(
                    load, direct_url, concurrency, seconds, [service_pid]))
                for transport, (url, pid) in gateways.items():
                    results.setdefault(f"{transport} c={concurrency}", []).append(measure(
                        load, url, concurrency, seconds, [pid, service_pid]))
    if args.compare:
        for transport in ("httpx", "httpx-aiohttp"):
            with uvicorn_process(service, {}) as (direct_url, service_pid), uvicorn_process(
                    gateway, {"GATEWAY_IDENTITY_URL": direct_url,
                              "GATEWAY_TRANSPORT": transport}) as (url, pid):
                for concurrency in (32, 1):
                    results[f"{transport} c={concurrency}"] = [measure(
                        load, url, concurrency, seconds, [pid, service_pid])]

    summary = {label: median_of(runs) for label, runs in results.items()}
    print(f"GET {PATH} (bench/service.py: FastAPI, 4-field JSON); uvicorn+uvloop+httptools, "
          f"service and gateway on core 0, load: {generator}; {seconds}s per run after a 1s "
          f"warm-up, median of {args.rounds} rounds\n")
    print(f"{'':<34} {'req/s':>9} {'p50 ms':>9} {'p99 ms':>9}   CPU us/req (gateway, service)")
    for label, result in summary.items():
        through = "" if label.startswith("direct") else "gateway, "
        print(row(f"{through}{label}", result) + f"   {result['cpu_us']}")

    # Each round measures direct and both gateways back to back, so a round's ratio is taken
    # under one set of conditions; the median over rounds shrugs off a round a neighbour
    # disturbed.
    def per_round(label: str, concurrency: int, figure) -> list[float]:
        pairs = zip(results[f"{label} c={concurrency}"], results[f"direct c={concurrency}"],
                    strict=False)
        return [figure(through, direct) for through, direct in pairs]

    def rounds(values: list[float], digits: int) -> str:
        return ", ".join(f"{v:.{digits}f}" for v in values)

    print(f"\n{'through the gateway':<20} {'req/s c=32 / direct':>22} {'added p50 c=1':>16} "
          f"{'added p99 c=1':>15} {'added p99 c=32':>16}")
    for label in [*TRANSPORTS, *(("httpx", "httpx-aiohttp") if args.compare else ())]:
        ratio = per_round(label, 32, lambda through, direct: through["rps"] / direct["rps"])
        added = per_round(label, 1, lambda through, direct: through["p50"] - direct["p50"])
        added99 = per_round(label, 1, lambda through, direct: through["p99"] - direct["p99"])
        added99_32 = per_round(label, 32, lambda through, direct: through["p99"] - direct["p99"])
        print(f"{label:<20} {statistics.median(ratio):>21.2f}x "
              f"{statistics.median(added):>13.3f} ms {statistics.median(added99):>12.3f} ms "
              f"{statistics.median(added99_32):>13.3f} ms   (rounds: {rounds(ratio, 2)} | "
              f"{rounds(added, 3)})")
    pool, aio = summary["pool c=32"]["rps"], summary["aiohttp c=32"]["rps"]
    print(f"pool / aiohttp at c=32: {pool / aio:.2f}x (goals: >= {GOAL_RATIO}x of direct, "
          f"<= {GOAL_ADDED_MS} ms added at c=1; nginx ~0.67x)")
    # CPU per request is what a busy core can serve, and other processes on the machine
    # disturb it far less than req/s.
    direct_cpu = summary["direct c=32"]["cpu_us"][0]
    implied = {label: direct_cpu / sum(summary[f"{label} c=32"]["cpu_us"])
               for label in TRANSPORTS}
    print("CPU per request at c=32, gateway + service: " + ", ".join(
        f"{label} {sum(summary[f'{label} c=32']['cpu_us']):.0f} us (gateway "
        f"{summary[f'{label} c=32']['cpu_us'][0]:.0f} us)" for label in TRANSPORTS)
        + f"; direct {direct_cpu:.0f} us; the ratio to direct this implies for a core kept "
        "busy: " + ", ".join(f"{label} {ratio:.2f}x" for label, ratio in implied.items()))
    failed = any(result["errors"] for result in summary.values())
    if failed:
        print("some requests failed: the figures above are not valid")
    return failed


def logins(login_rounds: int) -> bool:
    """20 sign-ins at once through the gateway of the real suite, beside /healthz."""
    import httpx
    from signups import ADMIN_EMAIL, ADMIN_PASSWORD, percentile, running_suite

    async def storm(url: str) -> dict[str, list[float]]:
        timings: dict[str, list[float]] = {"login": [], "healthz": [], "healthz at rest": []}
        limits = httpx.Limits(max_connections=LOGINS + 2)
        async with httpx.AsyncClient(base_url=url, timeout=30.0, limits=limits) as client:
            async def timed(key: str, send) -> int:
                started = time.perf_counter()
                response = await send()
                timings[key].append(time.perf_counter() - started)
                return response.status_code

            def login():
                return client.post("/api/identity/v1/token", data={
                    "grant_type": "password", "username": ADMIN_EMAIL,
                    "password": ADMIN_PASSWORD})

            statuses = [await timed("login", login) for _ in range(3)]  # warm-up
            timings["login"].clear()
            for _ in range(50):
                statuses.append(await timed("healthz at rest", lambda: client.get("/healthz")))
            for _ in range(login_rounds):
                done = asyncio.Event()

                async def probe(done: asyncio.Event) -> None:
                    while not done.is_set():
                        statuses.append(await timed("healthz", lambda: client.get("/healthz")))

                prober = asyncio.create_task(probe(done))
                statuses.extend(
                    await asyncio.gather(*(timed("login", login) for _ in range(LOGINS))))
                done.set()
                await prober
            timings["failed"] = [float(status) for status in statuses if status != 200]
        return timings

    with running_suite(postgres=False) as (suite, backend):
        timings = asyncio.run(asyncio.wait_for(storm(suite.url), 120))
    print(f"\nsign-in on the real suite ({backend}, gateway transport "
          f"{os.environ.get('GATEWAY_TRANSPORT', 'pool')}): {login_rounds} rounds of {LOGINS} "
          f"password sign-ins sent at once, /healthz asked one after another meanwhile")
    for key in ("login", "healthz", "healthz at rest"):
        ordered = sorted(timings[key])
        print(f"  {key:<16} n={len(ordered):<4} p50 {percentile(ordered, 0.5) * 1000:8.1f} ms"
              f"  p99 {percentile(ordered, 0.99) * 1000:8.1f} ms")
    if timings["failed"]:
        print(f"  {len(timings['failed'])} answers were not 200: the figures are not valid")
    return bool(timings["failed"])


if __name__ == "__main__":
    sys.exit(main())
