"""Warm hits vs the framework floor, measured with wrk on loopback.

For each configuration (workers x store) this starts the stand-in, the
service and the floor (a minimal FastAPI route returning fixed bytes under
the same uvicorn settings), warms one user, then runs the same bounded wrk
load against the service and the floor back to back and prints the ratio.

    uv run python -m bench.warm_hits            # 32 connections, 10 s per run
    uv run python -m bench.warm_hits --duration 5 --workers 1 --stores memory
"""

from __future__ import annotations

import argparse
import re
import subprocess
from contextlib import ExitStack
from dataclasses import dataclass

import httpx

from bench.harness import Report, ensure_wrk, floor, redis, service, standin

USER_PATH = "/api/users/Marta_Quill"


@dataclass
class WrkResult:
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    errors: int


def _ms(value: str) -> float:
    number, unit = re.match(r"([\d.]+)(\w+)", value).groups()  # type: ignore[union-attr]
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def run_wrk(url: str, *, connections: int, duration: int, threads: int) -> WrkResult:
    """One bounded wrk run (``duration`` seconds, ``connections`` connections)."""
    out = subprocess.run(  # noqa: S603 - wrk from the system, loopback URL
        [
            ensure_wrk(),
            f"-t{threads}",
            f"-c{connections}",
            f"-d{duration}s",
            "--timeout",
            "5s",
            "--latency",
            url,
        ],
        check=True,
        capture_output=True,
        text=True,
        timeout=duration + 30,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    # Anchored: a "+/- Stdev" column such as 96.50% must not pass for the 50% line.
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", out))
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
    )
    if socket_errors:
        errors += sum(int(n) for n in socket_errors.groups())
    return WrkResult(rps, p50, p99, errors)


def measure(report: Report, workers: int, store: str, args: argparse.Namespace) -> None:
    with ExitStack() as stack:
        dashboard = stack.enter_context(standin())
        redis_url = stack.enter_context(redis()).url if store == "redis" else None
        api = stack.enter_context(service(dashboard.url, workers=workers, redis_url=redis_url))
        base = stack.enter_context(floor(workers=workers))
        with httpx.Client() as client:
            for _ in range(4 * workers):  # warm every worker's hot copy
                client.get(api.url + USER_PATH).raise_for_status()
        load = {"connections": args.connections, "duration": args.duration, "threads": args.threads}
        run_wrk(api.url + USER_PATH, connections=args.connections, duration=2, threads=args.threads)
        ours = run_wrk(api.url + USER_PATH, **load)
        theirs = run_wrk(base.url + "/floor/Marta_Quill", **load)
        report.add(
            workers=workers,
            store=store,
            service_rps=round(ours.requests_per_s),
            floor_rps=round(theirs.requests_per_s),
            ratio=round(ours.requests_per_s / theirs.requests_per_s, 2),
            service_p50_ms=ours.p50_ms,
            service_p99_ms=ours.p99_ms,
            floor_p99_ms=theirs.p99_ms,
            errors=ours.errors,
            service_peak_rss_mb=round(api.peak_rss_mb(), 1),
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run (max 30)")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=1, help="wrk threads")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--stores", nargs="+", default=["memory", "redis"])
    args = parser.parse_args()
    args.duration = min(args.duration, 30)
    report = Report("warm_hits")
    for workers in args.workers:
        for store in args.stores:
            measure(report, workers, store, args)
    print(f"warm hits on {USER_PATH}, {args.connections} connections, {args.duration} s per run\n")
    report.print()
    report.save()


if __name__ == "__main__":
    main()
