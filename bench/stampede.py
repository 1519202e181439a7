"""Stampede: 100 concurrent cold requests for one user, and the upstream cost.

Run against one worker with the embedded store and against two workers
sharing one Redis; both must cost exactly one upstream request.

    uv run python -m bench.stampede
"""

from __future__ import annotations

import asyncio
import time
from contextlib import ExitStack

import httpx

from bench.harness import Report, Upstream, percentile, redis, service, standin

CONCURRENT = 100
USER_PATH = "/api/users/Marta_Quill"


async def stampede(url: str) -> tuple[list[float], list[int]]:
    async def one(client: httpx.AsyncClient) -> tuple[float, int]:
        started = time.perf_counter()
        response = await client.get(url)
        return (time.perf_counter() - started) * 1000, response.status_code

    limits = httpx.Limits(max_connections=CONCURRENT)
    async with httpx.AsyncClient(timeout=30, limits=limits) as client:
        results = await asyncio.gather(*(one(client) for _ in range(CONCURRENT)))
    return [r[0] for r in results], [r[1] for r in results]


def run(report: Report, workers: int, store: str) -> None:
    with ExitStack() as stack:
        dashboard = stack.enter_context(standin(latency_ms=200))
        redis_url = stack.enter_context(redis()).url if store == "redis" else None
        api = stack.enter_context(service(dashboard.url, workers=workers, redis_url=redis_url))
        upstream = Upstream(dashboard.url)
        upstream.reset()
        upstream.latency(200)
        latencies, statuses = asyncio.run(stampede(api.url + USER_PATH))
        report.add(
            workers=workers,
            store=store,
            requests=CONCURRENT,
            ok=statuses.count(200),
            # One request per document a user answer rests on: the profile, the enrollments.
            profile_requests=upstream.counters()["user_profile"],
            user_stats_requests=upstream.counters()["user_stats"],
            p50_ms=percentile(latencies, 50),
            max_ms=max(latencies),
        )


def main() -> None:
    report = Report("stampede")
    run(report, 1, "memory")
    run(report, 2, "redis")
    print(f"{CONCURRENT} concurrent cold requests for one user, stand-in latency 200 ms\n")
    report.print()
    report.save()


if __name__ == "__main__":
    main()
