"""Prometheus metrics, one registry per app (so tests and workers stay apart).

Everything the operator needs to see whether the service is doing its job:
requests and latency by route template, cache outcomes by document kind,
upstream requests by endpoint and outcome, single-flight waits and
background refreshes. The classes here subclass the observer hooks of
``cache.swr`` and ``upstream.client``; those modules never import Prometheus.

Answers are counted in a ``RequestTally`` on the request path and published
to the Prometheus metrics in bulk (see ``tally``): before every scrape, and
a few times a second by the app's lifespan.
"""

from __future__ import annotations

import os
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client import multiprocess as prometheus_multiprocess
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from outreach_helper.cache.swr import CacheObserver, Outcome, Refresh
from outreach_helper.operations.tally import RequestTally, observe_many
from outreach_helper.upstream.client import UpstreamObserver
from outreach_helper.upstream.contract import Attempt

CONTENT_TYPE = CONTENT_TYPE_LATEST
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)


class Metrics(CacheObserver, UpstreamObserver):
    """The service's metrics and the hooks that feed them."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        r = self.registry
        self.requests = Counter(
            "outreach_http_requests",
            "HTTP requests answered, by route template, method and status.",
            ["route", "method", "status"],
            registry=r,
        )
        self.latency = Histogram(
            "outreach_http_request_duration_seconds",
            "Time to answer, by route template.",
            ["route"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.responses = Counter(
            "outreach_http_responses_by_cache",
            "Answers by route template and how the cache produced them "
            "(hit, stale, miss, collapsed, stale_if_error, none).",
            ["route", "cache"],
            registry=r,
        )
        self.fast_answers = Counter(
            "outreach_http_fast_path_answers",
            "Answers served by the fast path (a hot copy, before the framework), "
            "by route template; they are also in outreach_http_requests_total.",
            ["route"],
            registry=r,
        )
        self.cache = Counter(
            "outreach_cache_lookups",
            "Document lookups that reached the cache, by kind and outcome "
            "(hit, stale, miss, collapsed, stale_if_error), by dashboard.",
            ["dashboard", "kind", "outcome"],
            registry=r,
        )
        self.negative = Counter(
            "outreach_cache_negative_answers",
            "Lookups answered with the dashboard's remembered 'not found', by dashboard and kind.",
            ["dashboard", "kind"],
            registry=r,
        )
        self.singleflight_waits = Counter(
            "outreach_singleflight_waits",
            "Lookups that waited for another request's fetch instead of fetching.",
            ["dashboard", "kind"],
            registry=r,
        )
        self.refreshes = Counter(
            "outreach_background_refreshes",
            "Background refreshes of stale entries, by dashboard, kind and result "
            "(ok, failed, skipped).",
            ["dashboard", "kind", "result"],
            registry=r,
        )
        self.upstream = Counter(
            "outreach_upstream_requests",
            "Requests sent to the dashboards, by dashboard, endpoint and outcome.",
            ["dashboard", "endpoint", "outcome"],
            registry=r,
        )
        self.unknown_role_rows = Counter(
            "outreach_upstream_unknown_role_rows",
            "Rows of a dashboard's document left out because their role word is not one "
            "the service knows (a renamed role shows here), by dashboard and endpoint.",
            ["dashboard", "endpoint"],
            registry=r,
        )
        self.upstream_latency = Histogram(
            "outreach_upstream_request_duration_seconds",
            "Dashboard response time, by dashboard and endpoint.",
            ["dashboard", "endpoint"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )

        self._tally = RequestTally(LATENCY_BUCKETS)
        self._request_children: dict[
            tuple[str, str, int, Outcome | None], tuple[Any, Any, Any]
        ] = {}

    # ---- hooks ----------------------------------------------------------------

    def lookup(self, dashboard: str, kind: str, outcome: Outcome, missing: bool) -> None:
        self.cache.labels(dashboard, kind, outcome).inc()
        if missing:
            self.negative.labels(dashboard, kind).inc()
        if outcome is Outcome.COLLAPSED:
            self.singleflight_waits.labels(dashboard, kind).inc()

    def refresh(self, dashboard: str, kind: str, result: Refresh) -> None:
        self.refreshes.labels(dashboard, kind, result).inc()

    def attempt(self, dashboard: str, endpoint: str, outcome: Attempt, seconds: float) -> None:
        self.upstream.labels(dashboard, endpoint, outcome).inc()
        self.upstream_latency.labels(dashboard, endpoint).observe(seconds)

    def unknown_roles(self, dashboard: str, endpoint: str, rows: int) -> None:
        self.unknown_role_rows.labels(dashboard, endpoint).inc(rows)

    def request(
        self,
        route: str,
        method: str,
        status: int,
        seconds: float,
        cache: Outcome | None,
        *,
        fast: bool = False,
    ) -> None:
        """Count one answer; ``publish`` hands it to Prometheus."""
        self._tally.add((route, method, status, cache, fast), seconds)

    def publish(self) -> None:
        """Add the answers counted since the last call to the Prometheus metrics."""
        for (route, method, status, cache, fast), row in self._tally.take().items():
            # labels() is a locked dict lookup with string checks; its children are kept.
            key = (route, method, status, cache)
            children = self._request_children.get(key)
            if children is None:
                children = (
                    self.requests.labels(route, method, str(status)),
                    self.latency.labels(route),
                    self.responses.labels(route, cache or "none"),
                )
                self._request_children[key] = children
            count, latency, by_cache = children
            count.inc(row.count)
            observe_many(latency, row.buckets, row.seconds)
            by_cache.inc(row.count)
            if fast:
                self.fast_answers.labels(route).inc(row.count)

    # ---- exposition ---------------------------------------------------------------

    def exposition(self) -> bytes:
        """The text format; across all workers when PROMETHEUS_MULTIPROC_DIR is set."""
        self.publish()
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            registry = CollectorRegistry()
            prometheus_multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
            return generate_latest(registry)
        return generate_latest(self.registry)

    def upstream_total(self) -> int:
        """Requests sent to the dashboard so far by this process (for summaries)."""
        return int(
            sum(
                sample.value
                for metric in self.upstream.collect()
                for sample in metric.samples
                if sample.name.endswith("_total")
            )
        )
