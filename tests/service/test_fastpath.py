"""The fast path answers exactly as the app would, and sends everything else to the app.

Two services run side by side over the same stand-in and the same clock:
``fast`` as configured by default, ``plain`` with ``OUTREACH_FAST_PATH=false``.
Each request goes to both, and their answers must match byte for byte
(status, every header in order, body). Whether the fast path answered is read
from the fast service's own ``/metrics``
(``outreach_http_fast_path_answers_total``).
"""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from dataclasses import dataclass
from urllib.parse import quote

import httpx
import orjson
import pytest

from outreach_helper.app import create_app
from outreach_helper.web.fastpath import Target, Targets
from outreach_standin import world as w
from tests.support.clocks import FakeClock
from tests.support.metrics import sample
from tests.support.service import SettingsFactory, serving

MARTA = "/api/users/" + quote(w.MARTA)
ROUTE = "/api/users/{username}"


@dataclass
class Pair:
    fast: httpx.AsyncClient
    plain: httpx.AsyncClient
    fast_log: io.BytesIO
    plain_log: io.BytesIO

    async def both(
        self, path: str, method: str = "GET", headers: dict[str, str] | None = None
    ) -> tuple[httpx.Response, httpx.Response]:
        fast = await self.fast.request(method, path, headers=headers)
        plain = await self.plain.request(method, path, headers=headers)
        return fast, plain

    async def fast_answers(self, route: str = ROUTE) -> float:
        text = (await self.fast.get("/metrics")).text
        return sample(text, "outreach_http_fast_path_answers_total", route=route)

    async def cache_status(self, fast: httpx.Response, plain: httpx.Response) -> tuple[str, float]:
        """The fast service's ``Cache-Status`` and its fast-path answers so far, once
        its answer is checked to be the plain service's, byte for byte."""
        assert wire(fast) == wire(plain)
        return fast.headers["cache-status"], await self.fast_answers()

    async def drain(self) -> None:
        for client in (self.fast, self.plain):
            await client._transport.app.state.parts.drain()  # type: ignore[attr-defined]


def wire(response: httpx.Response) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    return response.status_code, response.headers.raw, response.content


@pytest.fixture
async def pair(make_settings: SettingsFactory, clock: FakeClock) -> AsyncIterator[Pair]:
    fast_log, plain_log = io.BytesIO(), io.BytesIO()
    fast_app = create_app(make_settings(), clock=clock, access_log_stream=fast_log)
    plain_app = create_app(make_settings(fast_path=False), clock=clock, access_log_stream=plain_log)
    async with serving(fast_app) as fast, serving(plain_app) as plain:
        yield Pair(fast, plain, fast_log, plain_log)


# ---- the same answer -------------------------------------------------------------------


async def test_a_repeated_fresh_request_is_answered_by_the_fast_path(pair):
    await pair.both(MARTA)
    await pair.both(MARTA)
    assert await pair.fast_answers() == 1.0


async def test_a_fresh_hit_is_the_apps_answer_byte_for_byte(pair, clock):
    await pair.both(MARTA)
    clock.advance(61)
    fast, plain = await pair.both(MARTA)
    assert (wire(fast), fast.headers["cache-status"]) == (
        wire(plain),
        "OutreachHelper; hit; ttl=3539",
    )


async def test_a_304_is_the_apps_answer(pair):
    first, _ = await pair.both(MARTA)
    fast, plain = await pair.both(MARTA, headers={"If-None-Match": first.headers["etag"]})
    assert (wire(fast), fast.status_code, await pair.fast_answers()) == (wire(plain), 304, 1.0)


async def test_a_weak_or_listed_etag_is_a_304_as_the_app_says(pair):
    first, _ = await pair.both(MARTA)
    headers = {"If-None-Match": f'"other", W/{first.headers["etag"]}'}
    fast, plain = await pair.both(MARTA, headers=headers)
    assert (wire(fast), fast.status_code) == (wire(plain), 304)


async def test_another_etag_gets_the_apps_full_answer(pair):
    await pair.both(MARTA)
    fast, plain = await pair.both(MARTA, headers={"If-None-Match": '"something-else"'})
    assert (wire(fast), fast.status_code) == (wire(plain), 200)


async def test_head_is_the_apps_answer(pair):
    await pair.both(MARTA)
    fast, plain = await pair.both(MARTA, method="HEAD")
    assert (wire(fast), await pair.fast_answers()) == (wire(plain), 1.0)


async def test_cors_headers_are_the_apps(pair):
    await pair.both(MARTA)
    fast, plain = await pair.both(MARTA, headers={"Origin": "https://en.wikipedia.org"})
    assert (
        wire(fast),
        fast.headers["access-control-allow-origin"],
        fast.headers["access-control-expose-headers"],
    ) == (wire(plain), "*", "ETag, Age, Cache-Status")


async def test_each_spelling_of_a_user_is_its_own_target_with_the_same_answer(pair):
    await pair.both(MARTA)
    await pair.both("/api/users/marta_Quill")  # a hot hit in the app; remembered from here
    fast, plain = await pair.both("/api/users/marta_Quill")
    assert (wire(fast), await pair.fast_answers()) == (wire(plain), 1.0)


@pytest.mark.parametrize(
    "path",
    [
        MARTA + "?enrich=true",
        MARTA + "/status",
        MARTA + "/active-staff?window=event",
        "/api/courses/" + "/".join(quote(p, safe="") for p in w.COURSE_ACTIVE.split("/")),
        "/api/course/users?slug=" + quote(w.COURSE_ACTIVE, safe=""),
    ],
)
async def test_every_cached_route_is_answered_alike(pair, path):
    await pair.both(path)
    fast, plain = await pair.both(path)
    assert (wire(fast), fast.status_code) == (wire(plain), 200)


async def test_with_redis_a_fresh_hit_is_the_apps_answer(
    make_settings, clock, redis_server, prefix
):
    def app(fast_path: bool):
        settings = make_settings(
            redis_url=redis_server.url, key_prefix=f"{prefix}-{fast_path}", fast_path=fast_path
        )
        return create_app(settings, clock=clock)

    async with serving(app(True)) as fast, serving(app(False)) as plain:
        for _ in range(2):
            answers = [await client.get(MARTA) for client in (fast, plain)]
        text = (await fast.get("/metrics")).text
    assert (
        wire(answers[0]),
        sample(text, "outreach_http_fast_path_answers_total", route=ROUTE),
    ) == (wire(answers[1]), 1.0)


# ---- what reaches the app ----------------------------------------------------------------


async def test_a_target_never_answered_reaches_the_app(pair):
    fast, plain = await pair.both(MARTA)
    assert await pair.cache_status(fast, plain) == ("OutreachHelper; fwd=miss; stored", 0.0)


async def test_a_stale_answer_comes_from_the_app_as_before(pair, clock):
    await pair.both(MARTA)
    await pair.both(MARTA)
    clock.advance(3600 + 120)
    fast, plain = await pair.both(MARTA)
    await pair.drain()
    assert await pair.cache_status(fast, plain) == ("OutreachHelper; hit; ttl=-120", 1.0)


async def test_after_a_refresh_the_fast_path_answers_the_new_copy(pair, clock):
    await pair.both(MARTA)
    clock.advance(3600 + 120)
    await pair.both(MARTA)  # stale: served, refreshed in the background
    await pair.drain()
    await pair.both(MARTA)  # the app's hot copy of the refreshed answer
    clock.advance(30)
    fast, plain = await pair.both(MARTA)
    assert (wire(fast), fast.headers["age"], await pair.fast_answers()) == (wire(plain), "30", 1.0)


async def test_a_hot_copy_is_not_served_past_an_activity_flip(pair, clock, standin_server):
    event_end = standin_server.world.course(w.COURSE_ACTIVE).timeline_end.timestamp()
    clock.now = event_end - 1800
    path = MARTA + "?enrich=true"
    await pair.both(path)
    clock.advance(1801)
    fast, plain = await pair.both(path)
    row = next(c for c in fast.json()["courses"] if c["course_slug"] == w.COURSE_ACTIVE)
    assert (wire(fast), row["active_event"], await pair.fast_answers()) == (wire(plain), False, 0.0)


@pytest.mark.parametrize(
    "header",
    ["Range", "If-Range", "If-Match", "If-Modified-Since", "If-Unmodified-Since"],
)
async def test_range_and_other_conditionals_reach_the_app(pair, header):
    first, _ = await pair.both(MARTA)
    value = "bytes=0-9" if header == "Range" else first.headers["etag"]
    fast, plain = await pair.both(MARTA, headers={header: value})
    assert (wire(fast), fast.status_code, await pair.fast_answers()) == (wire(plain), 200, 0.0)


async def test_not_found_answers_are_never_remembered(pair):
    unknown = "/api/users/Nobody_Ever_Registered_This"
    for _ in range(3):
        fast, plain = await pair.both(unknown)
    assert (wire(fast), fast.status_code, await pair.fast_answers()) == (wire(plain), 404, 0.0)


async def test_an_invalid_parameter_on_a_remembered_path_reaches_the_app(pair):
    await pair.both(MARTA)
    fast, plain = await pair.both(MARTA + "?enrich=perhaps")
    assert (wire(fast), fast.status_code, await pair.fast_answers()) == (wire(plain), 422, 0.0)


async def test_posts_reach_the_app(pair):
    await pair.both(MARTA)
    fast, plain = await pair.both(MARTA, method="POST")
    assert (wire(fast), fast.status_code, await pair.fast_answers()) == (wire(plain), 405, 0.0)


async def test_preflights_are_answered_by_cors_as_before(pair):
    await pair.both(MARTA)
    headers = {"Origin": "https://en.wikipedia.org", "Access-Control-Request-Method": "GET"}
    fast, plain = await pair.both(MARTA, method="OPTIONS", headers=headers)
    assert (wire(fast), fast.status_code) == (wire(plain), 204)


async def test_switched_off_nothing_takes_the_fast_path(pair):
    await pair.both(MARTA)
    await pair.both(MARTA)
    text = (await pair.plain.get("/metrics")).text
    assert sample(text, "outreach_http_fast_path_answers_total", route=ROUTE) == 0.0


# ---- the same metrics and access log -----------------------------------------------------


async def test_fast_answers_count_in_the_request_metrics_as_the_apps_do(pair):
    for _ in range(3):
        await pair.both(MARTA)
    await pair.both(MARTA, method="HEAD")
    texts = [(await client.get("/metrics")).text for client in (pair.fast, pair.plain)]

    def counts(text: str) -> tuple[float, ...]:
        return (
            sample(text, "outreach_http_requests_total", route=ROUTE, method="GET", status="200"),
            sample(text, "outreach_http_requests_total", route=ROUTE, method="HEAD", status="200"),
            sample(text, "outreach_http_responses_by_cache_total", route=ROUTE, cache="hit"),
            sample(text, "outreach_http_request_duration_seconds_count", route=ROUTE),
        )

    assert (counts(texts[0]), counts(texts[1])) == ((3.0, 1.0, 3.0, 4.0), (3.0, 1.0, 3.0, 4.0))


def access_lines(stream: io.BytesIO) -> list[dict[str, object]]:
    lines = [orjson.loads(raw) for raw in stream.getvalue().splitlines()]
    return [
        {k: v for k, v in line.items() if k not in ("duration_ms", "timestamp")}
        for line in lines
        if line.get("event") == "request"
    ]


async def test_a_fast_answer_logs_the_apps_line(make_settings, clock, upstream):
    streams = io.BytesIO(), io.BytesIO()
    for stream, fast_path in zip(streams, (True, False), strict=True):
        # One log secret for both, so that their user hashes can be compared.
        settings = make_settings(fast_path=fast_path, log_secret="same-key-for-both-apps")  # noqa: S106
        app = create_app(settings, clock=clock, access_log_stream=stream)
        async with serving(app) as client:
            for _ in range(2):
                await client.get("/api/users/marta_Quill")
                await client.head("/api/users/marta_Quill")
    fast, plain = (access_lines(stream) for stream in streams)
    assert (fast, [line["cache"] for line in fast], b"arta" in streams[0].getvalue()) == (
        plain,
        ["miss", "hit", "hit", "hit"],
        False,
    )


# ---- bounded ---------------------------------------------------------------------------------


def target(i: int) -> Target:
    return Target(("user", f"Editor {i}"), ROUTE, f"Editor {i}")


def test_targets_stay_within_their_bound():
    targets = Targets(100)
    for i in range(10_000):
        targets.remember((f"/api/users/Editor_{i}".encode(), b""), target(i))
    assert len(targets) == 100


def test_the_least_recently_used_target_goes_first():
    targets = Targets(2)
    targets.remember((b"/a", b""), target(1))
    targets.remember((b"/b", b""), target(2))
    targets.get((b"/a", b""))
    targets.remember((b"/c", b""), target(3))
    assert (targets.get((b"/a", b"")), targets.get((b"/b", b""))) == (target(1), None)


def test_a_target_over_1024_bytes_is_not_remembered():
    targets = Targets(10)
    targets.remember((b"/api/users/A", b"x=" + b"y" * 1011), target(1))  # 12 + 1013 bytes
    targets.remember((b"/api/users/B", b"x=" + b"y" * 1010), target(2))  # 12 + 1012 bytes
    assert (targets.get((b"/api/users/A", b"x=" + b"y" * 1011)), len(targets)) == (None, 1)


async def test_made_up_query_strings_cannot_grow_the_targets_past_the_bound(
    make_settings, clock, upstream
):
    app = create_app(make_settings(memory_max_entries=10), clock=clock)
    async with serving(app) as client:
        for i in range(50):
            await client.get(f"{MARTA}?x={i}")
        remembered = len(app.front.targets)  # type: ignore[attr-defined]
    assert remembered == 10
