"""Caching end to end: the app, the stand-in's counters, a real Redis, a moved clock."""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack
from urllib.parse import quote

import httpx
import orjson
import pytest

from outreach_helper.app import create_app
from outreach_standin import world as w
from tests.support.servers import RedisServer
from tests.support.service import serving

MARTA = "/api/users/" + quote(w.MARTA)
COURSE = "/api/courses/" + "/".join(quote(p, safe="") for p in w.COURSE_ACTIVE.split("/"))
ROSTER = COURSE + "/users"
UNKNOWN = "/api/users/Nobody_Ever_Registered_This"
# Marta's enrollments, after the key prefix (docs/caching.md: {dashboard}:user:{name}).
MARTA_KEY = "outreach:user:Marta Quill"


def parts_of(client):
    return client._transport.app.state.parts


async def burst(client, path: str, n: int):
    return await asyncio.gather(*(client.get(path) for _ in range(n)))


# ---- single-flight -------------------------------------------------------------


async def test_hundred_cold_requests_cost_one_upstream_request_embedded(api, upstream):
    upstream.latency(300)
    responses = await burst(api, MARTA, 100)
    statuses = [r.headers["cache-status"] for r in responses]
    assert (
        {r.status_code for r in responses},
        upstream.counters()["user_stats"],
        sum("collapsed" in s for s in statuses),
    ) == ({200}, 1, 99)


async def test_hundred_cold_requests_cost_one_upstream_request_with_redis(
    make_settings, clock, upstream, redis_server
):
    upstream.latency(300)
    app = create_app(make_settings(redis_url=redis_server.url), clock=clock)
    async with serving(app) as client:
        responses = await burst(client, MARTA, 100)
    assert ({r.status_code for r in responses}, upstream.counters()["user_stats"]) == ({200}, 1)


async def test_two_instances_sharing_redis_cost_one_upstream_request(
    make_settings, clock, upstream, redis_server
):
    upstream.latency(300)
    settings = make_settings(redis_url=redis_server.url)
    async with AsyncExitStack() as stack:
        first = await stack.enter_async_context(serving(create_app(settings, clock=clock)))
        second = await stack.enter_async_context(serving(create_app(settings, clock=clock)))
        responses = await asyncio.gather(*(client.get(MARTA) for client in [first, second] * 50))
    counters = upstream.counters()
    # One request per document the answer rests on (the profile, the enrollments),
    # whichever instance happened to fetch it.
    assert (
        {r.status_code for r in responses},
        counters["user_profile"],
        counters["user_stats"],
    ) == ({200}, 1, 1)


async def test_unknown_user_twenty_times_costs_one_upstream_request(api, upstream):
    responses = [await api.get(UNKNOWN) for _ in range(20)]
    assert ({r.status_code for r in responses}, upstream.total) == ({404}, 1)


async def test_unknown_user_is_asked_again_after_the_negative_ttl(api, upstream, clock):
    await api.get(UNKNOWN)
    clock.advance(600)
    await api.get(UNKNOWN)
    assert upstream.counters()["user_profile"] == 2


# ---- freshness -------------------------------------------------------------------

KINDS = [
    (MARTA, "user_stats", 3600, 86400),
    (COURSE, "course", 86400, 604800),
    (ROSTER, "users", 10800, 172800),
]


async def asked_again(api, clock, path: str, later: float) -> httpx.Response:
    """Ask for ``path``, let ``later`` seconds pass, and ask again."""
    await api.get(path)
    clock.advance(later)
    response: httpx.Response = await api.get(path)
    return response


@pytest.mark.parametrize(("path", "endpoint", "fresh", "stale"), KINDS)
async def test_fresh_answers_are_hits_that_cost_nothing(
    api, upstream, clock, path, endpoint, fresh, stale
):
    response = await asked_again(api, clock, path, fresh - 5)
    assert (response.headers["cache-status"].split("; ")[1], upstream.counters()[endpoint]) == (
        "hit",
        1,
    )


@pytest.mark.parametrize(("path", "endpoint", "fresh", "stale"), KINDS)
async def test_stale_answers_are_served_then_refreshed_once(
    api, upstream, clock, path, endpoint, fresh, stale
):
    response = await asked_again(api, clock, path, fresh + 5)
    await parts_of(api).drain()
    after = await api.get(path)
    assert (
        response.headers["cache-status"],
        upstream.counters()[endpoint],
        after.headers["cache-status"].split("; ")[1],
    ) == ("OutreachHelper; hit; ttl=-5", 2, "hit")


@pytest.mark.parametrize(("path", "endpoint", "fresh", "stale"), KINDS)
async def test_expired_answers_are_fetched_before_answering(
    api, upstream, clock, path, endpoint, fresh, stale
):
    response = await asked_again(api, clock, path, stale + 5)
    assert (response.headers["cache-status"], upstream.counters()[endpoint]) == (
        "OutreachHelper; fwd=miss; stored",
        2,
    )


async def test_fifty_concurrent_stale_requests_start_one_refresh(api, upstream, clock):
    await api.get(MARTA)
    clock.advance(3600 + 1)
    upstream.latency(200)
    responses = await burst(api, MARTA, 50)
    await parts_of(api).drain()
    assert (
        {r.headers["cache-status"] for r in responses},
        upstream.counters()["user_stats"],
    ) == ({"OutreachHelper; hit; ttl=-1"}, 2)


# ---- stale-if-error ---------------------------------------------------------------

FAULTS = ["error500", "drop", "rate_limited", "html200", "cut", "wrongshape", "slow"]
STATUS = {"error500": 502, "html200": 502, "cut": 502, "wrongshape": 502, "slow": 504}


@pytest.fixture
async def impatient_api(make_settings, clock):
    async with serving(create_app(make_settings(upstream_timeout=0.3), clock=clock)) as client:
        yield client


async def stored_fetched_at(client, key: str) -> float:
    """When the entry at ``key`` (after the key prefix) was fetched."""
    parts = parts_of(client)
    raw = await parts.store.get(f"{parts.settings.key_prefix}:{key}")
    assert raw is not None
    return float(orjson.loads(raw)["fetched_at"])


@pytest.mark.parametrize("mode", FAULTS)
async def test_expired_entry_stands_in_for_each_fault(impatient_api, upstream, clock, mode):
    first = await impatient_api.get(MARTA)
    clock.advance(86400 + 60)
    upstream.fault(mode, retry_after=60, slow_seconds=1)
    response = await impatient_api.get(MARTA)
    assert (response.status_code, response.content, response.headers["cache-status"]) == (
        200,
        first.content,
        f"OutreachHelper; fwd=stale{fwd_status(mode)}; ttl=-82860; detail=stale-if-error",
    )


def fwd_status(mode: str) -> str:
    return {"error500": "; fwd-status=500", "rate_limited": "; fwd-status=429"}.get(mode, "")


@pytest.mark.parametrize("mode", FAULTS)
async def test_a_fault_never_overwrites_the_stored_entry(impatient_api, upstream, clock, mode):
    await impatient_api.get(MARTA)
    before = await stored_fetched_at(impatient_api, MARTA_KEY)
    clock.advance(86400 + 60)
    upstream.fault(mode, retry_after=60, slow_seconds=1)
    await impatient_api.get(MARTA)
    assert await stored_fetched_at(impatient_api, MARTA_KEY) == before


@pytest.mark.parametrize("mode", FAULTS)
async def test_without_an_entry_each_fault_is_its_problem_status(impatient_api, upstream, mode):
    upstream.fault(mode, retry_after=60, slow_seconds=1)
    response = await impatient_api.get(MARTA)
    assert (response.status_code, response.headers["cache-control"]) == (
        STATUS.get(mode, 503),
        "no-store",
    )


@pytest.mark.parametrize("mode", ["error500", "drop", "html200", "cut", "wrongshape", "slow"])
async def test_without_an_entry_a_fault_caches_nothing(impatient_api, upstream, clock, mode):
    upstream.fault(mode, slow_seconds=1)
    await impatient_api.get(MARTA)
    upstream.heal()
    # docs/politeness.md: a document's own 500 is not asked for again for a minute
    # (nothing is stored).
    clock.advance(61)
    response = await impatient_api.get(MARTA)
    assert (response.status_code, response.headers["cache-status"]) == (
        200,
        "OutreachHelper; fwd=miss; stored",
    )


async def test_entry_older_than_the_error_ttl_no_longer_stands_in(impatient_api, upstream, clock):
    await impatient_api.get(MARTA)
    clock.advance(604800 + 60)
    upstream.fault("error500")
    assert (await impatient_api.get(MARTA)).status_code == 502


# ---- Redis outage -------------------------------------------------------------------


@pytest.mark.usefixtures("redis_binary")
async def test_redis_outage_degrades_then_heals_without_restart(make_settings, clock, upstream):
    with RedisServer() as redis:
        app = create_app(make_settings(redis_url=redis.url), clock=clock)
        async with serving(app) as client:
            before = (await client.get("/health")).json()["checks"]["cache"]["status"]
            redis.stop()
            during = [
                (await client.get("/api/users/" + quote(name, safe=""))).status_code
                for name in w.NAMED_USERS
            ]
            degraded = (await client.get("/health")).json()
            redis.start()
            healed = (await client.get("/health")).json()
            after = (await client.get("/api/users/" + quote(w.ZOE))).status_code
    assert (before, set(during), degraded["status"], degraded["checks"]["cache"]["status"]) == (
        "healthy",
        {200},
        "degraded",
        "unhealthy",
    )
    assert (healed["status"], after) == ("healthy", 200)


async def test_redis_down_from_the_start_still_answers_and_coalesces(
    make_settings, clock, upstream
):
    from tests.support.servers import free_port

    upstream.latency(200)
    app = create_app(make_settings(redis_url=f"redis://127.0.0.1:{free_port()}/0"), clock=clock)
    async with serving(app) as client:
        responses = await burst(client, MARTA, 20)
    assert ({r.status_code for r in responses}, upstream.counters()["user_stats"]) == ({200}, 1)


async def test_redis_values_are_json_envelopes_with_an_expiry(
    make_settings, clock, upstream, redis_server, prefix
):
    import redis.asyncio as aioredis

    app = create_app(make_settings(redis_url=redis_server.url), clock=clock)
    async with serving(app) as client:
        await client.get(MARTA)
    raw = aioredis.Redis.from_url(redis_server.url)
    key = f"{prefix}:outreach:user:{w.MARTA}"
    value, ttl = await raw.get(key), await raw.ttl(key)
    await raw.aclose()
    assert isinstance(value, bytes)
    envelope = orjson.loads(value)
    assert sorted(envelope) == ["data", "fetched_at"]
    assert 604800 <= ttl <= 604800 * 1.1 + 1, f"expiry {ttl} s: not 7 days to 7 days + 10%"


async def test_garbage_in_redis_is_a_miss_not_a_crash(
    make_settings, clock, upstream, redis_server, prefix
):
    import redis.asyncio as aioredis

    raw = aioredis.Redis.from_url(redis_server.url)
    await raw.set(f"{prefix}:outreach:user:{w.MARTA}", b"\x80\x81 definitely not json", ex=60)
    await raw.aclose()
    app = create_app(make_settings(redis_url=redis_server.url), clock=clock)
    async with serving(app) as client:
        response = await client.get(MARTA)
    assert (response.status_code, response.headers["cache-status"]) == (
        200,
        "OutreachHelper; fwd=miss; stored",
    )


# ---- HTTP caching --------------------------------------------------------------------


async def test_etag_round_trip_answers_304_without_a_body(api):
    first = await api.get(MARTA)
    second = await api.get(MARTA, headers={"If-None-Match": first.headers["etag"]})
    assert (second.status_code, second.content, second.headers["etag"]) == (
        304,
        b"",
        first.headers["etag"],
    )


async def test_a_different_etag_gets_the_full_answer(api):
    response = await api.get(MARTA, headers={"If-None-Match": '"something-else"'})
    assert response.status_code == 200


async def test_max_age_is_the_whole_lifetime_and_age_what_has_gone_of_it(api, clock):
    # RFC 9111 4.2.3: a cache subtracts Age itself; docs/caching.md: max-age is the lifetime.
    await api.get(MARTA)
    clock.advance(100)
    response = await api.get(MARTA)
    assert (response.headers["cache-control"], response.headers["age"]) == (
        "public, max-age=3600, stale-while-revalidate=82800",
        "100",
    )


def freshness_left(response) -> int:
    """What a browser or proxy computes (RFC 9111 4.2): lifetime minus current age."""
    max_age = int(response.headers["cache-control"].split("max-age=")[1].split(",")[0])
    return max_age - int(response.headers["age"])


async def test_a_cache_sees_the_answer_fresh_exactly_as_long_as_we_do(api, clock):
    await api.get(MARTA)
    clock.advance(3000)
    response = await api.get(MARTA)
    assert freshness_left(response) == 600


async def test_stale_answers_are_stale_to_every_cache_within_their_revalidation_window(api, clock):
    await api.get(MARTA)
    clock.advance(3600 + 100)
    response = await api.get(MARTA)
    swr = int(response.headers["cache-control"].split("stale-while-revalidate=")[1])
    assert freshness_left(response) == -100
    assert -100 + swr > 0, f"stale-while-revalidate={swr}: over before 100 s of staleness"


async def test_activity_flags_flip_at_the_boundary_though_documents_are_fresh(
    api, clock, standin_server
):
    event_end = standin_server.world.course(w.COURSE_ACTIVE).timeline_end.timestamp()
    clock.now = event_end - 1800

    async def active_event() -> tuple[bool, str]:
        response = await api.get(MARTA + "?enrich=true")
        row = next(c for c in response.json()["courses"] if c["course_slug"] == w.COURSE_ACTIVE)
        return row["active_event"], response.headers["cache-control"].split(",")[1].strip()

    before = await active_event()
    clock.advance(1801)
    after, _ = await active_event()
    assert before == (True, "max-age=1800")
    assert after is False, "still active after the event's end"


async def test_spellings_of_one_course_share_one_hot_copy(api, upstream):
    # The dashboard folds case in slugs: one course, one answer, one copy in memory.
    spellings = [w.COURSE_ACTIVE, w.COURSE_ACTIVE.upper(), w.COURSE_ACTIVE.lower()]
    hot = parts_of(api).hot
    before = len(hot)
    bodies = [(await api.get("/api/course", params={"slug": s})).content for s in spellings]
    assert (len(hot) - before, len(set(bodies)), upstream.counters()["course"]) == (1, 1, 1)
