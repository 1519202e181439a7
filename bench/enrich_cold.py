"""Enrich, cold then warm: the busiest user (25+ courses) with 100 ms upstream latency.

Shows that the fan-out over a user's courses is concurrent: a cold answer
costs a few rounds of upstream latency, not one per document.

    uv run python -m bench.enrich_cold
"""

from __future__ import annotations

import time
from urllib.parse import quote

import httpx

from bench.harness import Report, Upstream, service, standin

USER = "Busy Bee"
LATENCY_MS = 100


def main() -> None:
    report = Report("enrich_cold")
    for concurrency in ("8", "16"):
        run(report, concurrency)
    print(f"enrich=true for {USER!r}, stand-in latency {LATENCY_MS} ms per request\n")
    report.print()
    report.save()


def run(report: Report, concurrency: str) -> None:
    """One service with ``concurrency`` upstream requests in flight: cold, then warm."""
    with (
        standin(latency_ms=LATENCY_MS) as dashboard,
        service(dashboard.url, upstream_concurrency=concurrency) as api,
    ):
        upstream = Upstream(dashboard.url)
        url = f"{api.url}/api/users/{quote(USER)}?enrich=true"
        with httpx.Client(timeout=30) as client:
            for label in ("cold", "warm"):
                upstream.reset()
                upstream.latency(LATENCY_MS)
                started = time.perf_counter()
                response = client.get(url)
                elapsed_ms = (time.perf_counter() - started) * 1000
                response.raise_for_status()
                counters = upstream.counters()
                report.add(
                    upstream_concurrency=concurrency,
                    run=label,
                    courses=len(response.json()["courses"]),
                    wall_ms=round(elapsed_ms, 1),
                    upstream_requests=counters["total"],
                    cache_status=response.headers["cache-status"],
                )


if __name__ == "__main__":
    main()
