"""Gentle on the dashboard: what two instances on default settings do to a four-worker dashboard.

The stand-in runs in capacity mode, modelling the Outreach Dashboard's
Passenger: 4 workers, a queue, and a service time per document (profile
30 ms, user_stats 400, course 200, users 150, active_courses 600, a page's
HTML 150). Two instances of the service (one worker each, default
concurrency, rate and burst) share one private Redis.

Phases, each bounded in time:

1. **alone**: a person opens course pages on the dashboard (the HTML page,
   then its ``course.json`` and ``users.json``, one after another), with
   nothing else going on.
2. **busy**: the same person, while both instances take a cold start of page
   views (``/status`` for real users, 8 at a time, spread over both
   instances) and a flood of batches of invented names (8 clients).
3. **slow**: as 2, with new users and names, the dashboard three times slower
   (every service time tripled), on the same instances.

Reported per phase: the most of *our* requests (User-Agent
``outreach-dashboard-helper``) the dashboard held at once, and their average;
our requests per second; the person's page time p50/p95/p99 and its ratio to
the person alone; our page views' statuses and p50/p99.

    uv run python -m bench.gentle [--seconds 30] [--pages 20]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import httpx

from bench.harness import Report, percentile, redis, service, standin
from outreach_helper.settings import Settings
from outreach_standin import build_world

WORKERS = 4
SERVICE_MS = {
    "user_profile": 30,
    "user_stats": 400,
    "course": 200,
    "users": 150,
    "active_courses": 600,
    "campaign_users": 300,
    "other": 150,
}
OURS = "outreach-dashboard-helper"
PERSON_AGENT = "Mozilla/5.0 (a person reading the dashboard)"
READERS = 8
FLOODERS = 8
BATCH = 50
# Bounds on any one run, whatever the options say.
MAX_SECONDS, MAX_PAGES = 120.0, 200


@dataclass
class Phase:
    name: str
    person_ms: list[float] = field(default_factory=list)
    views_ms: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    in_flight: list[int] = field(default_factory=list)
    seconds: float = 0.0
    our_requests: int = 0
    max_in_flight: int = 0
    alone: Phase | None = None  # the person's times this phase is compared with


def defaults() -> dict[str, Any]:
    """The politeness settings as a deployment gets them (the harness's own are for caches)."""
    fields = Settings.model_fields
    return {
        name: str(fields[name].default)
        for name in ("upstream_rate", "upstream_burst", "upstream_concurrency")
    }


class Dashboard:
    """The stand-in's control endpoints this benchmark uses."""

    def __init__(self, url: str) -> None:
        self.http = httpx.Client(base_url=url, timeout=10)

    def capacity(self, slowdown: float) -> None:
        body = {"workers": WORKERS, "queue": 100, "service_ms": SERVICE_MS, "slowdown": slowdown}
        self.http.post("/__standin/capacity", json=body).raise_for_status()

    def traffic(self) -> dict[str, Any]:
        result: dict[str, Any] = self.http.get("/__standin/traffic").json()
        return result

    def reset_traffic(self) -> None:
        self.http.post("/__standin/traffic/reset").raise_for_status()

    def ours(self) -> dict[str, int]:
        by_agent: dict[str, dict[str, int]] = self.traffic().get("by_agent", {})
        return by_agent.get(OURS, {"in_flight": 0, "max_in_flight": 0, "requests": 0})


async def person(base: str, courses: list[str], pages: int, until: float, out: list[float]) -> None:
    """Open course pages one after another, as a person's browser would, and time each."""
    headers = {"User-Agent": PERSON_AGENT, "Accept": "application/json"}
    async with httpx.AsyncClient(base_url=base, timeout=60, headers=headers) as client:
        for slug in itertools.islice(itertools.cycle(courses), pages):
            if time.monotonic() >= until:
                return
            path = "/courses/" + quote(slug, safe="/")
            started = time.perf_counter()
            await client.get(path, headers={"Accept": "text/html"})
            await client.get(path + "/course.json")
            await client.get(path + "/users.json")
            out.append((time.perf_counter() - started) * 1000)
            await asyncio.sleep(0.1)


async def readers(bases: list[str], users: list[str], until: float, phase: Phase) -> None:
    """Cold page views of ``users``, ``READERS`` at a time, alternating instances."""
    queue: asyncio.Queue[tuple[int, str]] = asyncio.Queue()
    for item in enumerate(users):
        queue.put_nowait(item)

    async def one(client: httpx.AsyncClient) -> None:
        while time.monotonic() < until and not queue.empty():
            index, name = queue.get_nowait()
            base = bases[index % len(bases)]
            started = time.perf_counter()
            try:
                response = await client.get(f"{base}/api/users/{quote(name, safe='')}/status")
                phase.statuses[response.status_code] += 1
            except httpx.HTTPError:
                phase.statuses[0] += 1
            phase.views_ms.append((time.perf_counter() - started) * 1000)

    async with httpx.AsyncClient(timeout=60) as client:
        await asyncio.gather(*(one(client) for _ in range(READERS)))


async def flood(base: str, until: float, names: itertools.count[int]) -> None:
    async with httpx.AsyncClient(timeout=60) as client:
        while time.monotonic() < until:
            batch = "|".join(f"Invented Name {next(names)}" for _ in range(BATCH))
            with contextlib.suppress(httpx.HTTPError):
                await client.get(f"{base}/api/users", params={"usernames": batch})
            await asyncio.sleep(0.05)


async def watch(dashboard: Dashboard, until: float, phase: Phase) -> None:
    while time.monotonic() < until:
        phase.in_flight.append(dashboard.ours()["in_flight"])
        await asyncio.sleep(0.05)


async def run_phase(
    phase: Phase,
    dashboard: Dashboard,
    bases: list[str],
    users: list[str],
    courses: list[str],
    names: itertools.count[int],
    args: argparse.Namespace,
) -> None:
    dashboard.reset_traffic()
    started = time.monotonic()
    until = started + args.seconds
    work = [person(str(dashboard.http.base_url), courses, args.pages, until, phase.person_ms)]
    if users:
        work.append(watch(dashboard, until, phase))
        work.append(readers(bases, users, until, phase))
        work.extend(flood(bases[n % len(bases)], until, names) for n in range(FLOODERS))
    await asyncio.gather(*work)
    phase.seconds = time.monotonic() - started
    ours = dashboard.ours()
    phase.our_requests = ours["requests"]
    phase.max_in_flight = ours["max_in_flight"]


def report(phases: list[Phase]) -> Report:
    table = Report("gentle")
    for phase in phases:
        alone = phase.alone or phase
        base95, base99 = percentile(alone.person_ms, 95), percentile(alone.person_ms, 99)
        p95, p99 = percentile(phase.person_ms, 95), percentile(phase.person_ms, 99)
        samples = phase.in_flight
        mean_in_flight = sum(samples) / len(samples) if samples else 0.0
        at_most = max(samples, default=0)
        share_at_most = sum(n == at_most for n in samples) / len(samples) if samples else 0.0
        table.add(
            phase=phase.name,
            our_max_in_flight=phase.max_in_flight,
            our_mean_in_flight=mean_in_flight,
            time_at_max=share_at_most,
            our_rps=phase.our_requests / phase.seconds if phase.seconds else 0.0,
            person_pages=len(phase.person_ms),
            person_p50_ms=percentile(phase.person_ms, 50),
            person_p95_ms=p95,
            person_p99_ms=p99,
            x_alone_p95=p95 / base95,
            x_alone_p99=p99 / base99,
            views=sum(phase.statuses.values()),
            view_statuses=" ".join(f"{k}:{v}" for k, v in sorted(phase.statuses.items())),
            view_p50_ms=percentile(phase.views_ms, 50),
            view_p99_ms=percentile(phase.views_ms, 99),
        )
    return table


async def main(args: argparse.Namespace) -> int:
    world = build_world()
    rng = random.Random(7)  # noqa: S311 - a shuffle, not a secret
    users = sorted(u.username for u in world.users)
    rng.shuffle(users)
    half = len(users) // 2
    courses = [c.slug for c in world.courses if not c.private and not c.broken][:10]
    names = itertools.count()
    with redis() as shared, standin() as upstream:
        dashboard = Dashboard(upstream.url)
        dashboard.capacity(slowdown=1.0)
        settings = defaults()
        prefix = f"bench-gentle-{time.time_ns()}"  # both instances: one cache, one budget
        with (
            service(upstream.url, redis_url=shared.url, key_prefix=prefix, **settings) as first,
            service(upstream.url, redis_url=shared.url, key_prefix=prefix, **settings) as second,
        ):
            bases = [first.url, second.url]
            alone, alone_slow = Phase("person alone"), Phase("person alone, x3 slower")
            busy = Phase("busy", alone=alone)
            slow = Phase("busy, x3 slower", alone=alone_slow)
            await run_phase(alone, dashboard, bases, [], courses, names, args)
            await run_phase(busy, dashboard, bases, users[:half], courses, names, args)
            dashboard.capacity(slowdown=3.0)
            await run_phase(alone_slow, dashboard, bases, [], courses, names, args)
            await run_phase(slow, dashboard, bases, users[half:], courses, names, args)
            phases = [alone, busy, alone_slow, slow]
    table = report(phases)
    table.print()
    table.save()
    worst = max(p.max_in_flight for p in phases)
    bound = settings["upstream_concurrency"]
    print(f"\nour most requests in flight at the dashboard: {worst} (bound: {bound})")
    return 0 if worst <= int(settings["upstream_concurrency"]) else 1


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--pages", type=int, default=40)
    args = parser.parse_args(argv)
    args.seconds = min(max(args.seconds, 1.0), MAX_SECONDS)
    args.pages = min(max(args.pages, 1), MAX_PAGES)
    return args


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main(parse())))
