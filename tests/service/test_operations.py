"""Operating the service: health, metrics, JSON logs, settings refusal, warm, inspect."""

from __future__ import annotations

import hashlib
import io
import json
from contextlib import AsyncExitStack
from urllib.parse import quote

import orjson
import pytest
from pydantic import ValidationError

from outreach_helper.app import build_parts, create_app
from outreach_helper.cli import main
from outreach_helper.commands import inspect, warm
from outreach_helper.settings import Settings
from outreach_standin import world as w
from outreach_standin.model import collation_key
from tests.support.metrics import sample
from tests.support.service import serving
from tests.support.standin import FIXED_NOW

MARTA = "/api/users/" + quote(w.MARTA)


# ---- health -----------------------------------------------------------------------------


async def test_health_probes_the_dashboard_at_most_once_a_minute(api, upstream, clock):
    for _ in range(10):
        await api.get("/health")
        clock.advance(5)
    assert upstream.total == 1


async def test_health_reuses_a_recent_real_request_instead_of_probing(api, upstream):
    await api.get(MARTA)
    before = upstream.total
    await api.get("/health")
    assert upstream.total == before


async def test_health_turns_degraded_after_a_failed_real_request_without_probing(api, upstream):
    upstream.fault("drop")  # the host in trouble (one document's 500 is not)
    await api.get(MARTA)
    body = (await api.get("/health")).json()
    assert (body["status"], body["checks"]["dashboard:outreach"]["status"], upstream.total) == (
        "degraded",
        "unhealthy",
        1,
    )


async def test_health_has_the_family_format(api):
    body = (await api.get("/health")).json()
    check = body["checks"]["cache"]
    assert set(body) >= {"status", "service", "version", "timestamp", "checks"}, sorted(body)
    assert set(check) >= {"status", "response_time_ms", "timestamp"}, sorted(check)


# ---- metrics ----------------------------------------------------------------------------


@pytest.fixture
async def metrics_after_a_known_sequence(api, upstream, clock):
    await api.get(MARTA)  # miss: 1 upstream request
    await api.get(MARTA)  # hot hit
    await api.get("/api/users/Nobody_Ever_Registered_This")  # negative entry stored
    await api.get("/api/users/Nobody_Ever_Registered_This")  # negative hit
    await api.get("/api/users/bad%23name")  # 400, no upstream
    clock.advance(3601)
    await api.get(MARTA)  # stale: served, refreshed in the background
    await api.get("/api/users/" + quote(w.ZOE))  # miss
    await api.app_state_drain()
    return (await api.get("/metrics")).text


@pytest.fixture
def api_with_drain(api):
    async def drain() -> None:
        await api._transport.app.state.parts.drain()

    api.app_state_drain = drain
    return api


async def test_metrics_count_requests_by_route_template_and_status(
    api_with_drain, metrics_after_a_known_sequence
):
    text = metrics_after_a_known_sequence
    route = "/api/users/{username}"
    assert (
        sample(text, "outreach_http_requests_total", method="GET", route=route, status="200"),
        sample(text, "outreach_http_requests_total", method="GET", route=route, status="404"),
        sample(text, "outreach_http_requests_total", method="GET", route=route, status="400"),
    ) == (4.0, 2.0, 1.0)


async def test_metrics_count_cache_outcomes_by_document_kind(
    api_with_drain, metrics_after_a_known_sequence
):
    text = metrics_after_a_known_sequence
    # Every user answer first reads the profile that confirms the account.
    assert (
        sample(
            text,
            "outreach_cache_lookups_total",
            dashboard="outreach",
            kind="user_profile",
            outcome="miss",
        ),
        sample(
            text,
            "outreach_cache_lookups_total",
            dashboard="outreach",
            kind="user_profile",
            outcome="hit",
        ),
        sample(
            text,
            "outreach_cache_lookups_total",
            dashboard="outreach",
            kind="user_profile",
            outcome="stale",
        ),
        sample(
            text, "outreach_cache_negative_answers_total", dashboard="outreach", kind="user_profile"
        ),
        sample(
            text, "outreach_cache_lookups_total", dashboard="outreach", kind="user", outcome="miss"
        ),
    ) == (3.0, 1.0, 1.0, 2.0, 2.0)


async def test_metrics_count_upstream_requests_and_refreshes(
    api_with_drain, metrics_after_a_known_sequence
):
    text = metrics_after_a_known_sequence
    assert (
        sample(
            text,
            "outreach_upstream_requests_total",
            dashboard="outreach",
            endpoint="user_stats",
            outcome="ok",
        ),
        sample(
            text,
            "outreach_upstream_requests_total",
            dashboard="outreach",
            endpoint="user_profile",
            outcome="not_found",
        ),
        sample(
            text,
            "outreach_background_refreshes_total",
            dashboard="outreach",
            kind="user",
            result="ok",
        ),
    ) == (3.0, 1.0, 1.0)


async def test_metrics_have_a_latency_histogram_per_route(
    api_with_drain, metrics_after_a_known_sequence
):
    text = metrics_after_a_known_sequence
    count = sample(
        text, "outreach_http_request_duration_seconds_count", route="/api/users/{username}"
    )
    assert count == 7.0


async def test_metrics_count_single_flight_waits(api, upstream):
    import asyncio

    upstream.latency(200)
    await asyncio.gather(*(api.get(MARTA) for _ in range(10)))
    text = (await api.get("/metrics")).text
    assert (
        sample(text, "outreach_singleflight_waits_total", dashboard="outreach", kind="user") == 9.0
    )


# ---- logs -------------------------------------------------------------------------------


async def test_access_log_is_json_with_route_status_cache_and_user_hash_only(
    make_settings, clock, upstream
):
    stream = io.BytesIO()
    secret = "a-log-secret-for-tests-0123456789"  # noqa: S105 - made up for tests
    settings = make_settings(log_secret=secret)
    async with serving(create_app(settings, clock=clock, access_log_stream=stream)) as client:
        await client.get(MARTA)
    # docs/security.md: a 6-byte BLAKE2b of the canonical name, keyed with OUTREACH_LOG_SECRET.
    expected = hashlib.blake2b(w.MARTA.encode(), key=secret.encode(), digest_size=6).hexdigest()
    line = next(orjson.loads(raw) for raw in stream.getvalue().splitlines() if b'"request"' in raw)
    assert (line["route"], line["status"], line["cache"], line["user"]) == (
        "/api/users/{username}",
        200,
        "miss",
        expected,
    )
    assert "Marta" not in stream.getvalue().decode(), "the access log names the user"


async def test_access_log_can_be_switched_off(make_settings, clock, upstream):
    stream = io.BytesIO()
    app = create_app(make_settings(access_log=False), clock=clock, access_log_stream=stream)
    async with serving(app) as client:
        await client.get(MARTA)
    assert stream.getvalue() == b""


# ---- settings -----------------------------------------------------------------------------


def test_default_prefix_is_refused_on_a_non_loopback_redis():
    with pytest.raises(ValidationError, match="secret random string"):
        Settings(redis_url="redis://redis.svc.example.org:6379/0")


@pytest.mark.parametrize(
    "url", ["redis://127.0.0.1:6379/0", "redis://localhost:6379", "redis://[::1]:6379"]
)
def test_default_prefix_is_fine_on_loopback(url):
    assert Settings(redis_url=url).key_prefix == "outreach"


def test_a_secret_prefix_is_accepted_on_a_shared_redis():
    settings = Settings(redis_url="redis://redis.svc.example.org:6379/0", key_prefix="s3cr3t-x")
    assert settings.key_prefix == "s3cr3t-x"


def test_serve_refuses_to_start_with_the_default_prefix_on_a_shared_redis(monkeypatch):
    monkeypatch.setenv("OUTREACH_REDIS_URL", "redis://redis.svc.example.org:6379/0")
    with pytest.raises(SystemExit, match="secret random string"):
        main(["serve"])


# ---- warm ---------------------------------------------------------------------------------


def expected_keys(world, prefix: str, names: list[str], at) -> set[str]:
    """The documented key layout; profile and course keys fold case and accents."""
    keys = {f"{prefix}:outreach:user:{name}" for name in names}
    keys |= {f"{prefix}:outreach:user_profile:{collation_key(name)}" for name in names}
    for name in names:
        for enrollment in world.visible_enrollments_of(name):
            course = world.course(enrollment.course_slug)
            folded = collation_key(course.slug)
            keys.add(f"{prefix}:outreach:course:{folded}")
            if course.tracking_active(at):  # the world's own start..end
                keys.add(f"{prefix}:outreach:course_users:{folded}")
    return keys


async def redis_keys(url: str, prefix: str) -> set[str]:
    import redis.asyncio as aioredis

    raw = aioredis.Redis.from_url(url, decode_responses=True)
    # Locks and the request budget's bucket live there too; they are not cache entries.
    keys = {
        k
        async for k in raw.scan_iter(f"{prefix}:*")
        if ":lock:" not in k and k != f"{prefix}:outreach:budget"
    }
    await raw.aclose()
    return keys


async def test_warm_fills_exactly_the_keys_a_gadget_needs(
    make_settings, clock, upstream, redis_server, prefix, standin_server
):
    names = [w.TWO_HATS, w.MARTA, w.ZOE]
    parts = build_parts(make_settings(redis_url=redis_server.url), clock=clock)
    summary = await warm(parts, names, [], concurrency=2)
    await parts.aclose()
    assert (summary.results["fetched"], await redis_keys(redis_server.url, prefix)) == (
        3,
        expected_keys(standin_server.world, prefix, names, FIXED_NOW),
    )


async def test_a_second_warm_run_fetches_nothing(
    make_settings, clock, upstream, redis_server, prefix
):
    names = [w.TWO_HATS, w.MARTA, "Nobody Ever Registered This"]
    settings = make_settings(redis_url=redis_server.url)
    async with AsyncExitStack() as stack:
        first = build_parts(settings, clock=clock)
        stack.push_async_callback(first.aclose)
        await warm(first, names, [w.NORMAL_CAMPAIGN], concurrency=2)
        second = build_parts(settings, clock=clock)
        stack.push_async_callback(second.aclose)
        summary = await warm(second, names, [w.NORMAL_CAMPAIGN], concurrency=2)
    # Failures are never stored: the campaign's broken course is the one request a
    # new process makes again (docs/api.md, "Unreadable courses").
    assert (summary.upstream_requests, summary.results["fresh"], summary.results["not_found"]) == (
        1,
        3,
        1,
    )


def test_warm_command_reads_names_and_prints_a_summary(
    tmp_path, monkeypatch, capsys, upstream, redis_server, prefix
):
    names = tmp_path / "names.txt"
    names.write_text(f"{w.MARTA}\n# a comment\n\nbad#name\n", encoding="utf-8")
    monkeypatch.setenv("OUTREACH_DASHBOARD_URL", upstream.url)
    monkeypatch.setenv("OUTREACH_REDIS_URL", redis_server.url)
    monkeypatch.setenv("OUTREACH_KEY_PREFIX", prefix)
    code = main(["warm", "--file", str(names)])
    captured = capsys.readouterr()
    # Issue: a failed item makes the command fail, a user named by its line (4), never by name.
    assert code == 1
    assert "1 fetched" in captured.out, captured.out
    assert "1 invalid" in captured.out, captured.out
    assert "line 4 of the input: invalid" in captured.err, captured.err
    assert "bad#name" not in captured.out + captured.err, "the invalid name is echoed"


@pytest.mark.parametrize(
    ("campaign", "said"),
    [
        ("no_such_campaign", "campaign 'no_such_campaign': not found"),
        ("bad-slug", "campaign 'bad-slug': invalid"),
        ("nowhere:fall_2026", "campaign 'nowhere:fall_2026': invalid"),
    ],
)
def test_warm_fails_naming_a_campaign_it_could_not_warm(
    monkeypatch, capsys, upstream, campaign, said
):
    monkeypatch.setenv("OUTREACH_DASHBOARD_URL", upstream.url)
    code = main(["warm", "--campaign", w.NORMAL_CAMPAIGN, "--campaign", campaign])
    err = capsys.readouterr().err
    assert code == 1
    assert said in err, err


def test_warm_of_good_items_only_succeeds(monkeypatch, capsys, upstream):
    monkeypatch.setenv("OUTREACH_DASHBOARD_URL", upstream.url)
    code = main(["warm", "--campaign", w.ENDED_CAMPAIGN])
    assert (code, capsys.readouterr().err.count("campaign")) == (0, 0)


# ---- inspect ------------------------------------------------------------------------------


async def test_inspect_shows_the_raw_payload_beside_the_record(make_settings, clock, upstream):
    parts = build_parts(make_settings(), clock=clock)
    shown = await inspect(parts, "course", w.COURSE_ACTIVE)
    await parts.aclose()
    (title, raw, record), (roster_title, _, roster) = shown
    assert (title, raw["course"]["id"], record["id"], roster_title) == (
        "course",
        30517,
        30517,
        "users",
    )
    assert "members" in roster, sorted(roster)


async def test_inspect_redacts_personal_fields_from_the_raw_payload(make_settings, clock, upstream):
    upstream.privileged(True)
    parts = build_parts(make_settings(), clock=clock)
    shown = await inspect(parts, "course", w.COURSE_ACTIVE)
    await parts.aclose()
    text = json.dumps([raw for _, raw, _ in shown])
    assert "@" not in text.replace("Old:Timer@Wiki", ""), "an email address is shown"
    assert '"[redacted]"' in text, "nothing is marked redacted"


def test_inspect_command_prints_json(monkeypatch, capsys, upstream):
    monkeypatch.setenv("OUTREACH_DASHBOARD_URL", upstream.url)
    assert main(["inspect", "user", w.MARTA, "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert [s["document"] for s in shown] == ["user_profile", "user_stats"]


def test_inspect_applies_the_apis_identity_rule_to_a_look_alike(monkeypatch, capsys, upstream):
    monkeypatch.setenv("OUTREACH_DASHBOARD_URL", upstream.url)
    code = main(["inspect", "user", w.ZOE_LOOKALIKE, "--json"])
    shown = json.loads(capsys.readouterr().out)
    # The API answers a look-alike 404: inspect shows none of the real account's courses.
    assert code == 1
    assert shown[1]["upstream"] is None
    assert shown[1]["record"].startswith("not asked"), shown[1]["record"]


def test_inspect_of_an_unknown_user_fails(monkeypatch, capsys, upstream):
    monkeypatch.setenv("OUTREACH_DASHBOARD_URL", upstream.url)
    assert main(["inspect", "user", "Nobody Ever Registered This", "--json"]) == 1


def test_inspect_with_an_unknown_dashboard_says_so_without_a_traceback(monkeypatch, upstream):
    monkeypatch.setenv("OUTREACH_DASHBOARD_URL", upstream.url)
    with pytest.raises(SystemExit, match="dashboard must be one of outreach"):
        main(["inspect", "user", w.MARTA, "--dashboard", "nowhere"])
