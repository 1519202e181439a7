"""Request metrics are tallied on the request path and published to Prometheus in bulk."""

from __future__ import annotations

import os
import subprocess
import sys

from outreach_helper.cache.swr import Outcome
from outreach_helper.operations.metrics import Metrics
from tests.support.metrics import sample

ROUTE = "/api/users/{username}"
LATENCY = "outreach_http_request_duration_seconds"


def answered(metrics: Metrics, *seconds: float, fast: bool = False) -> None:
    for value in seconds:
        metrics.request(ROUTE, "GET", 200, value, Outcome.HIT, fast=fast)


def test_a_latency_on_a_bucket_bound_counts_in_that_bucket():
    # Prometheus buckets are cumulative and "less than or equal" (le).
    metrics = Metrics()
    answered(metrics, 0.001, 0.0011)
    text = metrics.exposition().decode()
    assert (
        sample(text, LATENCY + "_bucket", route=ROUTE, le="0.001"),
        sample(text, LATENCY + "_bucket", route=ROUTE, le="0.0025"),
        sample(text, LATENCY + "_bucket", route=ROUTE, le="+Inf"),
    ) == (1.0, 2.0, 2.0)


def test_latency_sum_and_count_add_up_across_publishes():
    metrics = Metrics()
    answered(metrics, 0.25, 0.5)
    metrics.publish()
    answered(metrics, 20.0)
    text = metrics.exposition().decode()
    assert (
        sample(text, LATENCY + "_count", route=ROUTE),
        sample(text, LATENCY + "_sum", route=ROUTE),
    ) == (3.0, 20.75)


def test_answers_are_counted_once_however_often_published():
    metrics = Metrics()
    answered(metrics, 0.0001, 0.0001, 0.0001)
    metrics.publish()
    metrics.publish()
    text = metrics.exposition().decode()
    assert (
        sample(text, "outreach_http_requests_total", route=ROUTE, method="GET", status="200"),
        sample(text, "outreach_http_responses_by_cache_total", route=ROUTE, cache="hit"),
    ) == (3.0, 3.0)


def test_fast_path_answers_are_counted_with_the_others_and_on_their_own():
    metrics = Metrics()
    answered(metrics, 0.0001, fast=True)
    answered(metrics, 0.0001)
    text = metrics.exposition().decode()
    assert (
        sample(text, "outreach_http_requests_total", route=ROUTE, method="GET", status="200"),
        sample(text, "outreach_http_fast_path_answers_total", route=ROUTE),
    ) == (2.0, 1.0)


WORKER = """
from outreach_helper.operations.metrics import Metrics
from outreach_helper.cache.swr import Outcome
metrics = Metrics()
for _ in range(2):
    metrics.request("/api/users/{username}", "GET", 200, 0.0004, Outcome.HIT, fast=True)
metrics.publish()
"""
SCRAPER = (
    "from outreach_helper.operations.metrics import Metrics; print(Metrics().exposition().decode())"
)


def test_published_answers_reach_another_workers_scrape(tmp_path):
    # Two processes, as two uvicorn workers sharing PROMETHEUS_MULTIPROC_DIR.
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    subprocess.run(  # noqa: S603 - this interpreter, our own script
        [sys.executable, "-c", WORKER], env=env, check=True, timeout=60
    )
    text = subprocess.run(  # noqa: S603 - this interpreter, our own script
        [sys.executable, "-c", SCRAPER],
        env=env,
        check=True,
        timeout=60,
        capture_output=True,
        text=True,
    ).stdout
    assert (
        sample(text, "outreach_http_requests_total", route=ROUTE, method="GET", status="200"),
        sample(text, "outreach_http_fast_path_answers_total", route=ROUTE),
    ) == (2.0, 2.0)
