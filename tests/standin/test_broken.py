"""One course whose ``course.json`` always crashes, while everything else about it works.

Source report sections 5 and 7.1: a course with broken data makes its page
raise; the 500 goes through ``exceptions_app`` and is
``{"message": "Internal server error"}`` when the request's format is JSON (a
JSON Accept header, or no/browser-like Accept and the ``.json`` extension),
and the HTML error page for a lone ``*/*``. Its roster, its campaign listing
and its students' user_stats are unaffected.
"""

from __future__ import annotations

from urllib.parse import quote_plus

import httpx
import pytest

from outreach_standin.world import (
    BROKEN_STUDENT,
    COURSE_ACTIVE,
    COURSE_BROKEN,
    COURSE_ENDED,
    NORMAL_CAMPAIGN,
)
from tests.standin.support import JSON, course_path, get_accepting

SERVER_ERROR = {"message": "Internal server error"}


def test_course_json_is_always_a_json_500_for_a_json_client(client: httpx.Client) -> None:
    for _ in range(3):
        response = client.get(course_path(COURSE_BROKEN), headers=JSON)
        assert response.status_code == 500
        assert response.headers["content-type"].startswith("application/json")
        assert response.json() == SERVER_ERROR
    assert client.get("/__standin/counters").json()["course"] == 3


@pytest.mark.parametrize("accept", [None, "text/html,application/xhtml+xml,*/*;q=0.8"])
def test_without_a_usable_accept_the_extension_makes_it_json(
    client: httpx.Client, accept: str | None
) -> None:
    response = get_accepting(client, course_path(COURSE_BROKEN), accept)
    assert (response.status_code, response.json()) == (500, SERVER_ERROR)


def test_a_lone_star_accept_gets_the_html_error_page(client: httpx.Client) -> None:
    response = client.get(course_path(COURSE_BROKEN), headers={"Accept": "*/*"})
    assert response.status_code == 500
    assert response.headers["content-type"].startswith("text/html")


def test_its_roster_and_campaign_listing_work(client: httpx.Client) -> None:
    roster = client.get(course_path(COURSE_BROKEN, "users.json"), headers=JSON)
    assert roster.status_code == 200
    rows = roster.json()["course"]["users"]
    assert (BROKEN_STUDENT, 0) in {(row["username"], row["role"]) for row in rows}
    listed = client.get(f"/campaigns/{NORMAL_CAMPAIGN}/active_courses.json", headers=JSON)
    assert COURSE_BROKEN in {row["slug"] for row in listed.json()["courses"]}


def test_its_student_is_listed_in_three_courses(client: httpx.Client) -> None:
    response = client.get("/user_stats.json", params={"username": quote_plus(BROKEN_STUDENT)})
    details = response.json()["courses_details"]
    assert {(d["course_slug"], d["user_role"]) for d in details} == {
        (COURSE_BROKEN, "Student"),
        (COURSE_ACTIVE, "Student"),
        (COURSE_ENDED, "Student"),
    }
