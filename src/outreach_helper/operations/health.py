"""``/health``: is the cache store reachable, is each dashboard answering?

Probes are cheap and rare: a dashboard's check reuses the outcome of its last
real upstream request when it is recent, and otherwise sends at most one
probe per interval however often ``/health`` is polled, because a health
check must never become load on the volunteers' dashboards. Each dashboard
is checked on its own (``dashboard:NAME``); one failing makes the service
``degraded``, as its answers are then partial.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Sequence
from datetime import UTC, datetime

from outreach_helper import SERVICE_NAME, __version__
from outreach_helper.cache.stores import Store, StoreUnavailable
from outreach_helper.clock import Clock
from outreach_helper.errors import UpstreamError
from outreach_helper.schema import CheckResult, HealthResponse
from outreach_helper.upstream.client import DashboardClient, probe

HEALTHY = "healthy"
UNHEALTHY = "unhealthy"
DEGRADED = "degraded"


class HealthChecker:
    def __init__(
        self,
        store: Store,
        clients: Sequence[DashboardClient],
        *,
        clock: Clock = time.time,
        probe_interval: float = 60.0,
    ) -> None:
        self._store = store
        self._dashboards = [
            _DashboardCheck(client, clock=clock, interval=probe_interval) for client in clients
        ]
        self._clock = clock

    async def report(self) -> HealthResponse:
        cache, *dashboards = await asyncio.gather(
            self.check_cache(), *(check.run() for check in self._dashboards)
        )
        checks = {"cache": cache}
        checks.update(
            (f"dashboard:{check.name}", result)
            for check, result in zip(self._dashboards, dashboards, strict=True)
        )
        ok = all(result.status == HEALTHY for result in checks.values())
        return HealthResponse(
            status=HEALTHY if ok else DEGRADED,
            service=SERVICE_NAME,
            version=__version__,
            timestamp=self._now(),
            checks=checks,
        )

    def _now(self) -> datetime:
        return _at(self._clock())

    async def check_cache(self) -> CheckResult:
        started = time.perf_counter()
        try:
            await self._store.ping()
        except StoreUnavailable as exc:
            return self._result(UNHEALTHY, started, f"serving from the embedded store: {exc}")
        detail = "redis" if self._store.shared else "embedded"
        return self._result(HEALTHY, started, detail)

    def _result(self, status: str, started: float, detail: str | None) -> CheckResult:
        elapsed = round((time.perf_counter() - started) * 1000, 2)
        return CheckResult(
            status=status, response_time_ms=elapsed, timestamp=self._now(), detail=detail
        )


class _DashboardCheck:
    """One dashboard's check: its last real answer, or a probe at most once per interval."""

    def __init__(self, client: DashboardClient, *, clock: Clock, interval: float) -> None:
        self.name = client.name
        self._client = client
        self._clock = clock
        self._interval = interval
        self._probe_lock = asyncio.Lock()
        self._last_probe_at = float("-inf")

    async def run(self) -> CheckResult:
        async with self._probe_lock:
            outcome = self._client.last_outcome
            due = self._clock() - self._last_probe_at >= self._interval
            recent = outcome is not None and self._clock() - outcome.at < self._interval
            if not recent and due:
                self._last_probe_at = self._clock()
                with contextlib.suppress(UpstreamError):  # recorded in last_outcome
                    await probe(self._client)
                outcome = self._client.last_outcome
        if outcome is None:
            return CheckResult(
                status=UNHEALTHY,
                response_time_ms=None,
                timestamp=_at(self._clock()),
                detail="no answer",
            )
        return CheckResult(
            status=HEALTHY if outcome.ok else UNHEALTHY,
            response_time_ms=outcome.response_time_ms,
            timestamp=_at(outcome.at),
            detail=outcome.detail,
        )


def _at(instant: float) -> datetime:
    return datetime.fromtimestamp(instant, UTC)
