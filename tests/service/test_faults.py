"""Fault injection: every stand-in fault against every state of the cached entry.

The matrix, on ``GET /api/users/{name}`` (user TTLs: fresh 3600 s, stale until
86400 s, stand-in while failing until 604800 s; client timeout 0.3 s, no retries):

    entry    | any fault mode
    ---------+-----------------------------------------------------------------
    fresh    | 200, ``hit``, the dashboard is not asked at all
    stale    | 200 at once, ``hit; ttl=-N``; the one background refresh fails
             | and leaves the stored entry as it was
    expired  | 200 with the old body, ``fwd=stale...; detail=stale-if-error``,
             | the stored entry left as it was
    absent   | the mode's problem (502 error500/html200/cut/wrongshape, 503 drop/
             | rate_limited, 504 slow), ``no-store``, nothing stored

Then the faults that need more than one request to show: a timeout's timing,
429 ``Retry-After`` windows, Redis dying and coming back mid-stream, and
answers cut off mid-body on the course documents.

Time is the injected clocks' (``clock`` for the cache, ``monotonic`` for the
client's pauses), moved by hand; what is asserted about "at once" or "before"
is an order of events, never a stopwatch reading. The one real duration is the
client's socket timeout, which only real time can run out.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx
import orjson
import pytest
from fastapi import FastAPI

from outreach_helper.app import Parts, create_app
from outreach_helper.upstream.client import DashboardClient
from outreach_helper.upstream.documents import USER
from outreach_standin import build_world
from outreach_standin import world as w
from tests.support.clocks import FakeClock, RecordingSleep
from tests.support.servers import RedisServer
from tests.support.service import HeldTransport, serving

# The client's timeout is a socket's, real time: kept short, but long enough that a
# loaded CI machine never makes a healthy answer time out.
TIMEOUT = 1.0
# A bound on a test that waits for an event, not a measure: it fails instead of hanging.
PATIENCE = 30.0
FRESH, STALE = 3600, 86400
MODES = ["drop", "error500", "html200", "cut", "wrongshape", "slow", "rate_limited"]
PROBLEM_STATUS = {
    "drop": 503,
    "error500": 502,
    "rate_limited": 503,
    "html200": 502,
    "cut": 502,
    "wrongshape": 502,
    "slow": 504,
}
# What Cache-Status reports as the dashboard's status for a stale-if-error answer.
FWD_STATUS = {"error500": "; fwd-status=500", "rate_limited": "; fwd-status=429"}
# A long Retry-After (never waited out inline) and a "slow" well past the timeout.
FAULT_OPTIONS: dict[str, Any] = {"retry_after": 60, "slow_seconds": 3.0}
MARTA = "/api/users/" + quote(w.MARTA)
# Where the entries lie, after the key prefix (docs/caching.md: {dashboard}:{kind}:{id},
# a user by canonical name, a course by its slug folded to no case and no accents).
MARTA_KEY = "outreach:user:Marta Quill"
COURSE_KEY = "outreach:course:riverside_library_network/wikidata_days_(november)_2026"
ROSTER_KEY = "outreach:course_users:riverside_library_network/wikidata_days_(november)_2026"
# A user answer rests on two documents (docs/api.md, "Identity"): the profile that
# confirms the account and its enrollments; both go stale and expire together.


def user_path(name: str) -> str:
    return "/api/users/" + quote(name, safe="")


def course_path(slug: str) -> str:
    return "/api/courses/" + "/".join(quote(part, safe="") for part in slug.split("/"))


@dataclass
class Service:
    http: httpx.AsyncClient
    parts: Parts

    async def stored(self, key: str) -> bytes | None:
        """The stored entry at ``key`` (after the settings' key prefix), if any."""
        return await self.parts.store.get(f"{self.parts.settings.key_prefix}:{key}")

    async def fetched_at(self) -> float | None:
        raw = await self.stored(MARTA_KEY)
        return None if raw is None else float(orjson.loads(raw)["fetched_at"])


@asynccontextmanager
async def served(app: FastAPI) -> AsyncIterator[Service]:
    async with serving(app) as http:
        yield Service(http, app.state.parts)


@pytest.fixture
def monotonic() -> FakeClock:
    """The client's clock for its pauses (Retry-After, the breaker's cooldown)."""
    return FakeClock(1000.0)


@pytest.fixture
async def service(make_settings, clock, monotonic) -> AsyncIterator[Service]:
    app = create_app(make_settings(upstream_timeout=TIMEOUT), clock=clock, monotonic=monotonic)
    async with served(app) as service:
        yield service


# ---- the matrix: fault mode x entry state ----------------------------------------------


async def answered_then_again(service, upstream, clock, later: float, mode: str):
    """Answer MARTA, let ``later`` seconds pass, break the dashboard, ask again.

    Returns the first answer, the stored entry's fetched_at, the upstream count
    before the second request, and the second answer.
    """
    first = await service.http.get(MARTA)
    stored = await service.fetched_at()
    clock.advance(later)
    asked = upstream.total
    upstream.fault(mode, **FAULT_OPTIONS)
    return first, stored, asked, await service.http.get(MARTA)


@pytest.mark.parametrize("mode", MODES)
async def test_fresh_entry_is_a_hit_and_the_dashboard_is_not_asked(service, upstream, clock, mode):
    first, stored, asked, response = await answered_then_again(
        service, upstream, clock, FRESH - 60, mode
    )
    assert (
        response.status_code,
        response.headers["content-type"],
        response.headers["cache-status"],
        upstream.total - asked,
    ) == (200, "application/json", "OutreachHelper; hit; ttl=60", 0)
    assert response.content == first.content, "not the stored answer"
    assert await service.fetched_at() == stored, "the stored entry changed"


@pytest.mark.parametrize("mode", MODES)
async def test_stale_entry_is_served_at_once_and_a_failed_refresh_writes_nothing(
    make_settings, clock, monotonic, upstream, mode
):
    door = HeldTransport()
    settings = make_settings(upstream_timeout=TIMEOUT)
    app = create_app(settings, clock=clock, monotonic=monotonic, transport=door)
    async with served(app) as service:
        first = await service.http.get(MARTA)
        stored = await service.fetched_at()
        clock.advance(FRESH + 60)
        asked = upstream.total
        upstream.fault(mode, **FAULT_OPTIONS)
        # "At once": answered while the refresh cannot reach the dashboard at all.
        door.shut()
        response = await asyncio.wait_for(service.http.get(MARTA), PATIENCE)
        asked_before_the_answer = upstream.total - asked
        door.open()
        await service.parts.drain()
        assert (
            response.status_code,
            response.headers["content-type"],
            response.headers["cache-status"],
            asked_before_the_answer,
            upstream.total - asked,
        ) == (200, "application/json", "OutreachHelper; hit; ttl=-60", 0, 2)
        assert response.content == first.content, "not the stored answer"
        assert await service.fetched_at() == stored, "the failed refresh changed the entry"


@pytest.mark.parametrize("mode", MODES)
async def test_expired_entry_stands_in_and_stays_as_it_was(service, upstream, clock, mode):
    first, stored, asked, response = await answered_then_again(
        service, upstream, clock, STALE + 60, mode
    )
    assert (
        response.status_code,
        response.headers["content-type"],
        response.headers["cache-status"],
        response.headers["cache-control"],
        upstream.total - asked,
    ) == (
        200,
        "application/json",
        f"OutreachHelper; fwd=stale{FWD_STATUS.get(mode, '')}; ttl={FRESH - STALE - 60}; "
        "detail=stale-if-error",
        "public, max-age=0, stale-while-revalidate=0",
        # The profile and the enrollments, each asked once and each standing in;
        # after a 429 the second is not even asked (its Retry-After holds).
        1 if mode == "rate_limited" else 2,
    )
    assert response.content == first.content, "not the stored answer"
    assert await service.fetched_at() == stored, "the failed fetch changed the entry"


@pytest.mark.parametrize("mode", MODES)
async def test_absent_entry_is_the_modes_problem_and_nothing_is_stored(service, upstream, mode):
    upstream.fault(mode, **FAULT_OPTIONS)
    response = await service.http.get(MARTA)
    assert (
        response.status_code,
        response.headers["content-type"],
        response.headers["cache-control"],
        response.json()["status"],
        upstream.total,
        await service.stored(MARTA_KEY),
    ) == (
        PROBLEM_STATUS[mode],
        "application/problem+json",
        "no-store",
        PROBLEM_STATUS[mode],
        1,
        None,
    )


# ---- timeouts ---------------------------------------------------------------------------


async def test_upstream_slower_than_the_timeout_is_a_504_before_it_answers(service, upstream):
    # The timeout is a socket's, real time: TIMEOUT is short and the stand-in's 3 s
    # far longer, so the 504 comes while the stand-in is still at work on the request.
    upstream.quiet()  # no slow request of an earlier test still counted in flight
    upstream.fault("slow", slow_seconds=3)
    response = await service.http.get(MARTA)
    assert (
        response.status_code,
        response.json()["type"].rsplit(":", 1)[1],
        upstream.ours()["in_flight"],
        upstream.counters()["user_profile"],
    ) == (504, "upstream-timeout", 1, 1)


# ---- 429 and Retry-After ------------------------------------------------------------------


async def test_inside_a_long_retry_after_other_users_cost_the_dashboard_nothing(
    service, upstream, monotonic
):
    # One 429, then the stand-in heals: any request that still reached it would succeed.
    upstream.fault("rate_limited", retry_after=30, times=1)
    first = await service.http.get(MARTA)
    others = [name for name in w.NAMED_USERS if name != w.MARTA][:5]
    responses = [await service.http.get(user_path(name)) for name in others]
    inside = upstream.total
    monotonic.advance(30)  # the window ends
    after = await service.http.get(user_path(others[0]))
    assert (
        first.status_code,
        {r.status_code for r in responses},
        {r.headers["content-type"] for r in responses},
        inside,
        after.status_code,
    ) == (503, {503}, {"application/problem+json"}, 1, 200)


class PauseNotingTheDashboard(RecordingSleep):
    """A pause on the client's own clock that notes what the dashboard had been asked
    when it began: whatever reaches the dashboard after that came after the pause."""

    def __init__(self, upstream) -> None:
        super().__init__()
        self.upstream = upstream
        self.asked_at_pause: list[int] = []

    async def __call__(self, seconds: float) -> None:
        self.asked_at_pause.append(self.upstream.total)
        await super().__call__(seconds)


async def test_a_short_retry_after_is_waited_out_before_the_retry(make_settings, upstream):
    # The client, as the app builds it but with its pause on an injected clock
    # (create_app takes none: its pauses would be real time).
    pause = PauseNotingTheDashboard(upstream)
    client = DashboardClient(
        make_settings(upstream_timeout=2.0, upstream_retries=1),
        sleep=pause,
        monotonic=pause.monotonic,
    )
    upstream.fault("rate_limited", retry_after=1, times=1)
    try:
        record = await client.fetch(USER, w.MARTA)
    finally:
        await client.aclose()
    # The whole Retry-After (1 s), not the jittered 0.5 s, then the one retry.
    assert (pause.delays, pause.asked_at_pause, upstream.total) == ([1.0], [1], 2)
    assert record.enrollments, "the retried answer has Marta's enrollments"


# ---- Redis dies and comes back mid-run -------------------------------------------------------


@pytest.mark.usefixtures("redis_binary")
async def test_redis_killed_and_restarted_mid_stream(make_settings, clock, upstream, prefix):
    import redis.asyncio as aioredis

    names = list(build_world().usernames_with_courses)
    later = names[-3:]  # asked only once Redis is back
    stream_names = itertools.cycle(names[:-3])
    phase = "up"
    answered: dict[str, list[int]] = {"up": [], "down": [], "back": []}
    stop = asyncio.Event()
    progressed = asyncio.Event()

    async def stream(http: httpx.AsyncClient) -> None:
        # A new user each time (a fetch and a store write), then an old one (a hit).
        seen: list[str] = []
        while not stop.is_set():
            name = next(stream_names)
            for path in (user_path(name), user_path(seen[len(seen) // 2] if seen else name)):
                answered[phase].append((await http.get(path)).status_code)
                progressed.set()
            seen.append(name)

    async def answers_in(now: str, count: int = 4) -> None:
        """Wait until the stream has had ``count`` answers in phase ``now``."""
        while len(answered[now]) < count:
            progressed.clear()
            await asyncio.wait_for(progressed.wait(), PATIENCE)

    async def health(http: httpx.AsyncClient) -> str:
        status: str = (await http.get("/health")).json()["status"]
        return status

    with RedisServer() as redis:
        app = create_app(make_settings(redis_url=redis.url), clock=clock)
        async with serving(app) as http:
            runner = asyncio.create_task(stream(http))
            await answers_in("up")
            before = await health(http)
            phase = "down"
            await asyncio.to_thread(redis.stop)
            await answers_in("down")
            during = await health(http)
            await asyncio.to_thread(redis.start)
            after = await health(http)
            phase = "back"
            await answers_in("back")
            stop.set()
            await runner
            late = [(await http.get(user_path(name))).status_code for name in later]
        raw = aioredis.Redis.from_url(redis.url)
        landed = [await raw.get(f"{prefix}:outreach:user:{name}") is not None for name in later]
        await raw.aclose()
    assert (
        {phase: set(statuses) for phase, statuses in answered.items()},
        (before, during, after),
        late,
        landed,
    ) == (
        {"up": {200}, "down": {200}, "back": {200}},
        ("healthy", "degraded", "healthy"),
        [200, 200, 200],
        [True, True, True],
    )


# ---- answers cut off mid-body --------------------------------------------------------------

CUT_OFF = [
    pytest.param("cut", 502, id="cut-truncated-json"),
    pytest.param("drop", 503, id="drop-connection-closed-mid-body"),
]
DOCUMENTS = [
    pytest.param(course_path(w.COURSE_ACTIVE), COURSE_KEY, id="course"),
    pytest.param(course_path(w.COURSE_ACTIVE) + "/users", ROSTER_KEY, id="roster"),
]


@pytest.mark.parametrize(("mode", "status"), CUT_OFF)
@pytest.mark.parametrize(("path", "key"), DOCUMENTS)
async def test_an_answer_cut_mid_body_is_never_cached(service, upstream, mode, status, path, key):
    upstream.fault(mode)
    response = await service.http.get(path)
    stored = await service.stored(key)
    upstream.heal()
    healed = await service.http.get(path)
    assert (
        response.status_code,
        response.headers["content-type"],
        response.headers["cache-control"],
        stored,
        healed.headers["cache-status"],
    ) == (status, "application/problem+json", "no-store", None, "OutreachHelper; fwd=miss; stored")
    assert await service.stored(key) is not None, f"the whole answer is not stored at {key}"
