"""Course slugs as the dashboard makes them: nearly any character, and / inside titles.

How a client spells a slug in our URLs is documented in docs/api.md ("Course
and campaign slugs"): the path form takes the rest of the path as the title and a final
``/users`` as the roster; ``/api/course?slug=`` names any slug. Expected
values come from the stand-in's world, which models the dashboard's data.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest

from outreach_standin import world as w
from tests.support.standin import FIXED_NOW

AWKWARD = [
    w.COURSE_HASH,
    w.COURSE_SLASH,
    w.COURSE_BRACKETS,
    w.COURSE_PIPE_ANGLE,
    w.COURSE_QUERY_PERCENT,
]


def path_form(slug: str, suffix: str = "") -> str:
    """A slug in the path form: its / literal, everything else reserved escaped."""
    return "/api/courses/" + quote(slug, safe="/") + suffix


@pytest.mark.parametrize("slug", AWKWARD)
async def test_a_course_with_an_awkward_slug_is_answered_in_the_path_form(api, slug):
    body = (await api.get(path_form(slug))).json()
    assert (body["slug"], body["active"]) == (slug, True)


@pytest.mark.parametrize("slug", AWKWARD)
async def test_a_course_with_an_awkward_slug_is_answered_in_the_slug_form(api, slug):
    body = (await api.get("/api/course", params={"slug": slug})).json()
    assert body["slug"] == slug


@pytest.mark.parametrize("slug", AWKWARD)
async def test_the_roster_of_an_awkward_slug_is_answered_in_both_forms(api, slug):
    by_path = (await api.get(path_form(slug, "/users"))).json()
    by_query = (await api.get("/api/course/users", params={"slug": slug})).json()
    assert by_path["course_slug"] == slug
    assert by_path == by_query
    assert by_path["facilitators"], "a roster with no facilitators"


async def test_a_user_in_awkward_courses_sees_them_all_active(api, standin_server):
    world = standin_server.world
    expected = {
        e.course_slug
        for e in world.visible_enrollments_of(w.SLUGGER)
        if world.course(e.course_slug).tracking_active(FIXED_NOW)
    }
    rows = (await api.get(f"/api/users/{quote(w.SLUGGER)}?enrich=true")).json()["courses"]
    assert {r["course_slug"] for r in rows if r["active"]} == expected


async def test_status_counts_courses_with_awkward_slugs(api, standin_server):
    world = standin_server.world
    active = [
        e
        for e in world.visible_enrollments_of(w.SLUGGER)
        if world.course(e.course_slug).tracking_active(FIXED_NOW)
    ]
    body = (await api.get(f"/api/users/{quote(w.SLUGGER)}/status")).json()
    assert (body["active_course_count"], body["unreadable_courses"]) == (len(active), 0)


async def test_active_staff_covers_courses_with_awkward_slugs(api):
    body = (await api.get(f"/api/users/{quote(w.SLUGGER)}/active-staff")).json()
    assert {c["course_slug"] for c in body["courses"]} >= set(AWKWARD)


async def test_spellings_of_a_slug_the_dashboard_folds_together_cost_one_request(api, upstream):
    await api.get(path_form(w.COURSE_ACTIVE))
    await api.get(path_form(w.COURSE_ACTIVE.upper()))
    assert upstream.counters()["course"] == 1


async def test_a_title_ending_in_users_needs_the_slug_form(api, upstream):
    # The path form reads a final /users as the roster of the slug before it.
    response = await api.get("/api/course", params={"slug": "Some_School/Power/users"})
    assert (response.status_code, upstream.counters()["course"]) == (404, 1)
