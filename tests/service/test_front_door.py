"""The front door (docs/security.md, "The dashboard's load has a ceiling"): bulk answers
beyond the process's places (OUTREACH_BULK_ANSWERS) or one client's share of them
(OUTREACH_BULK_ANSWERS_PER_CLIENT), and over-long targets, are refused in front of the
framework, with a 503 and ``Retry-After: 1`` (or a 414); page views are never held there.

A probe between the door and the framework counts what reaches the framework: a refusal
must cost no routing. The dashboard is held (``HeldTransport``) so that admitted bulk
answers stay in progress for as long as a test needs them to.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from fastapi import FastAPI
from starlette.types import ASGIApp, Receive, Scope, Send

from outreach_helper.app import create_app
from outreach_helper.web.front_door import FrontDoor, bulk_route
from outreach_standin import world as w
from tests.support.clocks import FakeClock
from tests.support.service import HeldTransport, SettingsFactory

READER = ("203.0.113.7", 50000)
FLOODER = ("198.51.100.9", 50000)


class Probe:
    """The framework as it is, counting the requests that reach it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.calls = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            self.calls += 1
        await self.app(scope, receive, send)


def front_door(app: Any) -> FrontDoor:
    layer = app.front
    while not isinstance(layer, FrontDoor):
        layer = layer.app
    return layer


@asynccontextmanager
async def clients(
    app: FastAPI, *addresses: tuple[str, int]
) -> AsyncIterator[list[httpx.AsyncClient]]:
    """In-process clients of one running app, each from its own address."""
    async with AsyncExitStack() as stack:
        await stack.enter_async_context(app.router.lifespan_context(app))
        made = []
        for address in addresses:
            transport = httpx.ASGITransport(app=app, client=address)
            client = httpx.AsyncClient(transport=transport, base_url="http://service.test")
            made.append(await stack.enter_async_context(client))
        yield made


def enrich(name: str) -> str:
    return f"/api/users/{quote(name)}?enrich=true"


async def bounded(waiting: Awaitable[None]) -> None:
    """A bound on a wait that should end by itself, so that a bug fails instead of hanging."""
    await asyncio.wait_for(waiting, timeout=30)


async def until_in_progress(door: FrontDoor, count: int) -> None:
    """Yield to the loop until ``count`` bulk answers hold places (no clock involved)."""

    async def wait() -> None:
        # A counter of this event loop, read between its turns: no clock involved.
        while door.places.in_progress < count:  # noqa: ASYNC110
            await asyncio.sleep(0)

    await bounded(wait())


async def until_done(tasks: list[asyncio.Task[httpx.Response]], count: int) -> None:
    pending = set(tasks)
    while len(tasks) - len(pending) < count:
        _, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)


async def test_a_refused_request_costs_no_routing(make_settings: SettingsFactory, clock: FakeClock):
    held = HeldTransport()
    settings = make_settings(bulk_answers=1, bulk_answers_per_client=1, max_path_bytes=4096)
    app = create_app(settings, clock=clock, transport=held)
    door = front_door(app)
    probe = door.app = Probe(door.app)
    async with clients(app, READER) as (client,):
        held.shut()
        first = asyncio.create_task(client.get(enrich(w.MARTA)))
        await until_in_progress(door, 1)
        assert probe.calls == 1

        refused = await client.get("/api/users", params={"usernames": "A|B|C"})
        assert refused.status_code == 503
        assert refused.headers["retry-after"] == "1"
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.headers["cache-control"] == "no-store"
        assert refused.headers["access-control-allow-origin"] == "*"
        assert refused.json()["type"].endswith(":upstream-held-back")
        too_long = await client.get("/api/users/" + "x" * 4097)
        assert too_long.status_code == 414
        assert too_long.headers["access-control-allow-origin"] == "*"
        assert probe.calls == 1, "a refusal reached the framework"

        held.open()
        assert (await first).status_code == 200
        assert door.places.in_progress == 0
        # With its place back, the next bulk answer goes in.
        again = await client.get("/api/users", params={"usernames": w.MARTA})
        assert again.status_code == 200
        assert probe.calls == 2


async def test_one_clients_flood_leaves_another_clients_page_views_and_share_alone(
    make_settings: SettingsFactory, clock: FakeClock
):
    held = HeldTransport()
    settings = make_settings(bulk_answers=4, bulk_answers_per_client=2)
    app = create_app(settings, clock=clock, transport=held)
    door = front_door(app)
    async with clients(app, READER, FLOODER) as (reader, flooder):
        warm = await reader.get(f"/api/users/{quote(w.NGOZI)}/status")
        assert warm.status_code == 200
        held.shut()

        flood_names = [w.MARTA, w.ZOE, w.KAI, w.BUSY, w.TWO_HATS, w.HASHTAG]
        flood = [asyncio.create_task(flooder.get(enrich(name))) for name in flood_names]
        await until_in_progress(door, 2)
        # The flooder's share is 2: the other four are refused at once, held dashboard or not.
        await bounded(until_done(flood, 4))
        refused = [task for task in flood if task.done()]
        assert [task.result().status_code for task in refused] == [503] * 4
        assert door.places.in_progress == 2

        # The reader's page view is answered while the flood holds its places...
        page_view = await reader.get(f"/api/users/{quote(w.NGOZI)}/status")
        assert page_view.status_code == 200
        # ...and the reader's own bulk answer finds a place of its own.
        own = asyncio.create_task(reader.get(enrich(w.QUIET)))
        await until_in_progress(door, 3)

        held.open()
        assert (await own).status_code == 200
        admitted = [await task for task in flood if task not in refused]
        assert [response.status_code for response in admitted] == [200, 200]


async def test_bulk_answers_are_turned_away_unrouted_while_the_budget_has_no_turn_for_them(
    make_settings: SettingsFactory, clock: FakeClock
):
    # Bulk work may take one token of the burst of 2 (the other is the interactive
    # reserve); then each of its documents waits for the next token, one every 0.5 s,
    # within a wait of 2 s. Four such waits fill the line (a fifth would come too late);
    # the door turns bulk answers away from two on (half the wait).
    settings = make_settings(
        upstream_rate=2, upstream_burst=2, upstream_interactive_share=0.5, upstream_wait_bulk=2
    )
    app = create_app(settings, clock=clock)
    door = front_door(app)
    probe = door.app = Probe(door.app)
    budgets = [service.client.budget for service in app.state.parts.services]
    assert len(budgets) == 1
    async with clients(app, READER, FLOODER) as (reader, flooder):
        names = "|".join(f"Invented Name {i}" for i in range(8))
        first = asyncio.create_task(flooder.get("/api/users", params={"usernames": names}))

        async def line_full() -> None:
            # A state of this event loop, read between its turns: no clock involved.
            while budgets[0].takes_bulk_work():  # noqa: ASYNC110
                await asyncio.sleep(0)

        await bounded(line_full())
        routed = probe.calls
        refused = await reader.get("/api/users", params={"usernames": "Another Name"})
        assert refused.status_code == 503
        assert refused.headers["retry-after"] == "1"
        assert refused.json()["type"].endswith(":upstream-held-back")
        assert probe.calls == routed, "the refusal reached the framework"
        # A page view is no bulk answer: it is routed and answered.
        page_view = await reader.get(f"/api/users/{quote(w.NGOZI)}/status")
        assert page_view.status_code == 200
        assert (await bounded_response(first)).status_code == 200


async def bounded_response(task: asyncio.Task[httpx.Response]) -> httpx.Response:
    return await asyncio.wait_for(task, timeout=30)


@pytest.mark.parametrize(
    ("path", "route"),
    [
        (
            f"/api/campaigns/{w.NORMAL_CAMPAIGN}/active-courses",
            "/api/campaigns/{campaign}/active-courses",
        ),
        (
            f"/api/campaigns/{w.NORMAL_CAMPAIGN}/participants",
            "/api/campaigns/{campaign}/participants",
        ),
    ],
)
def test_every_campaign_answer_is_bulk_work_labelled_by_its_own_route(path, route):
    assert bulk_route(path.encode(), b"") == route


async def test_a_campaigns_participants_wait_for_a_place_like_any_bulk_answer(
    make_settings: SettingsFactory, clock: FakeClock
):
    held = HeldTransport()
    settings = make_settings(bulk_answers=1, bulk_answers_per_client=1)
    app = create_app(settings, clock=clock, transport=held)
    door = front_door(app)
    async with clients(app, READER) as (client,):
        held.shut()
        first = asyncio.create_task(client.get(enrich(w.MARTA)))
        await until_in_progress(door, 1)
        refused = await client.get(f"/api/campaigns/{w.NORMAL_CAMPAIGN}/participants")
        held.open()
        await first
    assert (refused.status_code, refused.headers["retry-after"]) == (503, "1")


async def test_a_batch_works_on_at_most_eight_names_at_a_time(
    make_settings: SettingsFactory, clock: FakeClock
):
    # docs/api.md: at most 8 of a batch's names at a time. Each cold name's first request
    # (its profile) waits at the shut door, so the door counts the names in progress.
    held = HeldTransport()
    app = create_app(
        settings := make_settings(upstream_concurrency=64), clock=clock, transport=held
    )
    assert settings.upstream_concurrency == 64
    async with clients(app, READER) as (client,):
        held.shut()
        names = "|".join(f"Invented Name {i}" for i in range(20))
        batch = asyncio.create_task(client.get("/api/users", params={"usernames": names}))
        await bounded(held.until_held(8))
        for _ in range(50):  # turns of the event loop, in which more would have gone out
            await asyncio.sleep(0)
        assert held.held == 8
        held.open()
        answer = await bounded_response(batch)
    assert answer.status_code == 200
    assert len(answer.json()["users"]) == 20
