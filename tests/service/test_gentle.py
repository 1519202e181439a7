"""Gentle on the dashboard, over real HTTP against the stand-in (docs/politeness.md):

- a redirect is trouble, not an answer: only the profile route's 302 to the
  dashboard's own root means "no account"; during a redirect incident no known
  user, cold or stale, gets a 404 or an answer without courses, and afterwards
  every one is found (at the latest after the breaker's longest pause, 5 s);
- no request ever carries the session cookie the dashboard sets;
- a timeout is never retried; a refused connection or the web server's
  502/503 is retried once, after 0.5 s +-50% or the 503's Retry-After;
- at most OUTREACH_UPSTREAM_CONCURRENCY (2) requests in flight at the
  dashboard across two instances sharing Redis.
"""

from __future__ import annotations

import asyncio
from urllib.parse import quote

import pytest

from outreach_helper import errors
from outreach_helper.app import create_app
from outreach_helper.names import CourseSlug
from outreach_helper.upstream.client import DashboardClient
from outreach_helper.upstream.documents import COURSE, PROFILE, USER
from outreach_standin import world as w
from tests.support.clocks import FakeClock, RecordingSleep
from tests.support.service import serving

# docs/caching.md: the user document is fresh for an hour and stale until a day.
HOUR, DAY = 3600, 86400
LONGEST_BREAKER_PAUSE = 5.0
KNOWN = [w.MARTA, w.NGOZI, w.ZOE, w.KAI, w.OLD_TIMER, w.BUSY, w.TWO_HATS, w.HASHTAG, w.SLUGGER]


def status_of(name: str) -> str:
    return f"/api/users/{quote(name.replace(' ', '_'), safe='')}/status"


def user_of(name: str) -> str:
    return f"/api/users/{quote(name.replace(' ', '_'), safe='')}"


@pytest.fixture
def sleeps() -> RecordingSleep:
    """The client's sleep and monotonic clock: records each delay, waits for none."""
    return RecordingSleep()


@pytest.fixture
async def client(make_settings, sleeps):
    dashboard = DashboardClient(
        make_settings(upstream_retries=1), sleep=sleeps, monotonic=sleeps.monotonic
    )
    yield dashboard
    await dashboard.aclose()


# ---- redirects --------------------------------------------------------------------


async def test_an_unknown_user_is_still_not_found(client):
    with pytest.raises(errors.UserNotFound):
        await client.fetch(PROFILE, "Nobody Ever Registered This")


@pytest.mark.parametrize(
    "plan",
    [
        {},  # a force_ssl loop: 301 to https and the same path
        {"redirect_status": 302, "redirect_base": "https://outreachdashboard.wmcloud.org"},
        {"redirect_status": 302},
    ],
)
async def test_a_redirect_of_the_profile_route_is_a_failure_not_no_account(client, upstream, plan):
    upstream.fault("redirect", **plan)
    with pytest.raises(errors.Redirected):
        await client.fetch(PROFILE, w.MARTA)


async def test_a_redirect_is_never_followed(client, upstream):
    upstream.fault("redirect", redirect_base=upstream.url)  # even to the dashboard itself
    with pytest.raises(errors.Redirected):
        await client.fetch(USER, w.MARTA)
    assert upstream.counters()["user_stats"] == 1


async def test_redirects_open_the_breaker_like_any_outage(client, upstream):
    upstream.fault("redirect")
    for _ in range(10):
        with pytest.raises(errors.UpstreamUnavailable):
            await client.fetch(USER, w.MARTA)
    # docs/politeness.md: 5 failed requests open the breaker; a redirect is not retried.
    assert upstream.total == 5


async def test_during_a_redirect_incident_no_known_user_is_missing_or_without_courses(
    make_settings, upstream, sleeps
):
    clock = FakeClock()
    app = create_app(make_settings(), clock=clock, monotonic=sleeps.monotonic)
    async with serving(app) as api:
        stale, expired, cold = KNOWN[:3], KNOWN[3:6], KNOWN[6:]
        for name in stale + expired:
            assert (await api.get(user_of(name))).status_code == 200
        clock.advance(HOUR + 1)  # stale: served, refreshed in the background
        upstream.fault("redirect")
        answers = {name: await api.get(user_of(name)) for name in stale}
        clock.advance(DAY)  # now past stale: each waits for the dashboard, then stands in
        answers |= {name: await api.get(user_of(name)) for name in expired + cold}
        during = {
            name: (r.status_code, len(r.json().get("courses", [])) > 0)
            for name, r in answers.items()
            if r.status_code != 503
        }
        cold_statuses = {answers[name].status_code for name in cold}
        upstream.heal()
        sleeps.elapsed += LONGEST_BREAKER_PAUSE
        after = {name: (await api.get(status_of(name))).json() for name in KNOWN}
    assert set(during.values()) == {(200, True)}
    assert cold_statuses == {503}
    assert all(body["has_any_courses"] for body in after.values())


async def test_after_a_redirect_incident_nothing_wrong_was_remembered(make_settings, upstream):
    app = create_app(make_settings())
    async with serving(app) as api:
        upstream.fault("redirect", redirect_status=302)
        await api.get(status_of(w.MARTA))
        upstream.heal()
        counted = upstream.counters()["user_profile"]
        # Not held back: the incident left no "no account" entry and did not open the breaker.
        body = (await api.get(status_of(w.MARTA))).json()
    assert (body["has_any_courses"], upstream.counters()["user_profile"]) == (True, counted + 1)


# ---- cookies ------------------------------------------------------------------------


async def test_no_request_carries_the_dashboards_session_cookie(client, upstream):
    for n in range(3):
        with pytest.raises(errors.UserNotFound):
            await client.fetch(PROFILE, f"Nobody Ever Registered {n}")  # each sets a cookie
    upstream.fault("redirect", times=2)  # so does a redirect incident
    for _ in range(2):
        with pytest.raises(errors.Redirected):
            await client.fetch(PROFILE, w.MARTA)
    await client.fetch(PROFILE, w.MARTA)
    await client.fetch(USER, w.MARTA)
    assert upstream.traffic()["with_cookie"] == 0


# ---- retries ------------------------------------------------------------------------


async def test_a_timed_out_document_is_asked_once(make_settings, upstream):
    dashboard = DashboardClient(make_settings(upstream_retries=1, upstream_timeout=0.3))
    upstream.fault("slow", slow_seconds=1)
    with pytest.raises(errors.UpstreamTimeout):
        await dashboard.fetch(COURSE, CourseSlug.from_slug(w.COURSE_ACTIVE))
    await dashboard.aclose()
    assert upstream.counters()["course"] == 1


@pytest.mark.parametrize("status", [502, 503])
async def test_the_web_servers_502_or_503_is_retried_once(client, upstream, sleeps, status):
    upstream.fault("gateway", status=status, retry_after=0, times=1)
    await client.fetch(USER, w.MARTA)
    # docs/politeness.md: one retry, after 0.5 s with +-50% jitter.
    assert upstream.total == 2
    assert len(sleeps.delays) == 1
    assert 0.25 <= sleeps.delays[0] <= 0.75, f"delay {sleeps.delays[0]} s: not 0.5 s +-50%"


async def test_a_503s_retry_after_is_honoured(client, upstream, sleeps):
    upstream.fault("gateway", status=503, retry_after=2, times=1)
    await client.fetch(USER, w.MARTA)
    assert upstream.total == 2
    assert sleeps.delays[0] >= 2, f"waited {sleeps.delays[0]} s, not the 2 s Retry-After"


async def test_a_long_retry_after_on_a_503_fails_fast_and_holds_back(client, upstream):
    upstream.fault("gateway", status=503, retry_after=30)
    for _ in range(3):
        with pytest.raises(errors.UpstreamUnavailable):
            await client.fetch(USER, w.MARTA)
    assert upstream.total == 1


async def test_a_504_is_never_retried(client, upstream):
    upstream.fault("gateway", status=504)
    with pytest.raises(errors.UpstreamUnavailable):
        await client.fetch(USER, w.MARTA)
    assert upstream.total == 1


async def test_a_gateway_failing_twice_is_asked_twice_only(client, upstream):
    upstream.fault("gateway", status=502)
    with pytest.raises(errors.NotReached):
        await client.fetch(USER, w.MARTA)
    assert upstream.total == 2


# ---- the global bound ---------------------------------------------------------------

# Enough service time that requests overlap whenever they are allowed to.
SERVICE_MS = {"user_profile": 40, "user_stats": 80, "course": 40, "users": 40}


async def test_two_instances_sharing_redis_hold_at_most_two_of_the_dashboards_workers(
    make_settings, upstream, standin_server, redis_server
):
    upstream.capacity(4, service_ms=SERVICE_MS)
    upstream.quiet()
    settings = make_settings(redis_url=redis_server.url, upstream_concurrency=2)
    names = list(standin_server.world.usernames_with_courses[:24])
    async with (
        serving(create_app(settings)) as first,
        serving(create_app(settings)) as second,
    ):
        apis = [first, second]
        answers = await asyncio.gather(
            *(apis[n % 2].get(status_of(name)) for n, name in enumerate(names))
        )
    ours = upstream.ours()
    assert ({a.status_code for a in answers}, ours["max_in_flight"]) == ({200}, 2)


async def test_one_instance_without_redis_holds_at_most_its_own_bound(
    make_settings, upstream, standin_server
):
    upstream.capacity(4, service_ms=SERVICE_MS)
    upstream.quiet()
    names = list(standin_server.world.usernames_with_courses[:16])
    async with serving(create_app(make_settings(upstream_concurrency=2))) as api:
        await asyncio.gather(*(api.get(status_of(name)) for name in names))
    assert upstream.ours()["max_in_flight"] == 2


async def test_a_timed_out_request_keeps_its_slot_while_the_dashboard_may_still_work_on_it(
    make_settings, upstream
):
    # docs/politeness.md: after a timeout the slot stays taken as long again (the timeout).
    dashboard = DashboardClient(
        make_settings(upstream_concurrency=1, upstream_retries=1, upstream_timeout=0.5)
    )
    upstream.quiet()
    # Busy until 0.6 s, we give up at 0.5 s. Without the lingering slot the next request
    # would go at 0.5 s, while the first is still served; a slow machine only widens that.
    upstream.fault("slow", slow_seconds=0.6, times=1)
    with pytest.raises(errors.UpstreamTimeout):
        await dashboard.fetch(USER, w.MARTA)
    await dashboard.fetch(USER, w.ZOE)  # not before 1.0 s: the stand-in has 0.4 s to spare
    await dashboard.aclose()
    assert upstream.ours()["max_in_flight"] == 1


async def test_an_answer_dripping_a_few_bytes_at_a_time_ends_at_the_timeout(
    make_settings, upstream
):
    # docs/politeness.md: each attempt is whole within OUTREACH_UPSTREAM_TIMEOUT, however
    # its bytes come.
    dashboard = DashboardClient(make_settings(upstream_retries=1, upstream_timeout=0.5))
    upstream.fault("drip", slow_seconds=0.2)  # every read is quick; the whole takes seconds
    with pytest.raises(errors.UpstreamTimeout):
        await dashboard.fetch(USER, w.MARTA)
    await dashboard.aclose()
    assert upstream.counters()["user_stats"] == 1
