"""A page view waits for the dashboard, not for its turn (docs/security.md, "A page view
waits for the dashboard, not for the budget"): once it has the account, its courses'
documents that have not had their turn (a token, a connection) ``OUTREACH_PAGE_VIEW_WAIT``
later are unreadable in this answer, which is rebuilt 5 s later; their lookups go on in
the background, so the next view has them without asking the dashboard again. Documents
already sent to the dashboard by then are waited for.

The dashboard is held (``HeldTransport``) and the service may send two requests at once
(``OUTREACH_UPSTREAM_CONCURRENCY``): a request held at the door keeps its connection, so
the order of events, not a clock, decides which documents had their turn (and the
upstream timeout is longer than any test, so that none ends by timing out).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from urllib.parse import quote

import httpx

from outreach_helper.answers.service import DashboardService
from outreach_helper.app import create_app
from outreach_standin import world as w
from tests.support.clocks import FakeClock
from tests.support.service import HeldTransport, SettingsFactory, serving

# A bound on the test, not a measure: a bug fails instead of hanging.
PATIENCE = 20.0
COURSE_DOCUMENT = "/course.json"


def user(name: str, suffix: str = "") -> str:
    return "/api/users/" + quote(name.replace(" ", "_"), safe="") + suffix


def course_documents(paths: list[str]) -> int:
    return sum(path.endswith(COURSE_DOCUMENT) for path in paths)


async def cached_account(api: httpx.AsyncClient, name: str) -> int:
    """Read the account's own documents into the cache; the number of its courses."""
    account = await api.get(user(name))
    assert account.status_code == 200
    return len({course["course_slug"] for course in account.json()["courses"]})


@dataclass
class Held:
    """A served app whose dashboard sits behind a door, and Marta's account cached."""

    api: httpx.AsyncClient
    sent: HeldTransport
    service: DashboardService
    total: int  # Marta's courses


@asynccontextmanager
async def held_dashboard(make_settings: SettingsFactory, clock: FakeClock) -> AsyncIterator[Held]:
    """The view's time short, two connections, and no request ending by a timeout."""
    settings = make_settings(page_view_wait=0.05, upstream_concurrency=2, upstream_timeout=60)
    sent = HeldTransport()
    app = create_app(settings, clock=clock, transport=sent)
    (service,) = app.state.parts.services
    async with serving(app) as api:
        yield Held(api, sent, service, await cached_account(api, w.MARTA))


async def until_late_count(service: DashboardService, count: int) -> None:
    async def wait() -> None:
        # A counter of this event loop, read between its turns: no clock involved.
        while service.lookups_running_late < count:  # noqa: ASYNC110
            await asyncio.sleep(0)

    await asyncio.wait_for(wait(), PATIENCE)


async def test_courses_without_a_turn_are_left_for_the_next_view_and_fetched_meanwhile(
    make_settings, clock
):
    async with held_dashboard(make_settings, clock) as held:
        api, sent, service, total = held.api, held.sent, held.service, held.total
        assert total >= 2
        sent.shut()
        # Two other readers' documents hold both connections at the shut door.
        others = [asyncio.create_task(api.get(user(name))) for name in (w.NGOZI, w.KAI)]
        await asyncio.wait_for(sent.until_held(2), PATIENCE)

        first = await asyncio.wait_for(api.get(user(w.MARTA, "/status")), PATIENCE)
        assert first.status_code == 200
        assert first.json()["total_courses"] == total
        assert first.json()["unreadable_courses"] == total  # none had its turn
        assert first.json()["active_course_count"] == 0  # unknown, so not counted
        assert service.lookups_running_late == total

        sent.open()  # the late lookups go on: each course document goes out once
        await asyncio.wait_for(sent.until_sent_matching(COURSE_DOCUMENT, total), PATIENCE)
        await asyncio.wait_for(asyncio.gather(*others), PATIENCE)
        clock.advance(6)  # past the 5 s after which an answer missing courses is rebuilt
        second = await asyncio.wait_for(api.get(user(w.MARTA, "/status")), PATIENCE)
    assert second.status_code == 200
    assert second.json()["unreadable_courses"] == 0
    assert second.json()["active_course_count"] >= 1
    assert course_documents(sent.paths) == total  # none asked for twice


async def test_a_document_already_sent_is_waited_for_past_the_views_time(make_settings, clock):
    async with held_dashboard(make_settings, clock) as held:
        api, sent, service, total = held.api, held.sent, held.service, held.total
        sent.shut()
        other = asyncio.create_task(api.get(user(w.NGOZI)))  # holds one connection
        await asyncio.wait_for(sent.until_held(1), PATIENCE)
        view = asyncio.create_task(api.get(user(w.MARTA, "/status")))
        # One course has the other connection and waits at the door; the rest, no turn.
        await asyncio.wait_for(sent.until_held(2), PATIENCE)
        await until_late_count(service, 1)  # the view's time is up...
        assert not view.done()  # ...and it still waits for the course sent
        sent.open()
        status = await asyncio.wait_for(view, PATIENCE)
        await asyncio.wait_for(other, PATIENCE)
    assert status.status_code == 200
    # The course sent was waited for; the others had no turn (one may have come since).
    assert status.json()["unreadable_courses"] < total


async def test_a_view_joining_a_document_already_sent_waits_for_it_too(make_settings, clock):
    async with held_dashboard(make_settings, clock) as held:
        api, sent, service, total = held.api, held.sent, held.service, held.total
        sent.shut()
        other = asyncio.create_task(api.get(user(w.NGOZI)))  # holds one connection
        await asyncio.wait_for(sent.until_held(1), PATIENCE)
        first = asyncio.create_task(api.get(user(w.MARTA, "/status")))
        await asyncio.wait_for(sent.until_held(2), PATIENCE)  # one course sent, held
        await until_late_count(service, 1)
        # A second view of the same courses joins their loads, the one sent among them.
        second = asyncio.create_task(api.get(user(w.MARTA, "/active-staff")))
        await until_late_count(service, 2 * (total - 1))
        sent.open()
        joined = await asyncio.wait_for(second, PATIENCE)
        await asyncio.wait_for(asyncio.gather(first, other), PATIENCE)
    assert joined.status_code == 200
    # The course its load had sent was waited for: not every course is unread.
    assert len(joined.json()["unreadable_courses"]) < total


async def test_a_view_whose_courses_come_in_time_waits_for_them(make_settings, clock):
    settings = make_settings(page_view_wait=30)
    async with serving(create_app(settings, clock=clock)) as api:
        status = await api.get(user(w.MARTA, "/status"))
    assert status.status_code == 200
    assert status.json()["unreadable_courses"] == 0


async def test_late_lookups_end_quietly_when_the_service_stops(make_settings, clock, caplog):
    async with held_dashboard(make_settings, clock) as held:
        api, sent, service = held.api, held.sent, held.service
        sent.shut()
        others = [asyncio.create_task(api.get(user(name))) for name in (w.NGOZI, w.KAI)]
        await asyncio.wait_for(sent.until_held(2), PATIENCE)
        status = await asyncio.wait_for(api.get(user(w.MARTA, "/status")), PATIENCE)
        assert status.status_code == 200
        assert service.lookups_running_late > 0
        caplog.clear()
        for task in others:
            task.cancel()
    # The service stopped with the door still shut: its late lookups were ended first.
    assert service.lookups_running_late == 0
    assert not [r for r in caplog.records if r.levelname in {"ERROR", "CRITICAL"}]
