"""An attack on loopback: 16 clients flood batches of invented names beside one ordinary reader.

For ``--seconds`` (default 60) sixteen clients each send, one after another,
``GET /api/users?usernames=`` with 50 never-seen names, while an ordinary
reader opens user pages as the gadget does (``/status``, then
``/active-staff`` for a user in an active course): each real user once cold,
then again warm. The stand-in answers after ``--latency-ms`` (default 100).

Reported: the dashboard's requests per second over time (from the stand-in's
counters, sampled every second) against the budget plus its burst; the
reader's p50/p99 for cold and warm page views; how many distinct names the
flood sent; and the service's resident memory at the end.

    uv run python -m bench.abuse
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import httpx

from bench.harness import Report, Upstream, percentile, service, standin
from outreach_standin import build_world

FLOOD_CLIENTS = 16
BATCH = 50


def rss_mib(pid: int) -> float:
    """Resident memory now (not the peak) of the service process, in MiB."""
    status = Path(f"/proc/{pid}/status").read_text()
    match = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
    return int(match.group(1)) / 1024 if match else float("nan")


async def flood(base: str, until: float, names: itertools.count[int], sent: list[int]) -> None:
    async with httpx.AsyncClient(timeout=30) as client:
        while time.monotonic() < until:
            batch = "|".join(f"Invented Name {next(names)}" for _ in range(BATCH))
            await client.get(f"{base}/api/users", params={"usernames": batch})
            sent[0] += BATCH


async def reader(
    base: str, users: list[str], until: float, cold: list[float], warm: list[float]
) -> None:
    """Page views: every user once cold, then round and round warm."""
    async with httpx.AsyncClient(timeout=30) as client:
        for visit, name in enumerate(itertools.cycle(users)):
            if time.monotonic() >= until:
                return
            started = time.perf_counter()
            status = await client.get(f"{base}/api/users/{quote(name, safe='')}/status")
            if status.status_code == 200 and status.json()["active_course_count"]:
                await client.get(f"{base}/api/users/{quote(name, safe='')}/active-staff")
            elapsed = (time.perf_counter() - started) * 1000
            (cold if visit < len(users) else warm).append(elapsed)
            await asyncio.sleep(0.2)


async def sample(upstream: Upstream, until: float, per_second: list[int]) -> None:
    last = upstream.counters()["total"]
    while time.monotonic() < until:
        await asyncio.sleep(1)
        now = upstream.counters()["total"]
        per_second.append(now - last)
        last = now


@dataclass
class Attack:
    sent: list[int] = field(default_factory=lambda: [0])
    cold: list[float] = field(default_factory=list)
    warm: list[float] = field(default_factory=list)
    per_second: list[int] = field(default_factory=list)


async def attack(
    base: str, upstream: Upstream, users: list[str], seconds: float, clients: int
) -> Attack:
    until = time.monotonic() + seconds
    names = itertools.count()
    result = Attack()
    await asyncio.gather(
        *(flood(base, until, names, result.sent) for _ in range(clients)),
        reader(base, users, until, result.cold, result.warm),
        sample(upstream, until, result.per_second),
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--latency-ms", type=int, default=100)
    parser.add_argument("--rate", type=float, default=5.0, help="OUTREACH_UPSTREAM_RATE")
    parser.add_argument("--burst", type=float, default=20.0, help="OUTREACH_UPSTREAM_BURST")
    parser.add_argument("--users", type=int, default=40, help="real users the reader visits")
    parser.add_argument(
        "--clients", type=int, default=FLOOD_CLIENTS, help="flooding clients (0: the reader alone)"
    )
    args = parser.parse_args()
    seconds = min(args.seconds, 300.0)  # bounded, whatever is asked
    users = list(build_world().usernames_with_courses[: args.users])
    with (
        standin(latency_ms=args.latency_ms) as dashboard,
        service(dashboard.url, upstream_rate=str(args.rate), upstream_burst=str(args.burst)) as api,
    ):
        upstream = Upstream(dashboard.url)
        upstream.reset()
        upstream.latency(args.latency_ms)
        result = asyncio.run(attack(api.url, upstream, users, seconds, min(args.clients, 64)))
        rss_end = rss_mib(api.popen.pid)
        total = upstream.counters()["total"]
    per_second, cold, warm = result.per_second, result.cold, result.warm
    ceiling = args.rate + args.burst
    report = Report("abuse")
    report.add(
        seconds=seconds,
        flood_names=result.sent[0],
        upstream_requests=total,
        upstream_max_per_s=max(per_second, default=0),
        upstream_mean_per_s=total / seconds,
        budget_plus_burst=ceiling,
        within_budget=max(per_second, default=0) <= ceiling,
        cold_views=len(cold),
        cold_p50_ms=percentile(cold, 50),
        cold_p99_ms=percentile(cold, 99),
        warm_views=len(warm),
        warm_p50_ms=percentile(warm, 50),
        warm_p99_ms=percentile(warm, 99),
        rss_end_mib=rss_end,
    )
    print(
        f"{args.clients} clients flooding {BATCH}-name batches of invented names for "
        f"{seconds:g} s beside one reader; stand-in latency {args.latency_ms} ms; "
        f"budget {args.rate:g}/s, burst {args.burst:g}\n"
    )
    report.print()
    print("\ndashboard requests per second:", " ".join(str(n) for n in per_second))
    report.save()


if __name__ == "__main__":
    main()
