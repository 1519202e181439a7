"""Soak: a steady rate over a few hundred users while the dashboard keeps failing.

For ``--minutes`` (default 5) the service (one worker, embedded store, short
TTLs so entries go stale and expire during the run: fresh 20 s, stale until
40 s) gets ``--rate`` requests/s (default 50) for users drawn uniformly from
``--users`` (default 300) existing users. Every ``--flip-seconds`` (default
30) the stand-in flips between healthy and failing, the failing periods
rotating through error500, drop, slow, html200 and rate_limited.

Invariants (the command exits 1 if one fails):

- no 500 at all;
- a user once answered 200 gets 200 on every later request (stale if need be);
- every other non-200 is a 502, 503 or 504 ``application/problem+json``
  (and every request gets an HTTP answer);
- a failing period costs the dashboard at most as many requests as a healthy
  one (the mean of the healthy periods after the first, cold one): an outage
  of any kind must bring fewer requests, not more.

Also reported: answers by status per period, p50/p99 (from each request's
scheduled time, so queueing counts), upstream requests, and the service's RSS
at start, after the first period and at the end.

    uv run python -m bench.soak [--minutes 5] [--users 300] [--rate 50] [--flip-seconds 30]
"""

from __future__ import annotations

import argparse
import asyncio
import math
import random
import re
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import httpx

from bench.harness import Report, Upstream, percentile, service, standin
from outreach_standin import build_world

FAILING_MODES = ("error500", "drop", "slow", "html200", "rate_limited")
# slow: well past the service's 2 s upstream timeout; rate_limited: longer than
# the 2 s the service waits out inline, so it must hold back by itself.
FAULT_OPTIONS = {"slow_seconds": 5, "retry_after": 10}
PROBLEM_STATUSES = frozenset({502, 503, 504})
PROBLEM_JSON = "application/problem+json"
MAX_IN_FLIGHT = 512
CLIENT_TIMEOUT = 30.0
# Bounds on any one run, whatever the options say.
MAX_MINUTES, MAX_RATE = 60.0, 500.0


@dataclass(slots=True)
class Outcome:
    """One request: who, in which period, when it was due, sent and answered."""

    user: str
    period: int
    due: float
    sent: float
    done: float
    status: int  # 0: no HTTP answer at all
    content_type: str = ""
    cache: str = ""
    error: str | None = None

    @property
    def latency_ms(self) -> float:
        return (self.done - self.due) * 1000


@dataclass
class Run:
    """What the load generator saw, plus the service's memory along the way."""

    outcomes: list[Outcome] = field(default_factory=list)
    modes: list[str] = field(default_factory=list)
    rss_mb: dict[str, float] = field(default_factory=dict)
    # The stand-in's request total when each period began, and at the end.
    upstream_totals: list[int] = field(default_factory=list)


def mode_of(period: int) -> str:
    """Even periods are healthy; odd ones fail, rotating through the modes."""
    return "healthy" if period % 2 == 0 else FAILING_MODES[(period // 2) % len(FAILING_MODES)]


def rss_mb(pid: int) -> float:
    """Current resident memory of ``pid`` and its descendants (workers), in MiB."""
    total_kib = 0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            children = Path(f"/proc/{current}/task/{current}/children").read_text()
        except OSError:
            continue
        match = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
        total_kib += int(match.group(1)) if match else 0
        pending.extend(int(child) for child in children.split())
    return total_kib / 1024


def cache_kind(header: str) -> str:
    if "detail=stale-if-error" in header:
        return "stale-if-error"
    if "; hit" in header:
        return "hit"
    return "fetched" if header else ""


async def drive(
    base: str,
    upstream: Upstream,
    names: list[str],
    args: argparse.Namespace,
    memory: Callable[[], float],
) -> Run:
    run = Run()
    rng = random.Random(11)  # noqa: S311 - a reproducible workload, not security
    total = int(args.minutes * 60 * args.rate)
    periods = math.ceil(args.minutes * 60 / args.flip_seconds)
    in_flight = asyncio.Semaphore(MAX_IN_FLIGHT)
    period = 0

    async def flip(start: float) -> None:
        nonlocal period
        for index in range(periods):
            await asyncio.sleep(max(0.0, start + index * args.flip_seconds - time.monotonic()))
            mode = mode_of(index)
            if mode == "healthy":
                await asyncio.to_thread(upstream.fault, "none")
            else:
                await asyncio.to_thread(upstream.fault, mode, **FAULT_OPTIONS)
            run.upstream_totals.append((await asyncio.to_thread(upstream.counters))["total"])
            if index == 1:
                run.rss_mb["warm"] = memory()
            run.modes.append(mode)
            period = index
            print(f"  t={time.monotonic() - start:6.1f}s  stand-in: {mode}", flush=True)

    async def one(client: httpx.AsyncClient, user: str, due: float, at_period: int) -> None:
        async with in_flight:
            sent = time.monotonic()
            try:
                response = await client.get(f"/api/users/{quote(user, safe='')}")
            except httpx.HTTPError as exc:
                outcome = Outcome(user, at_period, due, sent, time.monotonic(), 0, error=repr(exc))
            else:
                outcome = Outcome(
                    user,
                    at_period,
                    due,
                    sent,
                    time.monotonic(),
                    response.status_code,
                    response.headers.get("content-type", ""),
                    cache_kind(response.headers.get("cache-status", "")),
                )
        run.outcomes.append(outcome)

    limits = httpx.Limits(max_connections=MAX_IN_FLIGHT, max_keepalive_connections=64)
    async with httpx.AsyncClient(base_url=base, timeout=CLIENT_TIMEOUT, limits=limits) as client:
        start = time.monotonic()
        flipper = asyncio.create_task(flip(start))
        await asyncio.sleep(0)  # the first period (healthy) is set before the first request
        tasks: set[asyncio.Task[None]] = set()
        for index in range(total):
            due = start + index / args.rate
            await asyncio.sleep(max(0.0, due - time.monotonic()))
            task = asyncio.create_task(one(client, rng.choice(names), due, period))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
        await asyncio.gather(*tasks)
        flipper.cancel()
        await asyncio.gather(flipper, return_exceptions=True)
        run.upstream_totals.append((await asyncio.to_thread(upstream.counters))["total"])
    return run


@dataclass(frozen=True, slots=True)
class Verdict:
    server_errors: int
    regressions: list[Outcome]
    bad_failures: list[Outcome]

    @property
    def ok(self) -> bool:
        return self.server_errors == 0 and not self.regressions and not self.bad_failures


def judge(outcomes: list[Outcome]) -> Verdict:
    """Apply the three invariants to everything the load generator saw."""
    first_ok: dict[str, float] = {}
    for outcome in sorted(outcomes, key=lambda o: o.done):
        if outcome.status == 200:
            first_ok.setdefault(outcome.user, outcome.done)
    # Only requests sent after the user's first 200 had arrived can regress.
    regressions = [
        o for o in outcomes if o.status != 200 and o.user in first_ok and o.sent > first_ok[o.user]
    ]
    bad = [
        o
        for o in outcomes
        if o.status != 200
        and not (o.status in PROBLEM_STATUSES and o.content_type.startswith(PROBLEM_JSON))
    ]
    return Verdict(sum(o.status == 500 for o in outcomes), regressions, bad)


def summarize(
    report: Report, outcomes: list[Outcome], label: str, mode: str, upstream_requests: int
) -> None:
    statuses = Counter(o.status for o in outcomes)
    caches = Counter(o.cache for o in outcomes)
    latencies = [o.latency_ms for o in outcomes]
    report.add(
        period=label,
        stand_in=mode,
        requests=len(outcomes),
        **{str(status): statuses.get(status, 0) for status in (200, 502, 503, 504)},
        other=sum(n for status, n in statuses.items() if status not in (200, 502, 503, 504)),
        stale_if_error=caches.get("stale-if-error", 0),
        upstream=upstream_requests,
        p50_ms=percentile(latencies, 50),
        p99_ms=percentile(latencies, 99),
    )


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "soak").splitlines()[0])
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--users", type=int, default=300)
    parser.add_argument("--rate", type=float, default=50.0, help="requests per second")
    parser.add_argument("--flip-seconds", type=float, default=30.0)
    args = parser.parse_args()
    if not 0 < args.minutes <= MAX_MINUTES:
        parser.error(f"--minutes must be within (0, {MAX_MINUTES:g}]")
    if not 0 < args.rate <= MAX_RATE:
        parser.error(f"--rate must be within (0, {MAX_RATE:g}]")
    if args.users < 1 or args.flip_seconds <= 0:
        parser.error("--users must be >= 1 and --flip-seconds > 0")
    return args


def main() -> None:
    args = parse_args()
    names = list(build_world().usernames_with_courses[: args.users])
    print(
        f"Soak: {args.minutes:g} min at {args.rate:g} req/s over {len(names)} users, "
        f"stand-in flipping every {args.flip_seconds:g} s "
        f"(healthy / {' / '.join(FAILING_MODES)}), user TTLs fresh 20 s, stale 40 s\n"
    )
    with (
        standin() as dashboard,
        service(
            dashboard.url, ttl_user_fresh="20", ttl_user_stale="40", upstream_timeout="2"
        ) as api,
    ):
        upstream = Upstream(dashboard.url)
        upstream.reset()
        start_rss = rss_mb(api.popen.pid)
        run = asyncio.run(drive(api.url, upstream, names, args, lambda: rss_mb(api.popen.pid)))
        end_rss = rss_mb(api.popen.pid)
        counters = upstream.counters()
    outcomes = run.outcomes
    verdict = judge(outcomes)

    report = Report("soak")
    for index, mode in enumerate(run.modes):
        in_period = [o for o in outcomes if o.period == index]
        totals = run.upstream_totals
        if in_period:
            summarize(report, in_period, str(index), mode, totals[index + 1] - totals[index])
    summarize(report, outcomes, "all", "flipping", counters.get("total", 0))
    report.rows[-1].update(
        server_500s=verdict.server_errors,
        regressions=len(verdict.regressions),
        non_problem_failures=len(verdict.bad_failures),
        users_answered=len({o.user for o in outcomes if o.status == 200}),
        rss_start_mb=round(start_rss, 1),
        rss_warm_mb=round(run.rss_mb.get("warm", float("nan")), 1),
        rss_end_mb=round(end_rss, 1),
        rss_growth_mb=round(end_rss - start_rss, 1),
    )
    print()
    report.print()
    print()
    checks = [
        ("no 500s", verdict.server_errors == 0, f"{verdict.server_errors} answered 500"),
        (
            "once answered, always 200",
            not verdict.regressions,
            f"{len(verdict.regressions)} later non-200 answers, "
            f"{len({o.user for o in verdict.regressions})} users",
        ),
        (
            "every failure a 502/503/504 problem",
            not verdict.bad_failures,
            f"{len(verdict.bad_failures)} others",
        ),
    ]
    per_period = [
        (mode, run.upstream_totals[i + 1] - run.upstream_totals[i])
        for i, mode in enumerate(run.modes)
        if i + 1 < len(run.upstream_totals)
    ]
    healthy = [n for i, (mode, n) in enumerate(per_period) if mode == "healthy" and i > 0]
    usual = sum(healthy) / len(healthy) if healthy else float("inf")
    heavier = [(mode, n) for mode, n in per_period if mode != "healthy" and n > usual]
    checks.append(
        (
            "an outage brings the dashboard no more requests than a healthy period",
            not heavier,
            f"{heavier} against {usual:.0f} in a healthy period",
        )
    )
    for name, passed, detail in checks:
        print(f"{'PASS' if passed else 'FAIL'}  {name}" + ("" if passed else f": {detail}"))
    for outcome in (verdict.regressions + verdict.bad_failures)[:10]:
        print(f"      e.g. {outcome}")
    print(
        f"RSS: {start_rss:.1f} MiB at start, {run.rss_mb.get('warm', float('nan')):.1f} MiB "
        f"after the first period, {end_rss:.1f} MiB at the end "
        f"(growth {end_rss - start_rss:+.1f} MiB)"
    )
    report.save()
    if not all(passed for _, passed, _ in checks):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
