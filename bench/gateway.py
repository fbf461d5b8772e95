"""How much the gateway costs: throughput and latency direct and through it.

    .venv/bin/python bench/gateway.py [--rounds 5] [--seconds 3] [--compare]

Starts the bench upstream (bench/service.py: the minimal FastAPI JSON route of the reference
measurements) and the gateway as uvicorn processes (uvloop, httptools, one worker) pinned to the
SAME core (taskset -c 0), so the ratio is the total CPU per request through the hop; the load
generator runs on core 1. wrk is used when installed (Debian: apt-get install -y wrk); otherwise
a small Python load generator over the gateway's own keep-alive transport, which is slower and
noted in the output. Each row is the median of --rounds interleaved runs, and the ratios are
medians of per-round ratios (the machine may be shared). --compare adds the gateway with httpx's stock transport and with httpx_aiohttp's.
Only 127.0.0.1 is used. Takes about 90 s; under two minutes with --compare.
"""

import argparse
import asyncio
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
                with urllib.request.urlopen(url + PATH, timeout=1) as response:
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
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--compare", action="store_true",
                        help="also measure the gateway over httpx's and httpx_aiohttp's transports")
    parser.add_argument("--load", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.load:
        python_load(args.load[0], int(args.load[1]), float(args.load[2]))
        return 0

    seconds = int(args.seconds) if shutil.which("wrk") else args.seconds
    if shutil.which("wrk"):
        load, generator = run_wrk, "wrk -t1 (core 1)"
    else:
        print("wrk is not installed (Debian: apt-get install -y wrk); using the Python load "
              "generator, which tops out lower: ratios stay meaningful, absolute figures less.\n")
        load, generator = run_python_load, "Python keep-alive client (core 1)"
    if not can_pin():
        print("Fewer than 2 cores or no taskset: processes are not pinned; figures are rougher.\n")
    load_average = os.getloadavg()[0]

    service = ["--app-dir", "bench", "service:app"]
    gateway = ["--factory", "gateway.main:create_app"]
    results: dict[str, list[dict]] = {}
    with uvicorn_process(service, {}) as (direct_url, service_pid):
        env = {"GATEWAY_IDENTITY_URL": direct_url}
        with uvicorn_process(gateway, env) as (gateway_url, gateway_pid):
            for _ in range(args.rounds):
                for concurrency in (32, 1):
                    results.setdefault(f"direct c={concurrency}", []).append(measure(
                        load, direct_url, concurrency, seconds, [service_pid]))
                    results.setdefault(f"gateway c={concurrency}", []).append(measure(
                        load, gateway_url, concurrency, seconds, [gateway_pid, service_pid]))
        if args.compare:
            for transport in ("httpx", "aiohttp"):
                with uvicorn_process(gateway, env | {"GATEWAY_TRANSPORT": transport}) as (
                        url, pid):
                    for concurrency in (32, 1):
                        results[f"gateway, {transport} transport c={concurrency}"] = [measure(
                            load, url, concurrency, seconds, [pid, service_pid])]

    summary = {label: median_of(runs) for label, runs in results.items()}
    print(f"GET {PATH} (bench/service.py: FastAPI, 4-field JSON); uvicorn+uvloop+httptools, "
          f"service and gateway on core 0, load: {generator}; {seconds}s per run after a 1s "
          f"warm-up, median of {args.rounds} rounds; load average before: {load_average:.2f}\n")
    print(f"{'':<34} {'req/s':>9} {'p50 ms':>9} {'p99 ms':>9}")
    for label in ("direct c=32", "gateway c=32", "direct c=1", "gateway c=1"):
        print(row(label, summary[label]))
    for label, result in summary.items():
        if "transport" in label:
            print(row(label, result))

    # Each round measures direct and gateway back to back, so a round's ratio is taken under
    # one set of conditions; the median over rounds shrugs off a round a neighbour disturbed.
    def per_round(concurrency: int, figure) -> list[float]:
        pairs = zip(results[f"gateway c={concurrency}"], results[f"direct c={concurrency}"],
                    strict=True)
        return [figure(through, direct) for through, direct in pairs]

    ratios32 = per_round(32, lambda through, direct: through["rps"] / direct["rps"])
    ratios1 = per_round(1, lambda through, direct: through["rps"] / direct["rps"])
    added = per_round(1, lambda through, direct: through["p50"] - direct["p50"])
    gateway_cpu, service_cpu = summary["gateway c=32"]["cpu_us"]
    print(f"\nthroughput through the gateway / direct, median of rounds: "
          f"c=32 {statistics.median(ratios32):.2f}x (rounds: {', '.join(f'{v:.2f}' for v in ratios32)}; goal >= "
          f"{GOAL_RATIO}x, nginx ~0.67x), c=1 {statistics.median(ratios1):.2f}x")
    print(f"latency added at c=1 (p50), median of rounds: {statistics.median(added):.3f} ms "
          f"(rounds: {', '.join(f'{v:.3f}' for v in added)}; goal <= {GOAL_ADDED_MS} ms)")
    direct_cpu = summary["direct c=32"]["cpu_us"][0]
    print(f"CPU per request at c=32: gateway {gateway_cpu:.0f} us, service {service_cpu:.0f} us "
          f"(direct: {direct_cpu:.0f} us); the ratio this implies for a core kept busy, which "
          f"other processes on the machine disturb less: "
          f"{direct_cpu / (gateway_cpu + service_cpu):.2f}x")
    for label, result in summary.items():
        if "transport" in label and label.endswith("c=32"):
            print(f"  {label.rsplit(' ', 1)[0]}: "
                  f"{result['rps'] / summary['direct c=32']['rps']:.3f}x of direct at c=32")
    failed = any(result["errors"] for result in summary.values())
    if failed:
        print("some requests failed: the figures above are not valid")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
