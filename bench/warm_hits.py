"""Warm hits against the bare ASGI floor and the FastAPI floor, measured with wrk on loopback.

For each worker count this starts both floors (fixed bytes under the same
uvicorn settings: a bare ASGI callable, and a minimal FastAPI route) and
measures them, then for each store starts the stand-in's service, warms one
user and measures it (and, with the embedded store, once more with the fast
path off), then measures the floors again: the two floor runs say how noisy
the machine was, and every ratio is taken against their mean, in one run.

    uv run python -m bench.warm_hits            # 32 connections, 10 s per run
    uv run python -m bench.warm_hits --duration 5 --workers 1 --stores memory
"""

from __future__ import annotations

import argparse
import re
import subprocess
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

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


FLOORS = {"bare": "bare ASGI floor", "fastapi": "FastAPI floor"}
FLOOR_PATH = "/floor/Marta_Quill"


def run_service(
    dashboards: list[str], workers: int, store: str, fast_path: bool, load: dict[str, int]
) -> tuple[WrkResult, float]:
    """One service (and its Redis), warmed on every worker, then measured; with its peak RSS.

    ``dashboards``: the stand-ins' URLs, the Outreach world's first; with two, the
    service asks both, as it does by default in production.
    """
    with ExitStack() as stack:
        redis_url = stack.enter_context(redis()).url if store == "redis" else None
        settings = {} if fast_path else {"fast_path": "false"}
        if len(dashboards) == 1:
            settings["dashboard_url"] = dashboards[0]
        else:
            names = ("outreach", "wikiedu")
            settings["dashboards"] = ",".join(
                f"{n}={u}" for n, u in zip(names, dashboards, strict=True)
            )
        api = stack.enter_context(service(workers=workers, redis_url=redis_url, **settings))
        with httpx.Client() as client:
            client.get(api.url + USER_PATH).raise_for_status()
        run_wrk(api.url + USER_PATH, **{**load, "duration": 2})  # every worker warm
        return run_wrk(api.url + USER_PATH, **load), api.peak_rss_mb()


def measure(report: Report, workers: int, args: argparse.Namespace) -> None:
    load = {"connections": args.connections, "duration": args.duration, "threads": args.threads}
    services = []
    with ExitStack() as stack:
        dashboards = [stack.enter_context(standin()).url]
        if args.dashboards == 2:
            dashboards.append(stack.enter_context(standin(world="wikiedu")).url)
        floors = {name: stack.enter_context(floor(workers, name)) for name in FLOORS}
        for proc in floors.values():  # every worker started and warm
            run_wrk(proc.url + FLOOR_PATH, **{**load, "duration": 2})
        before = {name: run_wrk(proc.url + FLOOR_PATH, **load) for name, proc in floors.items()}
        for store in args.stores:
            for fast_path in (True, False) if store == "memory" and args.fast_path_off else (True,):
                result, rss = run_service(dashboards, workers, store, fast_path, load)
                services.append((store, fast_path, result, rss))
        after = {name: run_wrk(proc.url + FLOOR_PATH, **load) for name, proc in floors.items()}
    mean = {name: (before[name].requests_per_s + after[name].requests_per_s) / 2 for name in FLOORS}

    def row(app: str, store: str, result: WrkResult, **extra: Any) -> None:
        report.add(
            workers=workers,
            app=app,
            store=store,
            requests_per_s=round(result.requests_per_s),
            p50_ms=result.p50_ms,
            p99_ms=result.p99_ms,
            x_fastapi=round(result.requests_per_s / mean["fastapi"], 2),
            x_bare=round(result.requests_per_s / mean["bare"], 2),
            errors=result.errors,
            **extra,
        )

    for name, label in FLOORS.items():
        row(label, "-", before[name])
        row(label + " (again)", "-", after[name])
    for store, fast_path, result, rss in services:
        app = "service" if fast_path else "service, fast path off"
        row(app, {"memory": "embedded", "redis": "Redis"}[store], result, peak_rss_mb=round(rss))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run (max 30)")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=1, help="wrk threads")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--stores", nargs="+", default=["memory", "redis"])
    parser.add_argument(
        "--dashboards", type=int, choices=[1, 2], default=1, help="stand-ins the service asks"
    )
    parser.add_argument(
        "--no-fast-path-off",
        dest="fast_path_off",
        action="store_false",
        help="skip the embedded store's extra run with OUTREACH_FAST_PATH=false",
    )
    args = parser.parse_args()
    args.duration = min(args.duration, 30)
    report = Report("warm_hits")
    for workers in args.workers:
        measure(report, workers, args)
    print(
        f"warm hits on {USER_PATH}, {args.connections} connections, {args.duration} s per run;"
        " x_fastapi and x_bare: requests/s over the mean of that floor's two runs\n"
    )
    report.print()
    report.save()


if __name__ == "__main__":
    main()
