"""The stand-in dashboard as tests drive it: its control panel and its instant.

``Upstream`` talks to the ``/__standin/`` endpoints over HTTP like any client
would, so a test sets faults, latency, capacity and the clock, and reads the
counters, without reaching into the stand-in's objects.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, Final

import httpx

from outreach_standin import StandinServer

#: The stand-in's world and the service's clock agree on this instant.
FIXED_NOW: Final = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


class Upstream:
    """The stand-in dashboard's control panel, driven over HTTP like any client would."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._http = httpx.Client(base_url=url, timeout=5)

    def reset(self) -> None:
        self._http.post("/__standin/reset").raise_for_status()

    def counters(self) -> dict[str, int]:
        counters: dict[str, int] = self._http.get("/__standin/counters").json()
        return counters

    @property
    def total(self) -> int:
        return self.counters()["total"]

    def fault(self, mode: str, endpoint: str = "all", **options: Any) -> None:
        body = {"mode": mode, "endpoint": endpoint, **options}
        self._http.post("/__standin/faults", json=body).raise_for_status()

    def heal(self) -> None:
        self.fault("none")

    def latency(self, ms: int) -> None:
        self._http.post("/__standin/latency", json={"ms": ms}).raise_for_status()

    def privileged(self, on: bool) -> None:
        self._http.post("/__standin/privileged", json={"on": on}).raise_for_status()

    def now(self, when: datetime) -> None:
        """Freeze the stand-in's clock at ``when`` (reset keeps the clock)."""
        self._http.post("/__standin/now", json={"now": when.isoformat()}).raise_for_status()

    def capacity(self, workers: int | None, **plan: Any) -> None:
        """Passenger's workers and queue (``None``: off), with service times per endpoint."""
        body = {"workers": workers, **plan}
        self._http.post("/__standin/capacity", json=body).raise_for_status()

    def traffic(self) -> dict[str, Any]:
        """Requests served at once, queued, refused, with a cookie; per User-Agent product."""
        traffic: dict[str, Any] = self._http.get("/__standin/traffic").json()
        return traffic

    def quiet(self, patience: float = 15.0) -> None:
        """Wait until no request of an earlier test is still being served (a slow
        fault outlives the test that timed out on it), then zero the traffic counts."""
        deadline = time.monotonic() + patience
        while self.traffic()["in_flight"] and time.monotonic() < deadline:
            time.sleep(0.05)
        self._http.post("/__standin/traffic/reset").raise_for_status()

    def ours(self) -> dict[str, int]:
        """The traffic of requests this service sent (its User-Agent's product)."""
        empty = {"in_flight": 0, "max_in_flight": 0, "requests": 0}
        by_agent: dict[str, dict[str, int]] = self.traffic()["by_agent"]
        return by_agent.get("outreach-dashboard-helper", empty)

    def close(self) -> None:
        self._http.close()


def controlled(server: StandinServer) -> Iterator[Upstream]:
    """A stand-in's control panel for one test: reset before and after."""
    control = Upstream(server.url)
    control.reset()
    yield control
    control.reset()
    control.close()
