"""A realistic skewed workload from a cold cache: Zipf over a few hundred users.

3,000 requests over 400 distinct users (exponent 1.1) at 16 concurrency. The
number of upstream requests must be twice the number of distinct users asked
about (each user's profile and enrollments, once): every repeat is served
from the cache, however close together.

    uv run python -m bench.zipf
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time
from urllib.parse import quote

import httpx

from bench.harness import Report, Upstream, percentile, service, standin
from outreach_standin import build_world


def zipf_sample(names: list[str], count: int, exponent: float, seed: int) -> list[str]:
    rng = random.Random(seed)  # noqa: S311 - a reproducible workload, not security
    weights = [1 / (rank**exponent) for rank in range(1, len(names) + 1)]
    return rng.choices(names, weights=weights, k=count)


async def drive(base: str, plan: list[str], concurrency: int) -> tuple[list[float], dict[int, int]]:
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    queue = iter(plan)

    async def worker(client: httpx.AsyncClient) -> None:
        for name in queue:
            started = time.perf_counter()
            response = await client.get(f"{base}/api/users/{quote(name, safe='')}")
            latencies.append((time.perf_counter() - started) * 1000)
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1

    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(timeout=30, limits=limits) as client:
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
    return latencies, statuses


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--users", type=int, default=400)
    parser.add_argument("--exponent", type=float, default=1.1)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--latency-ms", type=int, default=20, help="stand-in latency")
    args = parser.parse_args()
    names = list(build_world().usernames_with_courses[: args.users])
    plan = zipf_sample(names, min(args.requests, 20_000), args.exponent, seed=7)
    report = Report("zipf")
    with standin(latency_ms=args.latency_ms) as dashboard, service(dashboard.url) as api:
        upstream = Upstream(dashboard.url)
        upstream.reset()
        upstream.latency(args.latency_ms)
        started = time.perf_counter()
        latencies, statuses = asyncio.run(drive(api.url, plan, args.concurrency))
        wall = time.perf_counter() - started
        counters = upstream.counters()
    distinct = len(set(plan))
    report.add(
        requests=len(plan),
        distinct_users=distinct,
        upstream_requests=counters["total"],
        # Each distinct user costs its profile and its enrollments, once.
        upstream_is_two_per_user=counters["total"] == 2 * distinct,
        p50_ms=percentile(latencies, 50),
        p99_ms=percentile(latencies, 99),
        errors=sum(n for status, n in statuses.items() if status != 200),
        wall_s=wall,
    )
    print(
        f"Zipf({args.exponent}) over {args.users} users, {args.concurrency} concurrent, "
        f"cold cache, stand-in latency {args.latency_ms} ms\n"
    )
    report.print()
    report.save()


if __name__ == "__main__":
    main()
