from __future__ import annotations

import secrets
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from playwright.sync_api import Browser, sync_playwright

from outreach_helper.app import create_app
from outreach_helper.settings import Settings
from outreach_standin import StandinServer
from tests.support import (
    CHROMIUM,
    CHROMIUM_ARGS,
    NO_CHROMIUM_REASON,
    NO_REDIS_REASON,
    REDIS_BINARY,
    FakeClock,
    RedisServer,
    restored_logging,
    unavailable,
)

# The stand-in's world and the service's clock agree on this instant.
FIXED_NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _own_logging_undone() -> Iterator[None]:
    """Commands configure the process's logging (``warm`` and ``inspect`` do, in process):
    undone after every test, so no test logs into another's captured streams."""
    with restored_logging():
        yield


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(FIXED_NOW.timestamp())


@pytest.fixture(scope="session")
def redis_binary() -> None:
    """For tests that run redis-server: a skip without one; under CI=true, a failure."""
    if REDIS_BINARY is None:
        unavailable(NO_REDIS_REASON)


@pytest.fixture(scope="session")
def redis_server(redis_binary: None) -> Iterator[RedisServer]:
    """One private redis-server for the session; tests keep apart by key prefix."""
    with RedisServer() as server:
        yield server


@pytest.fixture
def private_redis(redis_binary: None) -> Iterator[RedisServer]:
    """A redis-server of the test's own, which it may stop and start."""
    with RedisServer() as server:
        yield server


@pytest.fixture
def prefix() -> str:
    return f"test-{secrets.token_hex(6)}"


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


@pytest.fixture(scope="session")
def standin_server() -> Iterator[StandinServer]:
    with StandinServer(now=FIXED_NOW) as server:
        yield server


def controlled(server: StandinServer) -> Iterator[Upstream]:
    """A stand-in's control panel for one test: reset before and after."""
    control = Upstream(server.url)
    control.reset()
    yield control
    control.reset()
    control.close()


@pytest.fixture
def upstream(standin_server: StandinServer) -> Iterator[Upstream]:
    yield from controlled(standin_server)


@pytest.fixture(scope="session")
def wikiedu_server() -> Iterator[StandinServer]:
    """A second stand-in, on its own port, serving the Wiki Education Dashboard's world."""
    with StandinServer(now=FIXED_NOW, world_name="wikiedu") as server:
        yield server


@pytest.fixture
def wikiedu_upstream(wikiedu_server: StandinServer) -> Iterator[Upstream]:
    yield from controlled(wikiedu_server)


SettingsFactory = Callable[..., Settings]


@pytest.fixture
def make_settings(upstream: Upstream, prefix: str) -> SettingsFactory:
    def make(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "dashboard_url": upstream.url,
            "key_prefix": prefix,
            "upstream_timeout": 2.0,
            "upstream_retries": 0,
            # Tests count requests, not time: a budget no test reaches unless it sets its own.
            "upstream_rate": 1000.0,
            "upstream_burst": 10_000.0,
            # ...and waits for a turn that no loaded test machine runs out of.
            "upstream_wait_interactive": 30.0,
            "upstream_wait_bulk": 30.0,
            "upstream_wait_straggler": 30.0,
            "upstream_cold_fetches": 1000,
            "bulk_answers": 1000,
            **overrides,
        }
        return Settings(**values)

    return make


# Where the Wiki Education Dashboard's courses are (README, "Dashboards").
WIKIEDU_WIKIS = "wikiedu=en.wikipedia.org|www.wikidata.org"


@pytest.fixture
def make_two_settings(
    make_settings: SettingsFactory, upstream: Upstream, wikiedu_upstream: Upstream
) -> SettingsFactory:
    """Settings for both dashboards: ``outreach`` the first stand-in, ``wikiedu`` the second."""

    def make(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "dashboard_url": None,
            "dashboards": f"outreach={upstream.url},wikiedu={wikiedu_upstream.url}",
            "dashboard_wikis": WIKIEDU_WIKIS,
            **overrides,
        }
        return make_settings(**values)

    return make


@asynccontextmanager
async def serving(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """Run the app's lifespan and talk to it in process."""
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://service.test") as client:
            yield client


@pytest.fixture
async def api(make_settings: SettingsFactory, clock: FakeClock) -> AsyncIterator[httpx.AsyncClient]:
    """The service with the embedded store, in front of the stand-in."""
    async with serving(create_app(make_settings(), clock=clock)) as client:
        yield client


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium under Playwright, one per module (skips, or in CI fails, without it)."""
    if CHROMIUM is None:
        unavailable(NO_CHROMIUM_REASON)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
