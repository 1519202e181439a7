"""Two dashboards: what asking both costs a page view, and what one failing costs.

Two stand-ins (the Outreach world and the Wiki Education world, 100 ms
latency each) and a service per scenario, cold every time. The same users'
``/status`` (what the gadget asks on every user page) is asked with one
dashboard configured and with two; then with the second dashboard dropping
every connection, and hanging past the timeout. Printed: latency percentiles,
the two-to-one ratio, requests each dashboard received, partial answers.

    uv run python -m bench.two_dashboards [--users 80] [--concurrency 8]

Only loopback is ever a target; every load is a fixed number of requests.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from urllib.parse import quote

import httpx

from bench.harness import Report, Upstream, percentile, service, standin
from outreach_standin.build import build_world

LATENCY_MS = 100
# Past this the request is counted as one a reader would notice.
NOTICEABLE_S = 1.0


def users(count: int) -> list[str]:
    """Users of both worlds, most only on the Outreach Dashboard, as on a real wiki."""
    outreach = build_world(world="outreach").usernames_with_courses
    wikiedu = build_world(world="wikiedu").usernames_with_courses
    share = max(1, count // 4)
    names = list(dict.fromkeys([*wikiedu[:share], *outreach[: count - share]]))
    return names[:count]


async def ask_all(base: str, names: list[str], concurrency: int) -> tuple[list[float], int, int]:
    """Every name's /status once, ``concurrency`` at a time: latencies, partial, errors."""
    bound = asyncio.Semaphore(concurrency)
    latencies: list[float] = []
    partial = errors = 0
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:

        async def one(name: str) -> None:
            nonlocal partial, errors
            async with bound:
                started = time.perf_counter()
                response = await client.get(f"/api/users/{quote(name)}/status")
                latencies.append(time.perf_counter() - started)
            if response.status_code != 200:
                errors += 1
            elif response.json()["partial"]:
                partial += 1

        await asyncio.gather(*(one(name) for name in names))
    return latencies, partial, errors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=80)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    names = users(args.users)
    report = Report("two_dashboards")
    with (
        standin(latency_ms=LATENCY_MS, world="outreach") as outreach,
        standin(latency_ms=LATENCY_MS, world="wikiedu") as wikiedu,
    ):
        dashboards = f"outreach={outreach.url},wikiedu={wikiedu.url}"
        controls = Upstream(outreach.url), Upstream(wikiedu.url)
        scenarios = [
            ("one dashboard", {"dashboard_url": outreach.url}, None),
            ("two dashboards", {"dashboards": dashboards}, None),
            ("two, wikiedu down (drop)", {"dashboards": dashboards}, {"mode": "drop"}),
            (
                "two, wikiedu hanging (timeout 2 s)",
                {"dashboards": dashboards, "upstream_timeout": "2"},
                {"mode": "slow", "slow_seconds": 30},
            ),
        ]
        p50 = {}
        for label, config, fault in scenarios:
            for control in controls:
                control.reset()
                control.latency(LATENCY_MS)
            if fault is not None:
                controls[1].fault(**fault)
            with service(**config) as api:  # type: ignore[arg-type]
                started = time.perf_counter()
                latencies, partial, errors = asyncio.run(ask_all(api.url, names, args.concurrency))
                wall = time.perf_counter() - started
            p50[label] = percentile(latencies, 50)
            report.add(
                scenario=label,
                users=len(names),
                p50_ms=round(p50[label] * 1000, 1),
                p99_ms=round(percentile(latencies, 99) * 1000, 1),
                noticeable=sum(t > NOTICEABLE_S for t in latencies),
                partial=partial,
                errors=errors,
                wall_s=round(wall, 1),
                outreach_requests=controls[0].counters()["total"],
                wikiedu_requests=controls[1].counters()["total"],
            )
    print(
        f"cold /status of {len(names)} users, {args.concurrency} at a time, "
        f"stand-in latency {LATENCY_MS} ms\n"
    )
    report.print()
    ratio = p50["two dashboards"] / p50["one dashboard"]
    print(f"\ncold p50, two dashboards / one: {ratio:.2f}x")
    report.save()


if __name__ == "__main__":
    main()
