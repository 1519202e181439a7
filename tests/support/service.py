"""The service as tests build it: settings over the stand-in, served in process.

``settings_for`` holds the defaults every test starts from (a test counts
requests, never time), so a test names only the settings it is about.
``HeldTransport`` lets a test hold the service's requests to the dashboard
back, to see what the service does before any of them arrives, and wait for
them to go out.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any, Final

import httpx
from fastapi import FastAPI

from outreach_helper.settings import Settings

SettingsFactory = Callable[..., Settings]

#: Where the Wiki Education Dashboard's courses are (docs/dashboards.md).
WIKIEDU_WIKIS: Final = "wikiedu=en.wikipedia.org|www.wikidata.org"


def settings_for(dashboard_url: str, key_prefix: str, /, **overrides: Any) -> Settings:
    """Settings in front of the dashboard at ``dashboard_url``, keys under ``key_prefix``.

    Both are positional only, so that ``overrides`` may set either again.
    """
    values: dict[str, Any] = {
        "dashboard_url": dashboard_url,
        "key_prefix": key_prefix,
        "upstream_timeout": 2.0,
        "upstream_retries": 0,
        # Tests count requests, not time: a budget no test reaches unless it sets its own.
        "upstream_rate": 1000.0,
        "upstream_burst": 10_000.0,
        # ...and waits for a turn that no loaded test machine runs out of.
        "upstream_wait_interactive": 30.0,
        "upstream_wait_bulk": 30.0,
        "upstream_wait_straggler": 30.0,
        "page_view_wait": 30.0,
        "upstream_cold_fetches": 1000,
        "bulk_answers": 1000,
        **overrides,
    }
    return Settings(**values)


def two_dashboards(make: SettingsFactory, outreach_url: str, wikiedu_url: str) -> SettingsFactory:
    """``make``'s settings for both dashboards: ``outreach`` and ``wikiedu`` at their URLs."""

    def make_two(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "dashboard_url": None,
            "dashboards": f"outreach={outreach_url},wikiedu={wikiedu_url}",
            "dashboard_wikis": WIKIEDU_WIKIS,
            **overrides,
        }
        return make(**values)

    return make_two


@asynccontextmanager
async def serving(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """Run the app's lifespan and talk to it in process."""
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://service.test") as client:
            yield client


class HeldTransport(httpx.AsyncBaseTransport):
    """The real HTTP transport behind a door a test may shut, noting what goes through.

    To show that the service answered without waiting for the dashboard, a test
    shuts the door and sees the answer arrive while nothing has reached the
    dashboard: an order of events, where a stopwatch would show a duration on
    a loaded machine. ``until_sent`` waits for requests to go out, where a test
    would otherwise poll the stand-in's counters. Open, it is the plain
    transport (with httpx's default pool limits).
    """

    def __init__(self) -> None:
        self._inner = httpx.AsyncHTTPTransport()
        self._open = asyncio.Event()
        self._open.set()
        self._went = asyncio.Event()
        self.paths: list[str] = []
        self.held = 0  # requests waiting at the shut door

    def shut(self) -> None:
        self._open.clear()

    def open(self) -> None:
        self._open.set()

    async def until_sent(self, path: str, count: int = 1) -> None:
        """Return once ``count`` requests for ``path`` (without the query) have gone out."""
        while self.paths.count(path) < count:
            self._went.clear()
            await self._went.wait()

    async def until_sent_matching(self, ending: str, count: int) -> None:
        """Return once ``count`` requests whose path ends with ``ending`` have gone out."""
        while sum(path.endswith(ending) for path in self.paths) < count:
            self._went.clear()
            await self._went.wait()

    async def until_held(self, count: int) -> None:
        """Return once ``count`` requests wait at the shut door (no clock involved)."""
        while self.held < count:  # noqa: ASYNC110 - a counter of this loop, between turns
            await asyncio.sleep(0)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.held += 1
        try:
            await self._open.wait()
        finally:
            self.held -= 1
        self.paths.append(request.url.path)
        self._went.set()
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self._inner.aclose()
