"""The public API end to end: the app in process, the stand-in over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse
from starlette.routing import Route

from outreach_helper.app import create_app
from outreach_standin import world as w
from outreach_standin.server import BackgroundServer
from tests.support.service import serving

PROBLEM = "application/problem+json"


def user_path(name: str) -> str:
    return "/api/users/" + quote(name, safe="")


def course_path(slug: str, suffix: str = "") -> str:
    school, title = slug.split("/")
    return f"/api/courses/{quote(school, safe='')}/{quote(title, safe='')}{suffix}"


# ---- users -------------------------------------------------------------------


async def test_user_answer_has_the_seed_fields_and_its_dashboards(api):
    body = (await api.get(user_path(w.MARTA))).json()
    seed = {"username", "courses", "is_instructor", "is_student", "max_project"}
    assert set(body) == seed | {"dashboards", "partial"}


async def test_user_course_rows_have_the_seed_fields_and_their_dashboard(api):
    row = (await api.get(user_path(w.MARTA))).json()["courses"][0]
    seed = {
        "course_id",
        "course_title",
        "course_school",
        "course_term",
        "user_count",
        "user_role",
        "course_slug",
    }
    assert set(row) == seed | {"dashboard", "url"}


@pytest.mark.parametrize("spelling", ["marta_Quill", "Marta_Quill", "  Marta   Quill "])
async def test_spellings_of_one_user_answer_with_the_canonical_name(api, spelling):
    assert (await api.get(user_path(spelling))).json()["username"] == w.MARTA


async def test_spellings_of_one_user_cost_one_upstream_request(api, upstream):
    for spelling in ("marta_Quill", "Marta_Quill", "Marta Quill"):
        await api.get(user_path(spelling))
    assert upstream.counters()["user_stats"] == 1


async def test_roles_are_lower_case_codes(api):
    rows = (await api.get(user_path(w.NGOZI))).json()["courses"]
    assert {r["user_role"] for r in rows} <= {
        "student",
        "instructor",
        "campus_volunteer",
        "online_volunteer",
        "staff",
    }


async def test_every_instructor_enrollment_is_reported_as_instructor(api, standin_server):
    world = standin_server.world
    taught = {e.course_slug for e in world.visible_enrollments_of(w.MARTA) if e.role == 1}
    rows = (await api.get(user_path(w.MARTA))).json()["courses"]
    assert {r["user_role"] for r in rows if r["course_slug"] in taught} == {"instructor"}


async def test_user_with_no_courses_is_200_with_an_empty_list(api):
    response = await api.get(user_path(w.QUIET))
    assert (response.status_code, response.json()["courses"]) == (200, [])


async def test_unknown_user_is_a_404_problem(api):
    response = await api.get(user_path("Nobody Ever Registered This"))
    assert (response.status_code, response.headers["content-type"]) == (404, PROBLEM)


async def test_problem_body_has_the_rfc_9457_members(api):
    body = (await api.get(user_path("Nobody Ever Registered This"))).json()
    assert {"type", "title", "status", "detail"} <= set(body)


@pytest.mark.parametrize("name", [w.KAI, w.PERCENT, w.OLD_TIMER, w.ZOE])
async def test_names_with_plus_percent_colon_and_accents_are_found(api, name):
    response = await api.get(user_path(name))
    assert (response.status_code, bool(response.json()["courses"])) == (200, True)


@pytest.mark.parametrize(
    "raw",
    ["a#b", "a<b", "a>b", "a[b", "a]b", "a|b", "a{b", "a}b", "a\x07b", "x" * 256, "10.0.0.1", " "],
)
async def test_impossible_usernames_are_400_without_asking_upstream(api, upstream, raw):
    response = await api.get(user_path(raw))
    assert (response.status_code, response.headers["content-type"], upstream.total) == (
        400,
        PROBLEM,
        0,
    )


async def test_a_slash_in_a_username_is_400_without_asking_upstream(api, upstream):
    response = await api.get("/api/users/AC/DC")
    assert (response.status_code, upstream.total) == (400, 0)


@pytest.fixture
def listening(make_settings, clock) -> Iterator[str]:
    """The service on a real loopback socket, as uvicorn serves it: its base URL."""
    with BackgroundServer(create_app(make_settings(), clock=clock), lifespan="on") as service:
        yield service.url


USER_ROUTES = ["", "/status", "/active-staff", "?enrich=true"]


# A client resolves "." and ".." in a URL's path before sending it (/api/users/../x is
# /api/x), so only their escaped spellings arrive as names; MediaWiki has no such title.
@pytest.mark.parametrize("dots", ["%2E", "%2E%2E", ".%2E", "%2e%2E"])
@pytest.mark.parametrize("route", USER_ROUTES)
def test_dot_and_dot_dot_are_400_over_http_without_asking_upstream(
    listening, upstream, dots, route
):
    response = httpx.get(f"{listening}/api/users/{dots}{route}")
    assert (response.status_code, response.headers["content-type"], upstream.total) == (
        400,
        PROBLEM,
        0,
    )
    assert response.json()["detail"] == "a username cannot be . or .."


# MediaWiki's own rules (MediaWikiTitleCodec, UserNameUtils::isValid): titles lose the
# bidirectional marks and embeddings, so "Foo" + U+200E would be read as "Foo"; no
# username holds zero-width or private-use characters; "~~~" is a signature in wikitext.
INVISIBLE_OR_SIGNING = {
    "Some\u200eone": "U+200E",  # left-to-right mark
    "\u200fSomeone": "U+200F",  # right-to-left mark
    "Some\u202aone": "U+202A",  # left-to-right embedding
    "Some\u202bone": "U+202B",  # right-to-left embedding
    "Some\u202cone": "U+202C",  # pop directional formatting
    "Some\u202done": "U+202D",  # left-to-right override
    "Some\u202eone": "U+202E",  # right-to-left override
    "Some\u200bone": "U+200B",  # zero-width space
    "Some\u200cone": "U+200C",  # zero-width non-joiner
    "Some\u200done": "U+200D",  # zero-width joiner
    "Some\ue000one": "U+E000",  # private use
    "Someone~~~~": "~~~",
    "Someone~~~": "~~~",
}


@pytest.mark.parametrize("name", list(INVISIBLE_OR_SIGNING))
@pytest.mark.parametrize("route", USER_ROUTES)
def test_invisible_characters_and_signatures_are_400_over_http_without_asking_upstream(
    listening, upstream, name, route
):
    response = httpx.get(listening + user_path(name) + route)
    assert (response.status_code, response.headers["content-type"], upstream.total) == (
        400,
        PROBLEM,
        0,
    )
    assert INVISIBLE_OR_SIGNING[name] in response.json()["detail"]


def test_a_batch_refuses_each_such_name_without_asking_upstream(listening, upstream):
    names = [".", "..", *INVISIBLE_OR_SIGNING]
    query = quote("|".join(names), safe="")
    response = httpx.get(f"{listening}/api/users?usernames={query}")
    assert response.status_code == 200
    entries = response.json()["users"]
    assert [(e["username"], e["error"]["status"]) for e in entries] == [(n, 400) for n in names]
    assert upstream.total == 0


async def test_invalid_query_parameter_is_422_without_asking_upstream(api, upstream):
    response = await api.get(user_path(w.MARTA) + "?enrich=perhaps")
    assert (response.status_code, response.headers["content-type"], upstream.total) == (
        422,
        PROBLEM,
        0,
    )


async def test_enrich_marks_active_and_event_windows(api):
    rows = (await api.get(user_path(w.MARTA) + "?enrich=true")).json()["courses"]
    by_slug = {r["course_slug"]: r for r in rows}
    assert (
        (by_slug[w.COURSE_ACTIVE]["active"], by_slug[w.COURSE_ACTIVE]["active_event"]),
        (by_slug[w.COURSE_EVENT_OVER]["active"], by_slug[w.COURSE_EVENT_OVER]["active_event"]),
        (by_slug[w.COURSE_ENDED]["active"], by_slug[w.COURSE_ENDED]["active_event"]),
    ) == ((True, True), (True, False), (False, False))


async def test_enrich_lists_sorted_staff_of_each_course(api):
    rows = (await api.get(user_path(w.MARTA) + "?enrich=true")).json()["courses"]
    staff = next(r["staff"] for r in rows if r["course_slug"] == w.COURSE_ACTIVE)
    assert (staff == sorted(staff), w.MARTA in staff, w.ZOE in staff) == (True, True, False)


async def test_enrich_gives_the_four_dates(api):
    row = (await api.get(user_path(w.MARTA) + "?enrich=true")).json()["courses"][0]
    assert {"start", "end", "timeline_start", "timeline_end"} <= set(row)


async def test_enrich_asks_for_each_course_and_roster_once(api, upstream):
    rows = (await api.get(user_path(w.BUSY) + "?enrich=true")).json()["courses"]
    slugs = {r["course_slug"] for r in rows}
    counters = upstream.counters()
    assert (len(rows) >= 25, counters["course"], counters["users"]) == (
        True,
        len(slugs),
        len(slugs),
    )


# ---- courses -----------------------------------------------------------------


async def test_course_answer_uses_the_real_course_id_and_integer_counts(api):
    body = (await api.get(course_path(w.COURSE_ACTIVE))).json()
    assert (body["id"], body["edited_count"], body["word_count"], body["view_count"]) == (
        30517,
        1700,
        1400000,
        5450,
    )


async def test_course_answer_has_its_dashboard_url(api, upstream):
    body = (await api.get(course_path(w.COURSE_ACTIVE))).json()
    assert body["url"].startswith(upstream.url + "/courses/Riverside_Library_Network/")


async def test_course_answer_never_has_passcode_or_flags_even_for_a_privileged_view(api, upstream):
    upstream.privileged(True)
    text = (await api.get(course_path(w.COURSE_ACTIVE))).text
    assert ("passcode" in text, "flags" in text, "update_logs" in text) == (False, False, False)


@pytest.mark.parametrize(
    ("slug", "active", "active_event", "ended"),
    [
        (w.COURSE_ACTIVE, True, True, False),
        (w.COURSE_EVENT_OVER, True, False, False),
        (w.COURSE_EVENT_NOT_STARTED, True, False, False),
        (w.COURSE_ENDED, False, False, True),
        (w.COURSE_FUTURE, False, False, False),
    ],
)
async def test_course_activity_follows_the_clock(api, slug, active, active_event, ended):
    body = (await api.get(course_path(slug))).json()
    assert (body["active"], body["active_event"], body["ended"]) == (active, active_event, ended)


async def test_course_with_enrich_lists_staff(api):
    body = (await api.get(course_path(w.COURSE_ACTIVE) + "?enrich=true")).json()
    assert w.MARTA in body["staff"]


async def test_private_course_is_a_404_problem(api):
    response = await api.get(course_path(w.COURSE_PRIVATE))
    assert (response.status_code, response.json()["status"]) == (404, 404)


@pytest.mark.parametrize(
    ("path", "status"),
    [
        # Course slugs no URL can carry intact (docs/api.md, "Course and campaign slugs").
        ("/api/courses/School/%20", 400),
        ("/api/courses/only-a-school", 400),
        ("/api/courses/School//Title", 400),
        ("/api/courses/School/%2E%2E", 400),
        ("/api/course?slug=only-a-school", 400),
        ("/api/course", 422),  # the slug form without a slug
        # docs/dashboards.md: user answers ask every dashboard serving ?wiki=; dashboard= is for
        # course, roster and campaign routes, and refused, not ignored, on user routes.
        ("/api/users/Marta_Quill?dashboard=outreach", 422),
        ("/api/users/Marta_Quill/status?dashboard=wikiedu", 422),
        ("/api/users/Marta_Quill/active-staff?dashboard=outreach", 422),
        ("/api/users?usernames=Marta_Quill&dashboard=outreach", 422),
    ],
)
async def test_refused_input_is_answered_without_asking_upstream(api, upstream, path, status):
    response = await api.get(path)
    assert (response.status_code, upstream.total) == (status, 0)


async def test_roster_splits_facilitators_and_participants(api):
    body = (await api.get(course_path(w.COURSE_ACTIVE, "/users"))).json()
    roles = {r["username"]: r["role"] for r in body["facilitators"]}
    assert (roles[w.MARTA], roles[w.NGOZI], roles[w.STAFF]) == (
        "instructor",
        "online_volunteer",
        "staff",
    )


async def test_roster_lists_each_username_once(api):
    body = (await api.get(course_path(w.COURSE_ACTIVE, "/users"))).json()
    names = [r["username"] for r in body["facilitators"] + body["participants"]]
    assert len(names) == len(set(names))


async def test_roster_never_passes_on_emails_or_real_names(api, upstream):
    upstream.privileged(True)
    body = (await api.get(course_path(w.COURSE_ACTIVE, "/users"))).json()
    keys = {key for row in body["facilitators"] + body["participants"] for key in row}
    assert keys == {"username", "role", "enrolled_at"}


def _roster_upstream(rows: list[dict[str, object]]) -> Starlette:
    """A dashboard whose only course roster holds ``rows``, as ``users.json`` serves them."""

    async def users(request: Request) -> JSONResponse:
        return JSONResponse({"course": {"users": rows}})

    return Starlette(routes=[Route("/courses/{school}/{title}/users.json", users)])


def test_roster_answer_leaves_out_names_no_account_can_have(make_settings, clock):
    # docs/security.md: roster rows whose username cannot be a MediaWiki account are left out.
    names = ["Evil}}{{Delete", "Pipe|Name", "[[Spam]]", "<i>x</i>", "Line\nBreak", "192.0.2.7"]
    rows: list[dict[str, object]] = [
        {"username": name, "role": 1, "enrolled_at": None} for name in names
    ]
    rows += [
        {"username": "Good Staff", "role": 1, "enrolled_at": None},
        {"username": "Good Student", "role": 0, "enrolled_at": None},
    ]
    with BackgroundServer(_roster_upstream(rows)) as dashboard:
        app = create_app(make_settings(dashboard_url=dashboard.url), clock=clock)
        with BackgroundServer(app, lifespan="on") as service:
            answer = httpx.get(service.url + course_path("Some_School/Some_Course", "/users"))
    assert answer.status_code == 200
    body = answer.json()
    assert [m["username"] for m in body["facilitators"]] == ["Good Staff"]
    assert [m["username"] for m in body["participants"]] == ["Good Student"]


# ---- upstream trouble ----------------------------------------------------------


@pytest.mark.parametrize(
    ("mode", "status"),
    [
        ("error500", 502),
        ("drop", 503),
        ("rate_limited", 503),
        ("html200", 502),
        ("cut", 502),
        ("wrongshape", 502),
        ("slow", 504),
    ],
)
async def test_upstream_faults_map_to_problem_statuses(
    make_settings, clock, upstream, mode, status
):
    from outreach_helper.app import create_app
    from tests.support.service import serving

    upstream.fault(mode, retry_after=60, slow_seconds=1.5)
    async with serving(create_app(make_settings(upstream_timeout=0.5), clock=clock)) as api:
        response = await api.get(user_path(w.MARTA))
    assert (response.status_code, response.headers["content-type"]) == (status, PROBLEM)


async def test_unreachable_dashboard_is_503(make_settings, clock):
    from outreach_helper.app import create_app
    from tests.support.servers import free_port
    from tests.support.service import serving

    settings = make_settings(dashboard_url=f"http://127.0.0.1:{free_port()}")
    async with serving(create_app(settings, clock=clock)) as api:
        response = await api.get(user_path(w.MARTA))
    assert response.status_code == 503


# ---- meta ----------------------------------------------------------------------


async def test_health_reports_the_cache_and_each_dashboard(api):
    body = (await api.get("/health")).json()
    assert (body["status"], sorted(body["checks"])) == ("healthy", ["cache", "dashboard:outreach"])


async def test_health_is_200_and_degraded_when_the_dashboard_fails(api, upstream):
    upstream.fault("drop")  # the host in trouble (one document's 500 is not)
    response = await api.get("/health")
    assert (response.status_code, response.json()["status"]) == (200, "degraded")


async def test_index_links_to_the_docs(api):
    assert (await api.get("/")).json()["links"]["docs"] == "/docs"


async def test_openapi_documents_the_user_route(api):
    paths = (await api.get("/openapi.json")).json()["paths"]
    assert "/api/users/{username}" in paths


async def test_docs_page_is_served(api):
    assert (await api.get("/docs")).status_code == 200


async def test_cors_allows_any_origin_without_credentials(api):
    response = await api.get(user_path(w.MARTA), headers={"Origin": "https://en.wikipedia.org"})
    assert (
        response.headers["access-control-allow-origin"],
        "access-control-allow-credentials" in response.headers,
    ) == ("*", False)


async def test_unknown_route_is_a_404_problem(api):
    response = await api.get("/no/such/thing")
    assert (response.status_code, response.headers["content-type"]) == (404, PROBLEM)


async def test_head_answers_like_get_without_a_body(api):
    response = await api.head(user_path(w.MARTA))
    assert (response.status_code, response.content, "etag" in response.headers) == (200, b"", True)


async def test_roster_answers_never_carry_real_names_or_emails(api, upstream):
    # The dashboard shows greeters' real names and e-mails even to anonymous clients.
    raw = upstream_users_json(upstream.url, w.COURSE_ACTIVE)
    body = (await api.get(course_path(w.COURSE_ACTIVE, "/users"))).text
    assert ("real_name" in raw, "email" in raw, "real_name" in body, "email" in body) == (
        True,
        True,
        False,
        False,
    )


def upstream_users_json(base: str, slug: str) -> str:
    return httpx.get(f"{base}/courses/{quote(slug, safe='/')}/users.json", timeout=5).text


def _html_404_everywhere() -> Starlette:
    """A server that is not the dashboard: a proxy or a wrong base URL answering HTML 404s."""

    async def page(request: Request) -> HTMLResponse:
        return HTMLResponse("<html><body>Not Found</body></html>", status_code=404)

    return Starlette(routes=[Route("/{rest:path}", page)])


@pytest.mark.parametrize(
    "path",
    ["/api/users/Marta_Quill", "/api/course?slug=School/Title", "/api/campaigns/c/active-courses"],
)
async def test_an_html_404_is_somebody_else_answering_never_not_found(make_settings, clock, path):
    with BackgroundServer(_html_404_everywhere()) as elsewhere:
        app = create_app(make_settings(dashboard_url=elsewhere.url), clock=clock)
        async with serving(app) as client:
            response = await client.get(path)
    assert (response.status_code, response.headers["cache-control"]) == (502, "no-store")


@pytest.mark.parametrize(
    ("path", "status", "cache_control"),
    [
        # docs/caching.md, "HTTP caching": a 404 is kept a minute, a refused input five minutes.
        ("/api/users/Nobody_Ever_Registered_This", 404, "public, max-age=60"),
        ("/api/users/A%7CB", 400, "public, max-age=300"),
        ("/api/users/Marta_Quill?enrich=perhaps", 422, "public, max-age=300"),
    ],
)
async def test_problems_about_input_are_kept_briefly(api, path, status, cache_control):
    response = await api.get(path)
    assert (response.status_code, response.headers["cache-control"]) == (status, cache_control)
