"""Both dashboards, one service: user answers ask each, courses say where they are.

Two stand-ins on their own ports play the Outreach Dashboard (``outreach``)
and the Wiki Education Dashboard (``wikiedu``); each counts what it is
asked, so every test can say what an answer cost which dashboard. Expected
courses and flags come from the stand-ins' documented worlds; the rules
(partial answers, wikis, costs) from docs/dashboards.md.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from urllib.parse import quote

import pytest
import redis as redis_sync

from outreach_helper.app import build_parts, create_app
from outreach_helper.commands import inspect, warm
from outreach_helper.names import dashboard_page_url
from outreach_standin import StandinServer
from outreach_standin import world as w
from outreach_standin import world_wikiedu as we
from tests.support.clocks import FakeClock
from tests.support.service import SettingsFactory, serving
from tests.support.standin import FIXED_NOW


def user(name: str, suffix: str = "", **query: str) -> str:
    tail = "&".join(f"{k}={quote(v)}" for k, v in query.items())
    return "/api/users/" + quote(name) + suffix + (f"?{tail}" if tail else "")


def slugs_of(server: StandinServer, name: str) -> list[str]:
    return [e.course_slug for e in server.world.visible_enrollments_of(name)]


def active_slugs_of(server: StandinServer, name: str) -> set[str]:
    world = server.world
    return {
        slug
        for slug in slugs_of(server, name)
        if (course := world.course(slug)) is not None and course.tracking_active(FIXED_NOW)
    }


@pytest.fixture
async def both(make_two_settings: SettingsFactory, clock: FakeClock) -> AsyncIterator[object]:
    async with serving(create_app(make_two_settings(), clock=clock)) as client:
        yield client


# ---- one answer from both --------------------------------------------------------


async def test_a_user_on_both_dashboards_has_the_courses_of_both_each_naming_its_own(
    both, standin_server, wikiedu_server
):
    body = (await both.get(user(w.TWO_HATS))).json()
    rows = [(c["dashboard"], c["course_slug"], c["url"]) for c in body["courses"]]
    expected = [
        ("outreach", s, dashboard_page_url(standin_server.url, s))
        for s in slugs_of(standin_server, w.TWO_HATS)
    ] + [
        ("wikiedu", s, dashboard_page_url(wikiedu_server.url, s))
        for s in slugs_of(wikiedu_server, w.TWO_HATS)
    ]
    assert (rows, body["dashboards"], body["partial"]) == (
        expected,
        {"outreach": "answered", "wikiedu": "answered"},
        False,
    )


async def test_a_cold_user_costs_each_dashboard_one_profile_and_one_user_stats(
    both, upstream, wikiedu_upstream
):
    await both.get(user(w.TWO_HATS))
    costs = [
        (c["user_profile"], c["user_stats"], c["total"])
        for c in (upstream.counters(), wikiedu_upstream.counters())
    ]
    assert costs == [(1, 1, 2), (1, 1, 2)]


async def test_a_user_missing_on_one_dashboard_costs_it_one_profile_then_nothing(
    both, upstream, wikiedu_upstream
):
    first = (await both.get(user(w.MARTA))).json()
    cold = wikiedu_upstream.counters()
    await both.get(user(w.MARTA))
    await both.get(user(w.MARTA, "/status"))
    assert (
        first["dashboards"],
        cold["user_profile"],
        cold["user_stats"],
        wikiedu_upstream.total,
    ) == (
        {"outreach": "answered", "wikiedu": "no_account"},
        1,
        0,
        1,
    )


async def test_a_user_on_no_dashboard_is_a_404_and_zeros(both, upstream, wikiedu_upstream):
    missing = await both.get(user("Nobody Ever Registered This"))
    status = (await both.get(user("Nobody Ever Registered This", "/status"))).json()
    assert (missing.status_code, status["total_courses"], status["dashboards"]) == (
        404,
        0,
        {"outreach": "no_account", "wikiedu": "no_account"},
    )


async def test_status_counts_the_active_courses_of_both(both, standin_server, wikiedu_server):
    body = (await both.get(user(w.TWO_HATS, "/status"))).json()
    expected_active = len(active_slugs_of(standin_server, w.TWO_HATS)) + len(
        active_slugs_of(wikiedu_server, w.TWO_HATS)
    )
    expected_total = len(set(slugs_of(standin_server, w.TWO_HATS))) + len(
        set(slugs_of(wikiedu_server, w.TWO_HATS))
    )
    assert (body["active_course_count"], body["total_courses"]) == (expected_active, expected_total)


async def test_active_staff_lists_active_courses_of_both_with_their_links(
    both, standin_server, wikiedu_server
):
    body = (await both.get(user(w.TWO_HATS, "/active-staff"))).json()
    got = {(c["dashboard"], c["course_slug"], c["url"]) for c in body["courses"]}
    expected = {
        ("outreach", s, dashboard_page_url(standin_server.url, s))
        for s in active_slugs_of(standin_server, w.TWO_HATS)
    } | {
        ("wikiedu", s, dashboard_page_url(wikiedu_server.url, s))
        for s in active_slugs_of(wikiedu_server, w.TWO_HATS)
    }
    assert got == expected


async def test_a_batch_covers_both_dashboards_for_each_name(both):
    names = quote(f"{w.TWO_HATS}|{w.MARTA}")
    rows = (await both.get(f"/api/users?usernames={names}")).json()["users"]
    assert [(r["username"], r["dashboards"]) for r in rows] == [
        (w.TWO_HATS, {"outreach": "answered", "wikiedu": "answered"}),
        (w.MARTA, {"outreach": "answered", "wikiedu": "no_account"}),
    ]


# ---- one dashboard failing ---------------------------------------------------------


async def test_one_dashboard_down_makes_the_answer_partial_never_an_error(
    both, wikiedu_upstream, standin_server
):
    wikiedu_upstream.fault("drop")
    response = await both.get(user(w.TWO_HATS))
    body = response.json()
    assert (
        response.status_code,
        body["partial"],
        body["dashboards"],
        [c["course_slug"] for c in body["courses"]],
    ) == (
        200,
        True,
        {"outreach": "answered", "wikiedu": "failed"},
        slugs_of(standin_server, w.TWO_HATS),
    )


async def test_a_partial_answer_is_reused_for_a_minute_at_most(both, wikiedu_upstream):
    wikiedu_upstream.fault("error500", endpoint="user_profile")
    response = await both.get(user(w.TWO_HATS, "/status"))
    assert (response.json()["partial"], response.headers["cache-control"]) == (
        True,
        "public, max-age=60, stale-while-revalidate=0",
    )


async def test_a_partial_answer_is_rebuilt_whole_once_the_dashboard_is_back(
    both, wikiedu_upstream, clock
):
    wikiedu_upstream.fault("drop")
    await both.get(user(w.TWO_HATS, "/status"))
    wikiedu_upstream.heal()
    clock.advance(61)
    body = (await both.get(user(w.TWO_HATS, "/status"))).json()
    assert (body["partial"], body["dashboards"]["wikiedu"]) == (False, "answered")


async def test_the_other_dashboards_stale_entries_stand_in_as_before(both, wikiedu_upstream, clock):
    await both.get(user(w.TWO_HATS))
    clock.advance(2 * 24 * 3600)  # past the user documents' stale lifetime (1 day)
    wikiedu_upstream.fault("drop")
    response = await both.get(user(w.TWO_HATS))
    body = response.json()
    assert (response.status_code, body["partial"], body["dashboards"]["wikiedu"]) == (
        200,
        False,
        "answered",
    )
    assert "stale-if-error" in response.headers["cache-status"]


async def test_both_dashboards_down_is_the_failure_itself(both, upstream, wikiedu_upstream):
    upstream.fault("drop")
    wikiedu_upstream.fault("drop")
    response = await both.get(user(w.TWO_HATS))
    assert (response.status_code, response.headers["cache-control"]) == (503, "no-store")


async def test_unknown_on_one_and_the_other_down_is_a_partial_empty_answer(
    both, upstream, wikiedu_upstream
):
    upstream.fault("drop")
    response = await both.get(user(w.MARTA))  # on the Outreach Dashboard only
    body = response.json()
    assert (response.status_code, body["courses"], body["dashboards"], body["partial"]) == (
        200,
        [],
        {"outreach": "failed", "wikiedu": "no_account"},
        True,
    )


async def test_a_wiki_education_student_is_answered_while_the_outreach_dashboard_is_down(
    both, upstream, wikiedu_server
):
    upstream.fault("drop")
    body = (await both.get(user(we.WIKIED_STUDENT))).json()
    assert (
        [(c["dashboard"], c["course_slug"]) for c in body["courses"]],
        body["dashboards"],
        body["partial"],
    ) == (
        [("wikiedu", s) for s in slugs_of(wikiedu_server, we.WIKIED_STUDENT)],
        {"outreach": "failed", "wikiedu": "answered"},
        True,
    )


async def test_a_failing_dashboard_never_opens_the_others_breaker(
    make_two_settings, clock, upstream, wikiedu_upstream
):
    app = create_app(make_two_settings(), clock=clock)
    wikiedu_upstream.fault("drop")
    async with serving(app) as client:
        for i in range(8):  # more than the breaker's five failures in a row
            await client.get(user(f"Someone Else {i}", "/status"))
        before = upstream.total
        body = (await client.get(user(w.TWO_HATS))).json()
    assert (upstream.total - before, body["dashboards"]["outreach"]) == (2, "answered")


async def test_each_dashboard_has_its_own_budget(
    make_two_settings, clock, upstream, wikiedu_upstream
):
    # Two tokens and no refill to speak of: a profile and a user_stats request. One
    # bucket for both dashboards would leave the second dashboard's requests unsent.
    settings = make_two_settings(upstream_rate=0.001, upstream_burst=2, upstream_wait_interactive=0)
    async with serving(create_app(settings, clock=clock)) as client:
        body = (await client.get(user(w.TWO_HATS))).json()
    assert (body["dashboards"], upstream.total, wikiedu_upstream.total) == (
        {"outreach": "answered", "wikiedu": "answered"},
        2,
        2,
    )


async def test_health_checks_each_dashboard(both, wikiedu_upstream):
    wikiedu_upstream.fault("drop")
    body = (await both.get("/health")).json()
    checks = {name: check["status"] for name, check in body["checks"].items()}
    assert (body["status"], checks) == (
        "degraded",
        {"cache": "healthy", "dashboard:outreach": "healthy", "dashboard:wikiedu": "unhealthy"},
    )


# ---- which wiki ----------------------------------------------------------------


async def test_a_page_view_on_another_wiki_costs_the_wiki_education_dashboard_nothing(
    both, upstream, wikiedu_upstream
):
    body = (await both.get(user(w.TWO_HATS, "/status", wiki="de.wikipedia.org"))).json()
    assert (body["dashboards"], wikiedu_upstream.total) == (
        {"outreach": "answered", "wikiedu": "not_asked"},
        0,
    )


@pytest.mark.parametrize("wiki", ["en.wikipedia.org", "EN.Wikipedia.org", "www.wikidata.org"])
async def test_a_page_view_on_english_wikipedia_or_wikidata_asks_both(both, wiki):
    body = (await both.get(user(w.TWO_HATS, "/status", wiki=wiki))).json()
    assert body["dashboards"] == {"outreach": "answered", "wikiedu": "answered"}


@pytest.mark.parametrize("wiki", ["", "en wikipedia", "en.wikipedia.org/wiki", "x" * 254])
async def test_a_wiki_that_cannot_be_a_server_name_is_a_422_before_any_request(
    both, upstream, wikiedu_upstream, wiki
):
    response = await both.get(user(w.TWO_HATS, "/status", wiki=wiki))
    assert (response.status_code, upstream.total, wikiedu_upstream.total) == (422, 0, 0)


# ---- routes that name a dashboard ------------------------------------------------------


async def test_a_course_route_without_a_dashboard_is_the_default_dashboards(
    both, standin_server, wikiedu_upstream
):
    body = (await both.get("/api/course", params={"slug": we.SHARED_SLUG})).json()
    expected = standin_server.world.course(we.SHARED_SLUG)
    assert (body["dashboard"], body["id"], wikiedu_upstream.total) == ("outreach", expected.id, 0)


async def test_one_slug_on_both_dashboards_is_two_courses_cached_apart(
    both, standin_server, wikiedu_server
):
    outreach = (await both.get("/api/course", params={"slug": we.SHARED_SLUG})).json()
    wikiedu = (
        await both.get("/api/course", params={"slug": we.SHARED_SLUG, "dashboard": "wikiedu"})
    ).json()
    expected = (
        standin_server.world.course(we.SHARED_SLUG),
        wikiedu_server.world.course(we.SHARED_SLUG),
    )
    assert [(b["dashboard"], b["id"], b["title"]) for b in (outreach, wikiedu)] == [
        ("outreach", expected[0].id, expected[0].title),
        ("wikiedu", expected[1].id, expected[1].title),
    ]


async def test_the_roster_route_takes_the_dashboard_too(both, wikiedu_server):
    path = "/api/courses/" + quote(we.SHARED_SLUG) + "/users"
    body = (await both.get(path, params={"dashboard": "wikiedu"})).json()
    roster = wikiedu_server.world.roster(we.SHARED_SLUG)
    assert (
        body["dashboard"],
        {m["username"] for m in body["facilitators"] + body["participants"]},
    ) == (
        "wikiedu",
        {e.username for e in roster},
    )


async def test_a_campaign_on_the_other_dashboard(both, wikiedu_server, upstream):
    campaign = we.CAMPAIGN_FALL_2026
    body = (
        await both.get(f"/api/campaigns/{campaign}/active-courses", params={"dashboard": "wikiedu"})
    ).json()
    listed = wikiedu_server.world.active_courses(campaign, FIXED_NOW)
    active = {c.slug for c in listed if c.tracking_active(FIXED_NOW) and not c.broken}
    assert (
        body["dashboard"],
        {c["slug"] for c in body["courses"]},
        {c["dashboard"] for c in body["courses"]},
        upstream.total,
    ) == ("wikiedu", active, {"wikiedu"} if active else set(), 0)


async def test_an_unknown_dashboard_is_a_422_before_any_request(both, upstream, wikiedu_upstream):
    response = await both.get("/api/course", params={"slug": we.SHARED_SLUG, "dashboard": "nope"})
    assert (response.status_code, upstream.total, wikiedu_upstream.total) == (422, 0, 0)


# ---- one dashboard, as before -----------------------------------------------------------


async def test_the_one_dashboard_setting_asks_one_dashboard(api, upstream, wikiedu_upstream):
    body = (await api.get(user(w.TWO_HATS))).json()
    assert (body["dashboards"], wikiedu_upstream.total) == ({"outreach": "answered"}, 0)


async def test_each_dashboard_has_its_own_share_of_a_page_views_cold_fetches(
    make_two_settings, clock, upstream, wikiedu_upstream
):
    # A share of two: the profile and user_stats of each dashboard, nothing more. One
    # share for both would leave the second dashboard's documents for the next view.
    settings = make_two_settings(upstream_cold_fetches=2)
    async with serving(create_app(settings, clock=clock)) as client:
        body = (await client.get(user(w.TWO_HATS, "/status"))).json()
    counts = [
        (c["user_profile"], c["user_stats"], c["course"])
        for c in (upstream.counters(), wikiedu_upstream.counters())
    ]
    assert (body["dashboards"], body["unreadable_courses"] == body["total_courses"], counts) == (
        {"outreach": "answered", "wikiedu": "answered"},
        True,
        [(1, 1, 0), (1, 1, 0)],
    )


# ---- operations ---------------------------------------------------------------------


async def test_inspect_asks_the_dashboard_it_is_told(
    make_two_settings, clock, wikiedu_server, upstream
):
    parts = build_parts(make_two_settings(), clock=clock)
    async with parts:
        shown = await inspect(parts, "course", we.SHARED_SLUG, "wikiedu")
    (_, raw, record), _ = shown
    expected = wikiedu_server.world.course(we.SHARED_SLUG)
    assert (raw["course"]["id"], record["id"], upstream.total) == (expected.id, expected.id, 0)


async def test_warm_takes_a_campaign_on_another_dashboard(
    make_two_settings, clock, wikiedu_server, upstream, wikiedu_upstream
):
    campaign = we.CAMPAIGN_FALL_2026
    async with build_parts(make_two_settings(), clock=clock) as parts:
        summary = await warm(parts, [], [f"wikiedu:{campaign}"], concurrency=2)
    assert (
        summary.results["fetched"],
        upstream.total,
        wikiedu_upstream.counters()["active_courses"],
    ) == (1, 0, 1)


async def test_warm_counts_a_user_answered_in_part_as_failed(
    make_two_settings, clock, wikiedu_upstream
):
    wikiedu_upstream.fault("drop")
    async with build_parts(make_two_settings(), clock=clock) as parts:
        summary = await warm(parts, [w.TWO_HATS], [], concurrency=2)
    assert summary.results["failed"] == 1


# ---- a dashboard that is slow to answer -------------------------------------------------


async def test_a_dashboard_slower_than_the_straggler_wait_is_late_and_fills_the_cache(
    make_two_settings, clock, wikiedu_upstream
):
    # Three round trips of 500 ms at least on the Wiki Education side, 50 ms of patience
    # once the Outreach Dashboard has answered.
    wikiedu_upstream.latency(500)
    app = create_app(make_two_settings(upstream_wait_straggler=0.05), clock=clock)
    async with serving(app) as client:
        first = await client.get(user(w.TWO_HATS, "/status"))
        await app.state.parts.drain()  # the late dashboard's work, finishing in the background
        asked = wikiedu_upstream.total
        clock.advance(5)  # the partial answer is rebuilt after 5 s
        second = (await client.get(user(w.TWO_HATS, "/status"))).json()
    assert (
        first.json()["dashboards"],
        first.json()["partial"],
        first.headers["cache-control"],
        second["dashboards"],
        wikiedu_upstream.total - asked,
    ) == (
        {"outreach": "answered", "wikiedu": "late"},
        True,
        "public, max-age=5, stale-while-revalidate=0",
        {"outreach": "answered", "wikiedu": "answered"},
        0,
    )


async def test_a_user_unknown_on_one_dashboard_and_late_on_the_other_is_no_404(
    make_two_settings, clock, wikiedu_upstream
):
    wikiedu_upstream.latency(500)
    async with serving(
        create_app(make_two_settings(upstream_wait_straggler=0.05), clock=clock)
    ) as client:
        response = await client.get(user(we.WIKIED_STUDENT))
    assert (response.status_code, response.json()["dashboards"]) == (
        200,
        {"outreach": "no_account", "wikiedu": "late"},
    )


async def test_a_failure_starts_no_clock_for_the_others(
    make_two_settings, clock, upstream, wikiedu_upstream
):
    upstream.fault("drop")
    wikiedu_upstream.latency(200)
    async with serving(
        create_app(make_two_settings(upstream_wait_straggler=0.01), clock=clock)
    ) as client:
        body = (await client.get(user(w.TWO_HATS, "/status"))).json()
    assert body["dashboards"] == {"outreach": "failed", "wikiedu": "answered"}


async def test_the_index_names_each_dashboard_and_the_wikis_it_serves(
    both, upstream, wikiedu_upstream
):
    body = (await both.get("/")).json()
    assert body["dashboards"] == {
        "outreach": {"url": upstream.url, "wikis": None},
        "wikiedu": {"url": wikiedu_upstream.url, "wikis": ["en.wikipedia.org", "www.wikidata.org"]},
    }


async def test_each_dashboard_has_its_own_connections(make_two_settings, clock):
    # One connection each and no waiting for one: a single pool for both would leave
    # the second dashboard's first request without a connection, and that dashboard failed.
    settings = make_two_settings(upstream_concurrency=1, upstream_wait_interactive=0)
    async with serving(create_app(settings, clock=clock)) as client:
        body = (await client.get(user(w.TWO_HATS))).json()
    assert body["dashboards"] == {"outreach": "answered", "wikiedu": "answered"}


async def test_each_dashboard_has_its_own_namespace_in_redis(
    make_two_settings, clock, redis_server, prefix
):
    app = create_app(make_two_settings(redis_url=redis_server.url), clock=clock)
    async with serving(app) as client:
        await client.get(user(w.TWO_HATS, "/status"))
    raw = redis_sync.Redis.from_url(redis_server.url, decode_responses=True)
    kinds = {tuple(key.split(":")[1:3]) for key in raw.scan_iter(f"{prefix}:*")}
    raw.close()
    assert kinds == {
        ("outreach", "user_profile"),
        ("outreach", "user"),
        ("outreach", "course"),
        ("wikiedu", "user_profile"),
        ("wikiedu", "user"),
        ("wikiedu", "course"),
        ("outreach", "budget"),
        ("wikiedu", "budget"),
    }
