"""The dashboard's capacity: Passenger's workers and queue, and who is using them.

The Outreach Dashboard runs Passenger with ``PassengerMaxPoolSize 4``
(``docs/WMCLOUD_SETUP/web_server.md``): four application processes, each
serving one request at a time, shared with every person who uses the
dashboard. A request that finds them all busy waits in Passenger's queue
(``PassengerMaxRequestQueueSize``, 100 by default); one that finds the queue
full gets a 503 at once. Capacity mode (``POST /__standin/capacity``) models
exactly that, with a service time per document, so a benchmark can see what
the service's traffic does to the people sharing the dashboard.

``Traffic`` counts, whether capacity mode is on or not, how many requests are
being served at once (overall and per User-Agent product), the most there
ever were, the queue, and how many requests carried a cookie.
"""

from __future__ import annotations

import asyncio
import threading
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from starlette.responses import Response

from outreach_standin.endpoints import ENDPOINTS, control_body, is_int, is_number
from outreach_standin.responses import HTML, respond

# Passenger's default PassengerMaxRequestQueueSize.
DEFAULT_QUEUE = 100
MAX_SERVICE_MS = 60_000.0
PLAN_KEYS = {"workers", "queue", "service_ms", "slowdown"}

# What Passenger answers when its request queue is full.
QUEUE_FULL_HTML = (
    b"<!DOCTYPE html>\n<html><head><title>This website is under heavy load</title></head>\n"
    b"<body><h1>This website is under heavy load (queue full)</h1>\n"
    b"<p>We're sorry, too many people are accessing this website at the same time. "
    b"We're working on this problem. Please try again later.</p></body></html>\n"
)


@dataclass(frozen=True, slots=True)
class CapacityPlan:
    """Workers, queue and service times; ``workers=None`` is off (answers at once)."""

    workers: int | None = None
    queue: int = DEFAULT_QUEUE
    service_ms: Mapping[str, float] = field(default_factory=dict)
    slowdown: float = 1.0

    @classmethod
    def from_json(cls, body: Any) -> CapacityPlan:
        """Validate a ``POST /__standin/capacity`` body (unknown keys are refused)."""
        body = control_body(body, PLAN_KEYS)
        workers = body.get("workers")
        if workers is not None and (not is_int(workers) or workers < 1):
            raise ValueError("workers must be null (off) or an integer >= 1")
        queue = body.get("queue", DEFAULT_QUEUE)
        if not is_int(queue) or queue < 0:
            raise ValueError("queue must be an integer >= 0")
        service_ms = body.get("service_ms", {})
        if not isinstance(service_ms, dict):
            raise ValueError("service_ms must be an object of endpoint: milliseconds")
        for name, ms in service_ms.items():
            if name not in ENDPOINTS:
                raise ValueError(f"unknown endpoint {name!r}; expected one of {ENDPOINTS}")
            if not is_number(ms) or not 0 <= ms <= MAX_SERVICE_MS:
                raise ValueError(f"service_ms.{name} must be within 0..{MAX_SERVICE_MS:g}")
        slowdown = body.get("slowdown", 1.0)
        if not is_number(slowdown) or not 0 < slowdown <= 100:
            raise ValueError("slowdown must be a number within (0, 100]")
        return cls(workers, queue, {k: float(v) for k, v in service_ms.items()}, float(slowdown))

    def service_seconds(self, endpoint: str) -> float:
        """How long a worker is busy with one request of ``endpoint``."""
        return self.service_ms.get(endpoint, 0.0) * self.slowdown / 1000

    def as_json(self) -> dict[str, Any]:
        return {
            "workers": self.workers,
            "queue": self.queue,
            "service_ms": dict(self.service_ms),
            "slowdown": self.slowdown,
        }


def agent_of(user_agent: str | None) -> str:
    """The product of a User-Agent (``outreach-dashboard-helper/1.0 (...)`` ->
    ``outreach-dashboard-helper``), so traffic can be told apart by who sent it."""
    if not user_agent:
        return "none"
    return user_agent.split("/", 1)[0].split(" ", 1)[0][:64] or "none"


@dataclass(slots=True)
class _Count:
    in_flight: int = 0
    max_in_flight: int = 0
    requests: int = 0


class Traffic:
    """Requests being served, queued and refused; thread-safe (tests read from another thread)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._reset()

    def _reset(self) -> None:
        self._all = _Count()
        self._by_agent: dict[str, _Count] = {}
        self._queued = 0
        self._max_queued = 0
        self._queue_full = 0
        self._with_cookie = 0

    def reset(self) -> None:
        """Zero every count (requests in flight or queued now stay counted as such)."""
        with self._lock:
            in_flight, queued = self._all.in_flight, self._queued
            agents = {name: c.in_flight for name, c in self._by_agent.items() if c.in_flight}
            self._reset()
            self._all = _Count(in_flight, in_flight)
            self._by_agent = {name: _Count(n, n) for name, n in agents.items()}
            self._queued = self._max_queued = queued

    def arrived(self, agent: str, cookie: bool) -> None:
        with self._lock:
            self._all.requests += 1
            self._by_agent.setdefault(agent, _Count()).requests += 1
            self._with_cookie += cookie

    def queue(self, change: int) -> None:
        with self._lock:
            self._queued += change
            self._max_queued = max(self._max_queued, self._queued)

    def refused(self) -> None:
        with self._lock:
            self._queue_full += 1

    def started(self, agent: str) -> None:
        with self._lock:
            for count in (self._all, self._by_agent.setdefault(agent, _Count())):
                count.in_flight += 1
                count.max_in_flight = max(count.max_in_flight, count.in_flight)

    def finished(self, agent: str) -> None:
        with self._lock:
            self._all.in_flight -= 1
            self._by_agent[agent].in_flight -= 1

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                "in_flight": self._all.in_flight,
                "max_in_flight": self._all.max_in_flight,
                "requests": self._all.requests,
                "queued": self._queued,
                "max_queued": self._max_queued,
                "queue_full": self._queue_full,
                "with_cookie": self._with_cookie,
                "by_agent": {
                    name: {
                        "in_flight": c.in_flight,
                        "max_in_flight": c.max_in_flight,
                        "requests": c.requests,
                    }
                    for name, c in sorted(self._by_agent.items())
                },
            }


class Passenger:
    """Workers and a FIFO queue on the server's event loop: the application's capacity."""

    def __init__(self, traffic: Traffic) -> None:
        self._traffic = traffic
        self._busy = 0
        self._waiting: deque[asyncio.Future[None]] = deque()

    async def serve(
        self,
        plan: CapacityPlan,
        endpoint: str,
        agent: str,
        answer: Callable[[], Awaitable[Response]],
    ) -> Response:
        """``answer`` on a worker, after waiting for one; a 503 when the queue is full."""
        workers = plan.workers
        if workers is None:
            return await self._served(agent, 0.0, answer)
        if self._busy < workers and not self._waiting:
            self._busy += 1
        else:
            if len(self._waiting) >= plan.queue:
                self._traffic.refused()
                return respond(QUEUE_FULL_HTML, 503, HTML)
            await self._wait()
        try:
            return await self._served(agent, plan.service_seconds(endpoint), answer)
        finally:
            self._release(workers)

    async def _wait(self) -> None:
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append(waiter)
        self._traffic.queue(+1)
        try:
            await waiter
        except BaseException:
            if waiter.done() and not waiter.cancelled():
                self._busy -= 1  # handed a worker as the client left: nobody uses it
                self._hand_on()
            elif waiter in self._waiting:
                self._waiting.remove(waiter)
            raise
        finally:
            self._traffic.queue(-1)

    async def _served(
        self, agent: str, seconds: float, answer: Callable[[], Awaitable[Response]]
    ) -> Response:
        self._traffic.started(agent)
        try:
            if seconds:
                await asyncio.sleep(seconds)
            return await answer()
        finally:
            self._traffic.finished(agent)

    def _release(self, workers: int) -> None:
        self._busy -= 1
        self._hand_on(workers)

    def _hand_on(self, workers: int | None = None) -> None:
        limit = self._busy + 1 if workers is None else workers
        while self._waiting and self._busy < limit:
            waiter = self._waiting.popleft()
            if not waiter.done():
                self._busy += 1
                waiter.set_result(None)  # the worker passes straight to it
