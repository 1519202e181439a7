"""A campaign's participants (docs/api.md, ``GET /api/campaigns/{slug}/participants``).

Everyone enrolled in the campaign's courses that are active now, from the
campaign's ``users.json`` (one request however big the campaign) and the
documents the campaign's active-courses answer reads. Expected rows come from
the stand-in's world: its ``users.json`` rows (every enrollment of the
campaign's public courses), restricted to the courses its list holds that are
active now and readable, one row per person and course with the highest role,
roles as the API's codes. Costs are the stand-in's counters.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from outreach_helper.app import create_app
from outreach_helper.names import dashboard_page_url
from outreach_standin import world as w
from outreach_standin import world_wikiedu as we
from outreach_standin.model import World
from outreach_standin.server import BackgroundServer
from tests.support.metrics import sample
from tests.support.service import serving
from tests.support.standin import FIXED_NOW

PROBLEM = "application/problem+json"
# docs/api.md: roles are the API's codes, here by the dashboard's role integer.
CODES = ("student", "instructor", "campus_volunteer", "online_volunteer", "staff")
# The dashboard lists at most this many current and upcoming courses (upstream README).
LISTED_AT_MOST = 100
# What the campaign's documents are counted as by the stand-in; anything else must stay 0.
COUNTERS = ("campaign_users", "active_courses", "course", "users", "user_stats", "user_profile")

Row = tuple[str, str, str]  # course slug, username, role


def participants(campaign: str) -> str:
    return f"/api/campaigns/{campaign}/participants"


def active_courses(campaign: str) -> str:
    return f"/api/campaigns/{campaign}/active-courses"


def listed(world: World, campaign: str) -> list[str]:
    """Slugs the dashboard's active_courses.json lists, in its order, at most 100."""
    return [c.slug for c in world.active_courses(campaign, FIXED_NOW)[:LISTED_AT_MOST]]


def active_now(world: World, campaign: str) -> list[str]:
    """The listed courses active now (start <= now <= end) whose course.json can be read."""
    courses = [world.course(slug) for slug in listed(world, campaign)]
    return [c.slug for c in courses if c and c.tracking_active(FIXED_NOW) and not c.broken]


def expected_rows(world: World, campaign: str) -> set[Row]:
    """The campaign's users.json rows in its active courses, one per person and course."""
    active = set(active_now(world, campaign))
    best: dict[tuple[str, str], int] = {}
    for e in world.campaign_enrollments(campaign):
        if e.course_slug in active:
            key = (e.course_slug, e.username)
            best[key] = max(best.get(key, e.role), e.role)
    return {(slug, name, CODES[role]) for (slug, name), role in best.items()}


def rows_of(body: dict[str, Any]) -> set[Row]:
    return {(p["course_slug"], p["username"], p["role"]) for p in body["participants"]}


def counted(upstream: Any) -> dict[str, int]:
    counters = upstream.counters()
    return {name: counters[name] for name in COUNTERS}


# ---- who --------------------------------------------------------------------------------


async def test_participants_are_the_campaigns_users_in_its_courses_active_now(api, standin_server):
    body = (await api.get(participants(w.NORMAL_CAMPAIGN))).json()
    assert rows_of(body) == expected_rows(standin_server.world, w.NORMAL_CAMPAIGN)


async def test_the_courses_are_exactly_those_of_the_active_courses_answer(api):
    people = (await api.get(participants(w.NORMAL_CAMPAIGN))).json()
    courses = (await api.get(active_courses(w.NORMAL_CAMPAIGN))).json()
    assert {p["course_slug"] for p in people["participants"]} == {
        c["slug"] for c in courses["courses"]
    }


async def test_upcoming_and_recently_ended_courses_have_no_participants(api):
    body = (await api.get(participants(w.NORMAL_CAMPAIGN))).json()
    slugs = {p["course_slug"] for p in body["participants"]}
    assert slugs & {w.COURSE_UPCOMING, w.COURSE_RECENTLY_ENDED, w.COURSE_LONG_ENDED} == set()


async def test_roles_are_the_words_the_rest_of_the_api_uses(api):
    body = (await api.get(participants(w.NORMAL_CAMPAIGN))).json()
    assert {p["role"] for p in body["participants"]} == set(CODES)


async def test_someone_enrolled_twice_in_a_course_is_one_row_with_the_highest_role(api):
    # Ngozi Eze: student in COURSE_ACTIVE, later its online volunteer.
    body = (await api.get(participants(w.NORMAL_CAMPAIGN))).json()
    ngozi = [
        p["role"]
        for p in body["participants"]
        if (p["username"], p["course_slug"]) == (w.NGOZI, w.COURSE_ACTIVE)
    ]
    assert ngozi == ["online_volunteer"]


async def test_someone_in_two_active_courses_has_a_row_in_each(api):
    # Marta Quill instructs COURSE_ACTIVE and is a student in COURSE_EVENT_OVER.
    body = (await api.get(participants(w.NORMAL_CAMPAIGN))).json()
    marta = {
        (p["course_slug"], p["role"]) for p in body["participants"] if p["username"] == w.MARTA
    }
    assert marta == {(w.COURSE_ACTIVE, "instructor"), (w.COURSE_EVENT_OVER, "student")}


async def test_each_row_names_its_course_and_links_its_page(api, upstream, standin_server):
    body = (await api.get(participants(w.NORMAL_CAMPAIGN))).json()
    world = standin_server.world
    assert all(
        (p["course_title"], p["url"])
        == (
            world.course(p["course_slug"]).title,
            dashboard_page_url(upstream.url, p["course_slug"]),
        )
        for p in body["participants"]
    )


async def test_rows_come_course_by_course_in_the_active_courses_order(api):
    people = (await api.get(participants(w.NORMAL_CAMPAIGN))).json()["participants"]
    courses = (await api.get(active_courses(w.NORMAL_CAMPAIGN))).json()["courses"]
    order = list(dict.fromkeys(p["course_slug"] for p in people))
    assert order == [c["slug"] for c in courses if c["slug"] in order]


async def test_within_a_course_staff_come_first_then_usernames_in_order(api):
    people = (await api.get(participants(w.NORMAL_CAMPAIGN))).json()["participants"]
    ours = [p for p in people if p["course_slug"] == w.COURSE_ACTIVE]
    ranked = [(-CODES.index(p["role"]), p["username"]) for p in ours]
    assert ranked == sorted(ranked)


async def test_the_answer_and_its_rows_have_only_the_documented_fields(api, upstream):
    upstream.privileged(True)
    body = (await api.get(participants(w.NORMAL_CAMPAIGN))).json()
    assert (set(body), {key for p in body["participants"] for key in p}) == (
        {"dashboard", "campaign", "participants", "unreadable_courses", "complete"},
        {"username", "role", "course_slug", "course_title", "url"},
    )


async def test_a_campaign_with_nothing_listed_has_no_participants(api):
    body = (await api.get(participants(w.ENDED_CAMPAIGN))).json()
    assert (body["participants"], body["complete"]) == ([], True)


async def test_a_campaign_on_the_other_dashboard(
    make_two_settings, clock, wikiedu_server, wikiedu_upstream, upstream
):
    async with serving(create_app(make_two_settings(), clock=clock)) as both:
        path = participants(we.CAMPAIGN_FALL_2026)
        body = (await both.get(path, params={"dashboard": "wikiedu"})).json()
    expected = expected_rows(wikiedu_server.world, we.CAMPAIGN_FALL_2026)
    assert (body["dashboard"], rows_of(body), upstream.total) == ("wikiedu", expected, 0)


# ---- complete, unreadable, unknown ------------------------------------------------------


async def test_a_campaign_listed_below_the_dashboards_maximum_is_complete(api):
    body = (await api.get(participants(w.NORMAL_CAMPAIGN))).json()
    assert body["complete"] is True


async def test_a_campaign_whose_list_the_dashboard_cut_is_not_complete(api):
    body = (await api.get(participants(w.BIG_CAMPAIGN))).json()
    assert body["complete"] is False


async def test_a_big_campaign_lists_the_people_of_its_listed_active_courses(api, standin_server):
    body = (await api.get(participants(w.BIG_CAMPAIGN))).json()
    assert rows_of(body) == expected_rows(standin_server.world, w.BIG_CAMPAIGN)


async def test_a_course_whose_page_always_fails_is_left_out_and_named(api):
    # COURSE_BROKEN's course.json always answers 500; its users.json rows are there.
    body = (await api.get(participants(w.NORMAL_CAMPAIGN))).json()
    slugs = {p["course_slug"] for p in body["participants"]}
    assert (w.COURSE_BROKEN in slugs, body["unreadable_courses"]) == (False, [w.COURSE_BROKEN])


async def test_a_course_whose_page_always_fails_is_not_an_error(api):
    assert (await api.get(participants(w.NORMAL_CAMPAIGN))).status_code == 200


async def test_an_unknown_campaign_is_a_404_problem(api):
    response = await api.get(participants("no_such_campaign"))
    assert (response.status_code, response.headers["content-type"]) == (404, PROBLEM)


async def test_an_unknown_campaign_costs_its_list_only(api, upstream):
    await api.get(participants("no_such_campaign"))
    assert counted(upstream) == {name: int(name == "active_courses") for name in COUNTERS}


@pytest.mark.parametrize("slug", ["bad%23slug", "%20", "a%7Cb", "no-such-campaign"])
async def test_impossible_campaign_slugs_are_400_without_asking_upstream(api, upstream, slug):
    response = await api.get(participants(slug))
    assert (response.status_code, upstream.total) == (400, 0)


# ---- cost ------------------------------------------------------------------------------


async def test_a_cold_answer_costs_users_json_once_and_the_campaigns_own_documents(
    api, upstream, standin_server
):
    await api.get(participants(w.NORMAL_CAMPAIGN))
    course_documents = len(listed(standin_server.world, w.NORMAL_CAMPAIGN))
    assert counted(upstream) == {
        "campaign_users": 1,
        "active_courses": 1,
        "course": course_documents,
        "users": 0,
        "user_stats": 0,
        "user_profile": 0,
    }


async def test_a_cold_answer_asks_for_nothing_else(api, upstream, standin_server):
    await api.get(participants(w.NORMAL_CAMPAIGN))
    course_documents = len(listed(standin_server.world, w.NORMAL_CAMPAIGN))
    assert upstream.total == 2 + course_documents


async def test_a_big_campaigns_people_cost_one_request(api, upstream):
    await api.get(participants(w.BIG_CAMPAIGN))
    assert counted(upstream) == {
        "campaign_users": 1,
        "active_courses": 1,
        "course": LISTED_AT_MOST,
        "users": 0,
        "user_stats": 0,
        "user_profile": 0,
    }


async def test_a_campaign_with_nothing_listed_never_asks_for_its_users(api, upstream):
    await api.get(participants(w.ENDED_CAMPAIGN))
    assert counted(upstream) == {name: int(name == "active_courses") for name in COUNTERS}


async def test_a_warm_answer_costs_nothing(api, upstream):
    await api.get(participants(w.NORMAL_CAMPAIGN))
    before = upstream.total
    await api.get(participants(w.NORMAL_CAMPAIGN))
    assert upstream.total == before


async def test_after_the_campaign_answer_only_users_json_is_asked(api, upstream):
    await api.get(active_courses(w.NORMAL_CAMPAIGN))
    before = upstream.counters()
    await api.get(participants(w.NORMAL_CAMPAIGN))
    after = upstream.counters()
    assert {name: after[name] - before[name] for name in (*COUNTERS, "total")} == {
        "campaign_users": 1,
        "active_courses": 0,
        "course": 0,
        "users": 0,
        "user_stats": 0,
        "user_profile": 0,
        "total": 1,
    }


async def test_users_json_is_kept_as_long_as_the_campaigns_list(make_settings, clock, upstream):
    # docs/caching.md: a campaign's users.json has the campaign's lifetimes, fresh 1 h.
    app = create_app(make_settings(), clock=clock)
    async with serving(app) as client:
        await client.get(participants(w.BIG_CAMPAIGN))
        clock.advance(3600 - 1)
        await client.get(participants(w.BIG_CAMPAIGN))
        await app.state.parts.drain()
        within = upstream.counters()["campaign_users"]
        clock.advance(2)
        await client.get(participants(w.BIG_CAMPAIGN))
        await app.state.parts.drain()
        after = upstream.counters()["campaign_users"]
    assert (within, after) == (1, 2)


# ---- HTTP caching ----------------------------------------------------------------------


async def test_an_etag_round_trip_answers_304(api):
    first = await api.get(participants(w.NORMAL_CAMPAIGN))
    second = await api.get(
        participants(w.NORMAL_CAMPAIGN), headers={"If-None-Match": first.headers["etag"]}
    )
    assert (second.status_code, second.content) == (304, b"")


async def test_the_answer_says_how_long_it_may_be_reused(api):
    response = await api.get(participants(w.NORMAL_CAMPAIGN))
    assert response.headers["cache-control"].startswith("public, max-age=")


# ---- what the dashboard may say --------------------------------------------------------

COURSE_SLUG = "Some_School/Some_Event_(2026)"


@dataclass(frozen=True)
class Served:
    """A participants answer from a dashboard serving ``users`` rows, and the metrics after."""

    body: dict[str, Any]
    text: str
    metrics: str


def _one_course_dashboard(users: list[dict[str, Any]]) -> Starlette:
    """A dashboard with one campaign listing one course active at FIXED_NOW, whose
    users.json holds ``users``."""
    course = {"id": 7, "title": "Some Event", "slug": COURSE_SLUG}
    dates = {"start": "2026-11-01T00:00:00.000Z", "end": "2026-12-01T00:00:00.000Z"}

    async def listed(request: Request) -> JSONResponse:
        return JSONResponse({"courses": [course]})

    async def course_json(request: Request) -> JSONResponse:
        return JSONResponse({"course": {**course, **dates}})

    async def campaign_users(request: Request) -> JSONResponse:
        return JSONResponse({"campaign": "some_campaign", "users": users})

    return Starlette(
        routes=[
            Route("/campaigns/{slug}/active_courses.json", listed),
            Route("/courses/{school}/{title}/course.json", course_json),
            Route("/campaigns/{slug}/users.json", campaign_users),
        ]
    )


ROWS: list[dict[str, Any]] = [
    # Fields besides course, role and username are never read (the dashboard could add
    # personal ones): these must not reach the answer.
    {
        "course": COURSE_SLUG,
        "role": "Editor",
        "username": "Good Student",
        "email": "student@example.org",
        "real_name": "Secret Real Name",
    },
    {"course": COURSE_SLUG, "role": "FACILITATOR", "username": "Good Host"},
    {"course": COURSE_SLUG, "role": "wiki education staff", "username": "Good Staff"},
    # A word no role has, and the dashboard's null for a role without a name.
    {"course": COURSE_SLUG, "role": "Mentor", "username": "Unknown Role"},
    {"course": COURSE_SLUG, "role": None, "username": "No Role"},
    # A name no account can have (it would be wikitext in a gadget's ping).
    {"course": COURSE_SLUG, "role": "Editor", "username": "Evil}}{{Delete"},
    # A course the campaign does not list as active.
    {"course": "Other_School/Long_Ago_(2019)", "role": "Editor", "username": "Past Student"},
]


@pytest.fixture
def served(make_settings, clock) -> Served:
    with BackgroundServer(_one_course_dashboard(ROWS)) as dashboard:
        app = create_app(make_settings(dashboard_url=dashboard.url), clock=clock)
        with BackgroundServer(app, lifespan="on") as service:
            answer = httpx.get(service.url + participants("some_campaign"))
            metrics = httpx.get(service.url + "/metrics").text
    return Served(answer.json(), answer.text, metrics)


def test_rows_with_known_roles_and_account_names_are_listed(served):
    assert [(p["username"], p["role"]) for p in served.body["participants"]] == [
        ("Good Staff", "staff"),
        ("Good Host", "instructor"),
        ("Good Student", "student"),
    ]


def test_rows_with_an_unknown_role_word_are_counted_in_the_metrics(served):
    labels = {"dashboard": "outreach", "endpoint": "campaign_users"}
    assert sample(served.metrics, "outreach_upstream_unknown_role_rows_total", **labels) == 2.0


def test_nothing_but_course_role_and_username_is_read(served):
    assert ("student@example.org" in served.text, "Secret Real Name" in served.text) == (
        False,
        False,
    )
