"""Active staff, status, batches and campaigns, at chosen instants, against the stand-in."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from outreach_standin import world as w
from tests.support.standin import FIXED_NOW


def user(name: str, suffix: str = "") -> str:
    return "/api/users/" + quote(name, safe="") + suffix


def batch(names: list[str]) -> str:
    return "/api/users?usernames=" + quote("|".join(names), safe="")


# ---- active staff ------------------------------------------------------------------


async def test_active_staff_spans_courses_where_the_user_is_staff_or_student(api):
    body = (await api.get(user(w.TWO_HATS, "/active-staff"))).json()
    slugs = {c["course_slug"] for c in body["courses"]}
    assert {w.COURSE_TWO_HATS, w.COURSE_ACTIVE} <= slugs


async def test_the_user_is_listed_only_where_they_are_staff(api):
    body = (await api.get(user(w.TWO_HATS, "/active-staff"))).json()
    staff = {c["course_slug"]: c["staff"] for c in body["courses"]}
    assert (w.TWO_HATS in staff[w.COURSE_TWO_HATS], w.TWO_HATS in staff[w.COURSE_ACTIVE]) == (
        True,
        False,
    )


async def test_each_course_says_the_users_own_role_and_its_end(api):
    # The gadget's dialog shows both without asking again (GADGET.md).
    body = (await api.get(user(w.TWO_HATS, "/active-staff"))).json()
    roles = {c["course_slug"]: c["user_role"] for c in body["courses"]}
    assert (roles[w.COURSE_TWO_HATS], roles[w.COURSE_ACTIVE]) == ("instructor", "student")
    for course in body["courses"]:
        facts = (await api.get("/api/course", params={"slug": course["course_slug"]})).json()
        assert course["end"] == facts["end"]


async def test_a_re_enrolled_user_has_the_higher_of_their_roles(api):
    # Ngozi Eze enrolled in COURSE_ACTIVE as a student, later as an online volunteer.
    body = (await api.get(user(w.NGOZI, "/active-staff"))).json()
    course = next(c for c in body["courses"] if c["course_slug"] == w.COURSE_ACTIVE)
    assert course["user_role"] == "online_volunteer"


async def test_all_staff_is_the_sorted_union(api):
    body = (await api.get(user(w.TWO_HATS, "/active-staff"))).json()
    union = sorted({p for c in body["courses"] for p in c["staff"]})
    assert body["all_staff"] == union


async def test_a_re_enrolled_volunteer_is_listed_once(api):
    body = (await api.get(user(w.MARTA, "/active-staff"))).json()
    staff = next(c["staff"] for c in body["courses"] if c["course_slug"] == w.COURSE_ACTIVE)
    assert staff.count(w.NGOZI) == 1


async def test_tracking_window_includes_a_course_whose_event_is_over(api):
    body = (await api.get(user(w.MARTA, "/active-staff?window=tracking"))).json()
    assert w.COURSE_EVENT_OVER in {c["course_slug"] for c in body["courses"]}


async def test_event_window_excludes_a_course_whose_event_is_over(api):
    body = (await api.get(user(w.MARTA, "/active-staff?window=event"))).json()
    assert w.COURSE_EVENT_OVER not in {c["course_slug"] for c in body["courses"]}


async def test_a_user_with_no_active_course_gets_empty_lists(api):
    body = (await api.get(user(w.QUIET, "/active-staff"))).json()
    assert (body["all_staff"], body["courses"]) == ([], [])


async def test_active_staff_of_an_unknown_user_is_404(api):
    assert (await api.get(user("Nobody Ever Registered This", "/active-staff"))).status_code == 404


async def test_an_unknown_window_is_422_without_asking_upstream(api, upstream):
    response = await api.get(user(w.MARTA, "/active-staff?window=fortnight"))
    assert (response.status_code, upstream.total) == (422, 0)


async def test_rosters_are_read_only_for_active_courses(api, upstream):
    body = (await api.get(user(w.BUSY, "/active-staff"))).json()
    counters = upstream.counters()
    assert (counters["users"], counters["course"] > counters["users"]) == (
        len(body["courses"]),
        True,
    )


async def test_a_course_is_active_at_the_very_instant_its_window_ends(api, clock, standin_server):
    clock.now = standin_server.world.course(w.COURSE_TWO_HATS).end.timestamp()
    body = (await api.get(user(w.TWO_HATS, "/active-staff"))).json()
    assert w.COURSE_TWO_HATS in {c["course_slug"] for c in body["courses"]}


async def test_a_course_is_inactive_one_second_after_its_window_ends(api, clock, standin_server):
    clock.now = standin_server.world.course(w.COURSE_TWO_HATS).end.timestamp() + 1
    body = (await api.get(user(w.TWO_HATS, "/active-staff"))).json()
    assert w.COURSE_TWO_HATS not in {c["course_slug"] for c in body["courses"]}


async def test_a_course_is_active_at_the_very_instant_its_window_starts(api, clock, standin_server):
    clock.now = standin_server.world.course(w.COURSE_TWO_HATS).start.timestamp()
    body = (await api.get(user(w.TWO_HATS, "/active-staff"))).json()
    assert w.COURSE_TWO_HATS in {c["course_slug"] for c in body["courses"]}


# ---- status ---------------------------------------------------------------------------


async def test_status_counts_active_courses_in_both_windows(api):
    body = (await api.get(user(w.MARTA, "/status"))).json()
    assert (body["has_any_courses"], body["active_course_count"] > body["active_event_count"]) == (
        True,
        True,
    )


async def test_status_counts_a_course_enrolled_in_twice_once(api, standin_server):
    body = (await api.get(user(w.NGOZI, "/status"))).json()
    distinct = {e.course_slug for e in standin_server.world.visible_enrollments_of(w.NGOZI)}
    assert body["total_courses"] == len(distinct)


async def test_status_of_an_unknown_user_is_200_with_zeros(api):
    response = await api.get(user("Nobody Ever Registered This", "/status"))
    assert (response.status_code, response.json()) == (
        200,
        {
            "username": "Nobody Ever Registered This",
            "has_any_courses": False,
            "active_course_count": 0,
            "active_event_count": 0,
            "total_courses": 0,
            "unreadable_courses": 0,
            "is_instructor": False,
            "is_student": False,
            "dashboards": {"outreach": "no_account"},
            "partial": False,
        },
    )


async def test_status_reads_no_rosters(api, upstream):
    await api.get(user(w.BUSY, "/status"))
    assert upstream.counters()["users"] == 0


async def test_status_of_an_unknown_user_is_cached_as_negative(api, upstream):
    for _ in range(5):
        await api.get(user("Nobody Ever Registered This", "/status"))
    assert upstream.counters()["user_profile"] == 1


# ---- batches ----------------------------------------------------------------------------


async def test_batch_answers_in_request_order(api):
    names = [w.QUIET, w.MARTA, w.ZOE]
    body = (await api.get(batch(names))).json()
    assert [e["username"] for e in body["users"]] == names


async def test_batch_of_fifty_with_repeats_unknowns_and_invalid_names(
    api, upstream, standin_server
):
    real = list(standin_server.world.usernames_with_courses[:40])
    repeats = [real[0], real[1], real[2].replace(" ", "_"), real[3]]
    unknown = ["Nobody One", "Nobody Two", "Nobody One"]
    invalid = ["bad#name", "x" * 300, "10.0.0.1"]
    names = [*real, *repeats, *unknown, *invalid]
    body = (await api.get(batch(names))).json()
    statuses = [e["error"]["status"] if "error" in e else 200 for e in body["users"]]
    counters = upstream.counters()
    assert (
        len(names),
        len(body["users"]),
        statuses.count(400),
        counters["user_profile"],
        counters["user_stats"],
    ) == (50, 50, 3, len(real) + 2, len(real))


async def test_batch_spellings_of_one_user_cost_one_lookup(api, upstream):
    await api.get(batch(["marta_Quill", "Marta Quill", "Marta_Quill"]))
    assert upstream.counters()["user_stats"] == 1


async def test_batch_reports_unknown_users_as_zeros(api):
    body = (await api.get(batch(["Nobody Ever Registered This"]))).json()
    assert body["users"][0]["has_any_courses"] is False


async def test_batch_reports_invalid_names_as_problems(api):
    entry = (await api.get(batch(["bad#name"]))).json()["users"][0]
    assert (entry["username"], entry["error"]["status"]) == ("bad#name", 400)


async def test_batch_of_fifty_one_is_400_without_asking_upstream(api, upstream):
    response = await api.get(batch([f"Editor {i}" for i in range(51)]))
    assert (response.status_code, upstream.total) == (400, 0)


async def test_batch_without_usernames_is_422(api):
    assert (await api.get("/api/users")).status_code == 422


async def test_empty_batch_is_400(api):
    assert (await api.get("/api/users?usernames=")).status_code == 400


async def test_cold_batch_of_fifty_costs_fifty_users_and_one_document_per_course(
    api, upstream, standin_server
):
    world = standin_server.world
    names = list(world.usernames_with_courses[:50])
    await api.get(batch(names))
    courses = {e.course_slug for n in names for e in world.visible_enrollments_of(n)}
    counters = upstream.counters()
    assert (counters["user_stats"], counters["course"], counters["users"]) == (50, len(courses), 0)


async def test_warm_batch_of_fifty_costs_nothing(api, upstream, standin_server):
    names = list(standin_server.world.usernames_with_courses[:50])
    await api.get(batch(names))
    before = upstream.total
    await api.get(batch(names))
    assert upstream.total == before


async def test_batch_with_an_upstream_failure_marks_that_entry_and_is_not_reusable(
    make_settings, clock, upstream
):
    from outreach_helper.app import create_app
    from tests.support.service import serving

    async with serving(create_app(make_settings(), clock=clock)) as api:
        await api.get(batch([w.MARTA]))
        upstream.fault("error500")
        response = await api.get(batch([w.MARTA, w.ZOE]))
    entries = response.json()["users"]
    assert (
        "error" in entries[0],
        entries[1]["error"]["status"],
        response.headers["cache-control"].split(",")[1].strip(),
    ) == (False, 502, "max-age=0")


# ---- campaigns -----------------------------------------------------------------------------


def active_campaign_courses(world, campaign: str) -> set[str]:
    """The documented answer: the campaign's visible courses with start <= now <= end."""
    return {
        slug
        for slug in world.campaign(campaign).course_slugs
        if not world.course(slug).private and world.course(slug).tracking_active(FIXED_NOW)
    }


async def test_campaign_lists_its_active_courses_with_integer_counts(api):
    body = (await api.get(f"/api/campaigns/{w.NORMAL_CAMPAIGN}/active-courses")).json()
    course = body["courses"][0]
    assert (
        body["campaign"],
        isinstance(course["word_count"], int),
        course["staff"],
        course["url"].startswith("http"),
    ) == (w.NORMAL_CAMPAIGN, True, None, True)


async def test_campaign_lists_only_the_courses_active_now(api, standin_server):
    body = (await api.get(f"/api/campaigns/{w.NORMAL_CAMPAIGN}/active-courses")).json()
    expected = active_campaign_courses(standin_server.world, w.NORMAL_CAMPAIGN) - {w.COURSE_BROKEN}
    assert {c["slug"] for c in body["courses"]} == expected


async def test_campaign_leaves_out_upcoming_and_recently_ended_courses(api):
    body = (await api.get(f"/api/campaigns/{w.NORMAL_CAMPAIGN}/active-courses")).json()
    slugs = {c["slug"] for c in body["courses"]}
    assert (w.COURSE_UPCOMING in slugs, w.COURSE_RECENTLY_ENDED in slugs) == (False, False)


async def test_campaign_courses_carry_their_dates(api, standin_server):
    body = (await api.get(f"/api/campaigns/{w.NORMAL_CAMPAIGN}/active-courses")).json()
    row = next(c for c in body["courses"] if c["slug"] == w.COURSE_ACTIVE)
    course = standin_server.world.course(w.COURSE_ACTIVE)
    assert (row["start"][:10], row["end"][:10]) == (
        course.start.date().isoformat(),
        course.end.date().isoformat(),
    )


async def test_a_cold_campaign_costs_its_list_and_one_course_document_each(api, upstream):
    body = (await api.get(f"/api/campaigns/{w.BIG_CAMPAIGN}/active-courses")).json()
    counters = upstream.counters()
    assert (counters["active_courses"], counters["course"], len(body["courses"]) <= 100) == (
        1,
        100,
        True,
    )


async def test_a_campaign_whose_list_the_dashboard_cut_is_not_complete(api):
    # Upstream README: active_courses.json lists at most 100 courses, cut without a signal.
    body = (await api.get(f"/api/campaigns/{w.BIG_CAMPAIGN}/active-courses")).json()
    assert body["complete"] is False


async def test_a_campaign_listed_below_the_dashboards_maximum_is_complete(api):
    body = (await api.get(f"/api/campaigns/{w.NORMAL_CAMPAIGN}/active-courses")).json()
    assert body["complete"] is True


async def test_campaign_staff_comes_from_one_roster_per_active_course(api, upstream):
    body = (await api.get(f"/api/campaigns/{w.BIG_CAMPAIGN}/active-courses?staff=true")).json()
    assert (
        all(isinstance(c["staff"], list) for c in body["courses"]),
        upstream.counters()["users"],
    ) == (True, len(body["courses"]))


async def test_campaign_instructor_is_among_its_staff(api):
    body = (await api.get(f"/api/campaigns/{w.NORMAL_CAMPAIGN}/active-courses?staff=true")).json()
    with_instructor = [c for c in body["courses"] if c["instructor"]]
    assert all(c["instructor"] in c["staff"] for c in with_instructor)


async def test_unknown_campaign_is_404(api):
    assert (await api.get("/api/campaigns/no_such_campaign/active-courses")).status_code == 404


@pytest.mark.parametrize("slug", ["bad%23slug", "%20", "a%7Cb", "no-such-campaign"])
async def test_impossible_campaign_slugs_are_400_without_asking_upstream(api, upstream, slug):
    response = await api.get(f"/api/campaigns/{slug}/active-courses")
    assert (response.status_code, upstream.total) == (400, 0)


async def test_campaign_is_cached_as_its_own_document(api, upstream):
    for _ in range(3):
        await api.get(f"/api/campaigns/{w.NORMAL_CAMPAIGN}/active-courses")
    assert upstream.counters()["active_courses"] == 1


async def test_status_of_an_unknown_user_is_one_cache_lookup(api):
    await api.get(user("Nobody Ever Registered This", "/status"))
    metrics = (await api.get("/metrics")).text
    lookups = [
        line
        for line in metrics.splitlines()
        if line.startswith("outreach_cache_lookups_total") and 'kind="user' in line
    ]
    assert lookups == [
        'outreach_cache_lookups_total{dashboard="outreach",kind="user_profile",outcome="miss"} 1.0',
    ]
