"""Readers first: page views while one client asks enrich=true for a user in many courses.

The service runs with its default politeness (concurrency, rate, burst) in
front of the stand-in (``--latency-ms``, default 100). First an ordinary
reader's page views (``/status`` for ``--users`` real users, each warmed
once) are timed alone; then again while one client asks
``/api/users/{STAFF}?enrich=true`` for the stand-in's busiest organiser
(61 courses, so 123 cold documents: minutes at 3 requests/s), over and over
with short course lifetimes so that it stays cold. Reported: the page views'
p50/p99 alone and during the bulk answer, and their ratio (the issue asks
for at most 2x), and how many documents the bulk answer fetched.

    uv run python -m bench.readers_first [--seconds 30] [--users 20]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import time
from typing import Any
from urllib.parse import quote

import httpx

from bench.harness import Report, Upstream, percentile, service, standin
from outreach_helper.settings import Settings
from outreach_standin import build_world
from outreach_standin import world as w

MAX_SECONDS, MAX_USERS = 120.0, 200


def politeness() -> dict[str, Any]:
    """The politeness settings as a deployment gets them (the harness's own are for caches)."""
    fields = Settings.model_fields
    names = ("upstream_rate", "upstream_burst", "upstream_concurrency")
    return {name: str(fields[name].default) for name in names}


async def page_views(base: str, users: list[str], until: float) -> list[float]:
    timings: list[float] = []
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        for name in itertools.cycle(users):
            if time.monotonic() >= until:
                return timings
            started = time.perf_counter()
            await client.get(f"/api/users/{quote(name, safe='')}/status")
            timings.append((time.perf_counter() - started) * 1000)
            await asyncio.sleep(0.05)
    return timings  # pragma: no cover - the cycle never ends by itself


async def bulk(base: str, until: float, answers: list[int]) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=120) as client:
        while time.monotonic() < until:
            await client.get(f"/api/users/{quote(w.STAFF, safe='')}", params={"enrich": "true"})
            answers[0] += 1


async def run(base: str, users: list[str], seconds: float) -> tuple[list[float], list[float], int]:
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        for name in users:  # warm: the reader's page views are cache hits from here on
            await client.get(f"/api/users/{quote(name, safe='')}/status")
    alone = await page_views(base, users, time.monotonic() + seconds)
    answers = [0]
    until = time.monotonic() + seconds
    busy, _ = await asyncio.gather(page_views(base, users, until), bulk(base, until, answers))
    return alone, busy, answers[0]


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--latency-ms", type=int, default=100)
    args = parser.parse_args()
    seconds = min(max(args.seconds, 1.0), MAX_SECONDS)
    world = build_world()
    users = [u for u in world.usernames_with_courses if u != w.STAFF][: min(args.users, MAX_USERS)]
    with standin(latency_ms=args.latency_ms) as dashboard:
        upstream = Upstream(dashboard.url)
        # Course and roster documents stay fresh 1 s: every enrich is a cold one.
        lifetimes: dict[str, Any] = {"ttl_course_fresh": "1", "ttl_roster_fresh": "1"}
        with service(dashboard.url, **politeness(), **lifetimes) as api:
            upstream.reset()
            alone, busy, answers = asyncio.run(run(api.url, users, seconds))
            fetched = upstream.counters()
    report = Report("readers_first")
    for label, timings in (("alone", alone), ("during enrich", busy)):
        report.add(
            phase=label,
            page_views=len(timings),
            p50_ms=percentile(timings, 50),
            p99_ms=percentile(timings, 99),
        )
    ratio = percentile(busy, 99) / percentile(alone, 99)
    report.rows[-1].update(
        x_alone_p99=ratio,
        enrich_answers=answers,
        course_documents=fetched["course"],
        roster_documents=fetched["users"],
    )
    report.print()
    report.save()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
