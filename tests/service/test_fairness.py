"""Fan-out work never starves a reader's page view, over real HTTP against the stand-in.

Documented behaviour (docs/security.md, "The dashboard's load has a ceiling"): bulk work
stops at the interactive share of the burst; a page view's answer fetches at
most ``OUTREACH_UPSTREAM_COLD_FETCHES`` documents and leaves the rest of its
courses for the next view, marking them unreadable and asking to be rebuilt
within 5 s; a spent budget with nothing to fall back on is a 503 with
``Retry-After``. The budget's clock is injected and never moves here, so no
token is refilled during a test.
"""

from __future__ import annotations

import asyncio
from urllib.parse import quote

from outreach_helper.app import create_app
from outreach_standin import world as w
from tests.support.clocks import FakeClock
from tests.support.service import serving


def user(name: str, suffix: str = "") -> str:
    return "/api/users/" + quote(name) + suffix


async def test_a_page_view_fetches_its_share_and_leaves_the_rest_for_the_next(
    make_settings, clock, upstream, standin_server
):
    courses = {e.course_slug for e in standin_server.world.visible_enrollments_of(w.STAFF)}
    async with serving(create_app(make_settings(upstream_cold_fetches=12), clock=clock)) as api:
        response = await api.get(user(w.STAFF, "/status"))
    body = response.json()
    max_age = int(response.headers["cache-control"].split("max-age=")[1].split(",")[0])
    # 12 documents: the profile, the enrollments and 10 of the courses.
    assert upstream.total == 12
    assert body["unreadable_courses"] == len(courses) - 10
    assert max_age <= 5, f"max-age={max_age}: a partial answer kept longer than 5 s"


async def test_the_next_page_view_fetches_the_next_share(make_settings, clock, upstream):
    async with serving(create_app(make_settings(upstream_cold_fetches=12), clock=clock)) as api:
        first = (await api.get(user(w.STAFF, "/status"))).json()
        clock.advance(6)  # past the 5 s the partial answer may be reused
        second = (await api.get(user(w.STAFF, "/status"))).json()
    assert (upstream.total, first["unreadable_courses"] - second["unreadable_courses"]) == (24, 12)


async def test_a_flood_of_bulk_work_leaves_the_reserve_to_a_page_view(
    make_settings, clock, upstream
):
    settings = make_settings(
        upstream_rate=0.001, upstream_burst=10, upstream_wait_bulk=0, upstream_concurrency=64
    )
    app = create_app(settings, clock=clock, monotonic=FakeClock(0))
    async with serving(app) as api:
        flood = "|".join(f"Invented Name {i}" for i in range(30))
        batch = (await api.get("/api/users", params={"usernames": flood})).json()["users"]
        view = await api.get(user(w.HASHTAG, "/status"))
    refused = sum(1 for entry in batch if "error" in entry)
    # The batch gets the burst less the reserve (10 x 0.5); the view, the reserve.
    assert (refused, view.status_code, view.json()["active_course_count"]) == (25, 200, 1)


async def test_a_spent_budget_with_nothing_to_stand_in_is_a_503_with_retry_after(
    make_settings, clock, upstream
):
    settings = make_settings(upstream_rate=0.001, upstream_burst=2, upstream_wait_interactive=0)
    app = create_app(settings, clock=clock, monotonic=FakeClock(0))
    async with serving(app) as api:
        await api.get(user(w.HASHTAG, "/status"))  # takes both tokens
        response = await api.get(user(w.MARTA, "/status"))
    assert response.status_code == 503
    assert int(response.headers["retry-after"]) >= 1
    assert upstream.total == 2


async def test_a_bulk_answer_over_the_limit_is_refused_at_once(make_settings, clock, upstream):
    upstream.latency(200)  # the first batch is still being built when the second arrives
    app = create_app(make_settings(bulk_answers=1), clock=clock)
    async with serving(app) as api:
        first, second = await asyncio.gather(
            api.get("/api/users", params={"usernames": "Somebody One"}),
            api.get("/api/users", params={"usernames": "Somebody Two"}),
        )
    statuses = sorted([first.status_code, second.status_code])
    refused = first if first.status_code == 503 else second
    assert (statuses, refused.headers["retry-after"], upstream.total) == ([200, 503], "1", 1)
