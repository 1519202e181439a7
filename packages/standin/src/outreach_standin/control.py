"""The stand-in's mutable state: clock, counters, faults, latency, capacity, viewer mode.

All of it lives in one object owned by the app, never in module globals, so
several stand-ins can run side by side in one process. A ``threading.Lock``
guards every mutation: requests arrive on the server's event loop, while tests
may poke the same object from another thread. The lock is never held across an
``await``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from dataclasses import asdict, replace
from datetime import UTC, datetime
from typing import Any

from outreach_standin.capacity import CapacityPlan, Traffic
from outreach_standin.endpoints import ENDPOINTS
from outreach_standin.faults import FaultPlan
from outreach_standin.model import World


class StandinControl:
    """Shared state of one stand-in; the app and the tests both talk to it."""

    def __init__(self, world: World, *, now: datetime | None = None, latency_ms: int = 0) -> None:
        self.world = world
        self._lock = threading.Lock()
        self._counters = dict.fromkeys(ENDPOINTS, 0)
        self._fault = FaultPlan()
        self._latency_ms = max(0, latency_ms)
        self._fixed_now = _utc(now) if now is not None else None
        self._privileged = False
        self._capacity = CapacityPlan()
        self.traffic = Traffic()
        self._cache: dict[Hashable, bytes] = {}

    # -- clock --
    def now(self) -> datetime:
        """The stand-in's clock: the fixed time if one is set, else real UTC time."""
        fixed = self._fixed_now
        return fixed if fixed is not None else datetime.now(UTC)

    def set_now(self, when: datetime | None) -> None:
        """Freeze the clock at ``when``; None returns to the real clock."""
        with self._lock:
            self._fixed_now = _utc(when) if when is not None else None

    @property
    def clock_fixed(self) -> bool:
        """True while the clock is frozen by ``set_now``."""
        return self._fixed_now is not None

    # -- counters and faults --
    def record(self, endpoint: str) -> FaultPlan | None:
        """Count one upstream request and consume the fault that applies to it, if any."""
        with self._lock:
            self._counters[endpoint] += 1
            plan = self._fault
            if not plan.matches(endpoint):
                return None
            if plan.times is not None:
                if plan.times <= 0:
                    self._fault = FaultPlan()
                    return None
                remaining = plan.times - 1
                self._fault = replace(plan, times=remaining) if remaining else FaultPlan()
            return plan

    def counters(self) -> dict[str, int]:
        """Requests per endpoint since the last reset, plus ``total``."""
        with self._lock:
            snapshot = dict(self._counters)
        snapshot["total"] = sum(snapshot.values())
        return snapshot

    def set_fault(self, plan: FaultPlan) -> None:
        """Replace the current fault plan (``FaultPlan()`` heals)."""
        with self._lock:
            self._fault = FaultPlan() if plan.times == 0 else plan

    @property
    def fault(self) -> FaultPlan:
        """The plan in force; ``times`` counts down as requests consume it."""
        return self._fault

    def fault_state(self) -> dict[str, Any]:
        """The plan as JSON-able data."""
        return asdict(self._fault)

    # -- latency and viewer mode --
    @property
    def latency_ms(self) -> int:
        """Delay added to every upstream response."""
        return self._latency_ms

    def set_latency(self, ms: int) -> None:
        """Set the added delay (negative values count as 0)."""
        with self._lock:
            self._latency_ms = max(0, ms)

    @property
    def privileged(self) -> bool:
        """Whether responses look like those a logged-in facilitator gets."""
        return self._privileged

    def set_privileged(self, on: bool) -> None:
        """Switch the logged-in facilitator view on or off."""
        with self._lock:
            self._privileged = on

    @property
    def capacity(self) -> CapacityPlan:
        """Workers, queue and service times in force (``workers=None``: off)."""
        return self._capacity

    def set_capacity(self, plan: CapacityPlan) -> None:
        with self._lock:
            self._capacity = plan

    def reset(self) -> None:
        """Zero counters and traffic, heal faults, drop latency, capacity mode and
        privileged mode (the clock is kept)."""
        with self._lock:
            self._counters = dict.fromkeys(ENDPOINTS, 0)
            self._fault = FaultPlan()
            self._latency_ms = 0
            self._privileged = False
            self._capacity = CapacityPlan()
        self.traffic.reset()

    # -- rendered payload cache --
    def cached(self, key: Hashable, build: Callable[[], bytes]) -> bytes:
        """Rendered bytes for ``key``; the world is immutable, so entries never go stale.

        A race may build the same entry twice; both results are identical.
        """
        body = self._cache.get(key)
        if body is None:
            body = build()
            self._cache[key] = body
        return body


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
