"""The stand-in routes and answers errors like the dashboard's Rails stack.

Expected values come from the source report (sections 1, 3 and 7.1): greedy
course routes, ``//`` squeezed before matching, path parameters decoded
``%XX`` only, lookups that ignore case and accents, controller-raised 404s
that are JSON on ``.json`` paths, and route misses and 500s whose format is
negotiated (format parameter, then a non-browser Accept, then the extension).
"""

from __future__ import annotations

import httpx
import pytest

from outreach_standin.world import COURSE_ACTIVE, COURSE_EVENT_OVER, MARTA, NORMAL_CAMPAIGN
from tests.standin.support import JSON, course_path, get_without_accept

NOT_FOUND = {"message": "Not found"}
SERVER_ERROR = {"message": "Internal server error"}
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def is_json(response: httpx.Response) -> bool:
    return response.headers["content-type"].startswith("application/json")


def is_html(response: httpx.Response) -> bool:
    return response.headers["content-type"].startswith("text/html")


def test_route_miss_is_json_only_when_the_format_says_so(client: httpx.Client) -> None:
    asked_json = client.get("/no/such/page", headers=JSON)
    assert (asked_json.status_code, asked_json.json()) == (404, NOT_FOUND)
    assert asked_json.headers["vary"] == "Accept"
    # httpx's default "Accept: */*" is a valid header that renders HTML first.
    star = client.get("/no/such/page.json")
    assert (star.status_code, is_html(star)) == (404, True)
    # A browser-like Accept is ignored: the path's extension decides.
    browser = client.get("/no/such/page.json", headers={"Accept": BROWSER_ACCEPT})
    assert (browser.status_code, browser.json()) == (404, NOT_FOUND)
    assert get_without_accept(client, "/no/such/page.json").json() == NOT_FOUND
    assert is_html(get_without_accept(client, "/no/such/page"))
    assert client.get("/no/such/page?format=json").json() == NOT_FOUND
    # A campaign slug never holds "."; the route's segment refuses it.
    dotted = client.get("/campaigns/a.b/active_courses.json", headers=JSON)
    assert (dotted.status_code, dotted.json()) == (404, NOT_FOUND)
    # The routes are GET (and HEAD) only.
    posted = client.post(course_path(COURSE_ACTIVE), headers=JSON)
    assert (posted.status_code, posted.json()) == (404, NOT_FOUND)
    assert client.head(course_path(COURSE_ACTIVE)).status_code == 200


@pytest.mark.parametrize("accept", ["*/*", "application/json", "text/html", BROWSER_ACCEPT])
def test_user_stats_without_username_is_a_json_500(client: httpx.Client, accept: str) -> None:
    response = client.get("/user_stats.json", headers={"Accept": accept})
    assert (response.status_code, is_json(response)) == (500, True)
    assert response.json() == SERVER_ERROR


def test_course_lookup_ignores_case_and_accents(client: httpx.Client) -> None:
    variant = "universite_de_lyon,_BIBLIOTHEQUE/Women_in_Science_Edit-a-thon_(AUTUMN_2026)"
    course = client.get(course_path(variant), headers=JSON)
    assert course.status_code == 200
    assert course.json()["course"]["slug"] == COURSE_EVENT_OVER  # the stored spelling
    assert client.get(course_path(variant, "users.json"), headers=JSON).status_code == 200


def test_campaign_lookup_ignores_case(client: httpx.Client) -> None:
    plain = client.get(f"/campaigns/{NORMAL_CAMPAIGN}/active_courses.json", headers=JSON)
    shouted = client.get(f"/campaigns/{NORMAL_CAMPAIGN.upper()}/active_courses.json")
    assert shouted.status_code == 200
    assert shouted.json() == plain.json()


def test_repeated_and_trailing_slashes_are_squeezed(client: httpx.Client) -> None:
    school, title = COURSE_ACTIVE.split("/")
    doubled = client.get(f"/courses/{school}//{title}/course.json", headers=JSON)
    assert doubled.json()["course"]["slug"] == COURSE_ACTIVE
    trailing = client.get(course_path(COURSE_ACTIVE) + "/", headers=JSON)
    assert trailing.json()["course"]["slug"] == COURSE_ACTIVE


def test_unknown_course_message_echoes_the_decoded_slug(client: httpx.Client) -> None:
    # %XX decoded once, "+" kept (unescape_uri), "/" inside the slug taken greedily.
    path = "/courses/No_School/Caf%C3%A9_%23_100%25_+_more/part_two/course.json"
    response = client.get(path, headers=JSON)
    assert response.status_code == 404
    assert response.json() == {"message": "Course No_School/Café_#_100%_+_more/part_two not found"}


def test_a_slug_that_is_not_utf8_is_a_bad_request(client: httpx.Client) -> None:
    assert client.get("/courses/A/%FF/course.json", headers=JSON).status_code == 400


def test_course_page_is_html_only(client: httpx.Client) -> None:
    page = client.get(course_path(COURSE_ACTIVE, ""))
    assert (page.status_code, is_html(page)) == (200, True)
    unknown = client.get("/courses/No_School/No_Course")
    assert (unknown.status_code, is_html(unknown)) == (404, True)
    asked_json = client.get("/courses/No_School/No_Course", headers=JSON)
    assert asked_json.json() == {"message": "Course No_School/No_Course not found"}
    # An HTML-only action asked for JSON: rescue_unknown_format's plain-text 404.
    known = client.get(course_path(COURSE_ACTIVE, ""), headers=JSON)
    assert (known.status_code, known.headers["content-type"]) == (
        404,
        "text/plain; charset=utf-8",
    )


def test_dashboard_sends_anonymous_visitors_home(client: httpx.Client) -> None:
    response = client.get("/dashboard")
    assert response.status_code == 302
    assert response.headers["location"] == f"{client.base_url}".rstrip("/") + "/"
    assert is_html(client.get("/"))


def test_vary_accept_only_when_the_accept_header_decided(client: httpx.Client) -> None:
    negotiated = client.get(course_path(COURSE_ACTIVE), headers=JSON)
    assert negotiated.headers["vary"] == "Accept"
    # user_stats.json carries its format in the route: the header is not consulted.
    stats = client.get("/user_stats.json", params={"username": MARTA}, headers=JSON)
    assert "vary" not in stats.headers
