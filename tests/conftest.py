"""The suite's fixtures: thin wrappers over ``tests.support``, where the helpers live."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser

from outreach_helper.app import create_app
from outreach_helper.settings import Settings
from outreach_standin import StandinServer
from tests.support.browser import launched_chromium
from tests.support.clocks import FakeClock
from tests.support.logs import restored_logging
from tests.support.programs import NO_REDIS_REASON, REDIS_BINARY, unavailable
from tests.support.servers import RedisServer
from tests.support.service import SettingsFactory, serving, settings_for, two_dashboards
from tests.support.standin import FIXED_NOW, Upstream, controlled


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


@pytest.fixture(scope="session")
def standin_server() -> Iterator[StandinServer]:
    with StandinServer(now=FIXED_NOW) as server:
        yield server


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


@pytest.fixture
def make_settings(upstream: Upstream, prefix: str) -> SettingsFactory:
    def make(**overrides: Any) -> Settings:
        return settings_for(upstream.url, prefix, **overrides)

    return make


@pytest.fixture
def make_two_settings(
    make_settings: SettingsFactory, upstream: Upstream, wikiedu_upstream: Upstream
) -> SettingsFactory:
    """Settings for both dashboards: ``outreach`` the first stand-in, ``wikiedu`` the second."""
    return two_dashboards(make_settings, upstream.url, wikiedu_upstream.url)


@pytest.fixture
async def api(make_settings: SettingsFactory, clock: FakeClock) -> AsyncIterator[httpx.AsyncClient]:
    """The service with the embedded store, in front of the stand-in."""
    async with serving(create_app(make_settings(), clock=clock)) as client:
        yield client


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium under Playwright, one per module (skips, or in CI fails, without it)."""
    with launched_chromium() as chromium:
        yield chromium
