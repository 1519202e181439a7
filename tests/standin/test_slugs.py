"""Course slugs with nearly any character, and ``/`` inside the title.

The source report (section 3) and the upstream README: the course routes take
everything between ``courses/`` and the last ``/course.json`` (``/users.json``)
as the slug; a client sends its ``/`` literally and percent-encodes the rest
(``+`` may go either way); the lookup ignores case and accents; the
``/courses/SCHOOL/TITLE`` page route takes one segment each, so it cannot
reach a slug with more ``/``.
"""

from __future__ import annotations

from urllib.parse import quote, quote_plus

import httpx
import pytest

from outreach_standin.world import (
    COURSE_BRACKETS,
    COURSE_HASH,
    COURSE_PIPE_ANGLE,
    COURSE_QUERY_PERCENT,
    COURSE_SLASH,
    SLUGGER,
)
from tests.standin.support import JSON, course_path

SLUG_COURSES = [COURSE_HASH, COURSE_SLASH, COURSE_BRACKETS, COURSE_PIPE_ANGLE, COURSE_QUERY_PERCENT]


@pytest.mark.parametrize("slug", SLUG_COURSES)
def test_every_awkward_slug_is_reachable(client: httpx.Client, slug: str) -> None:
    course = client.get(course_path(slug), headers=JSON)
    assert course.status_code == 200, slug
    assert course.json()["course"]["slug"] == slug
    assert course.json()["course"]["ended"] is False
    roster = client.get(course_path(slug, "users.json"), headers=JSON)
    assert roster.status_code == 200
    rows = roster.json()["course"]["users"]
    assert {row["role"] for row in rows if row["username"] == SLUGGER} == {0}
    assert any(row["role"] == 1 for row in rows)  # staff lists are not empty


def test_plus_may_be_sent_literally(client: httpx.Client) -> None:
    literal = f"/courses/{quote(COURSE_QUERY_PERCENT, safe='/+')}/course.json"
    assert "+" in literal
    assert client.get(literal, headers=JSON).json()["course"]["slug"] == COURSE_QUERY_PERCENT


@pytest.mark.parametrize("slug", SLUG_COURSES)
def test_slug_lookup_ignores_case(client: httpx.Client, slug: str) -> None:
    response = client.get(course_path(slug.swapcase()), headers=JSON)
    assert response.json()["course"]["slug"] == slug


def test_an_unknown_awkward_slug_is_echoed_decoded(client: httpx.Client) -> None:
    slug = "Wikimedia_Sverige/WikiGap_2025/27_(Spring)"
    response = client.get(course_path(slug), headers=JSON)
    assert (response.status_code, response.json()) == (404, {"message": f"Course {slug} not found"})


def test_the_page_route_cannot_reach_a_slug_with_more_slashes(client: httpx.Client) -> None:
    # courses/:school/:titleterm/... reads "Wikimedia_Sverige/WikiGap_2025": no such course.
    page = client.get(course_path(COURSE_SLASH, ""))
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert client.get(course_path(COURSE_HASH, "")).status_code == 200


def test_user_stats_lists_every_awkward_slug(client: httpx.Client) -> None:
    response = client.get("/user_stats.json", params={"username": quote_plus(SLUGGER)})
    payload = response.json()
    details = payload["courses_details"]
    assert sorted(d["course_slug"] for d in details) == sorted(SLUG_COURSES)
    assert {d["user_role"] for d in details} == {"Student"}
    assert "as_instructor" not in payload
    hashtag = next(d for d in details if d["course_slug"] == COURSE_HASH)
    assert (hashtag["course_title"], hashtag["course_term"]) == ("#1Lib1Ref 2026", "")
