"""user_stats' flags against its course list, and its ``max_project``.

Source report section 1: ``as_instructor``/``by_students`` appear when the
user has an instructor row anywhere (``course_instructor?``, private courses
included) and ``as_student`` likewise for a student row, while
``courses_details`` and the blocks' numbers count public courses only;
``trained_percent`` is a ``number_to_human`` string; ``max_project`` is the
most frequent home-wiki project among public courses, ``wikipedia`` on ties,
null without courses.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote_plus

import httpx
import pytest

from outreach_standin import StandinServer
from outreach_standin.world import (
    BUSY,
    COURSE_ACTIVE,
    COURSE_COMMONS,
    COURSE_PRIVATE,
    HASHTAG,
    PRIVATE_TEACHER,
    QUIET,
    TWO_HATS,
    ZOE,
)
from tests.standin.support import JSON, USER_STATS_KEYS


def stats(client: httpx.Client, name: str) -> dict[str, Any]:
    response = client.get("/user_stats.json", params={"username": quote_plus(name)})
    assert response.status_code == 200
    payload: dict[str, Any] = response.json()
    return payload


def test_an_instructor_of_only_a_private_course_has_the_flag_but_no_row(
    client: httpx.Client,
) -> None:
    payload = stats(client, PRIVATE_TEACHER)
    details = payload["courses_details"]
    assert [(d["course_slug"], d["user_role"]) for d in details] == [(COURSE_COMMONS, "Student")]
    assert COURSE_PRIVATE not in {d["course_slug"] for d in details}
    assert list(payload) == USER_STATS_KEYS
    # The numbers count public instructed courses: there are none.
    instructor = payload["as_instructor"]
    assert (instructor["courses_count"], instructor["user_count"]) == (0, 0)
    assert isinstance(instructor["trained_percent"], str)
    assert payload["by_students"]["word_count"] == "0"
    assert payload["as_student"]["individual_courses_count"] == 1


def test_a_private_student_row_counts_for_the_flag_only(client: httpx.Client) -> None:
    payload = stats(client, ZOE)
    assert "as_student" in payload
    assert COURSE_PRIVATE not in {d["course_slug"] for d in payload["courses_details"]}
    public = {d["course_slug"] for d in payload["courses_details"]}
    assert payload["as_student"]["individual_courses_count"] == len(public)


@pytest.mark.parametrize(
    ("name", "project"),
    [
        (TWO_HATS, "wikipedia"),  # tl.wikipedia and wikidata, one course each: wikipedia wins
        (HASHTAG, "wikidata"),  # COURSE_ACTIVE's home is wikidata
        (QUIET, None),
    ],
)
def test_max_project(client: httpx.Client, name: str, project: str | None) -> None:
    assert stats(client, name)["max_project"] == project


def test_hashtag_has_only_the_student_block(client: httpx.Client) -> None:
    payload = stats(client, HASHTAG)
    assert [d["course_slug"] for d in payload["courses_details"]] == [COURSE_ACTIVE]
    assert "as_instructor" not in payload
    assert "by_students" not in payload
    assert payload["as_student"]["individual_courses_count"] == 1


def test_user_stats_lists_only_the_newest_twenty_uploads(client: httpx.Client) -> None:
    # UserProfilesController#stats: CommonsUpload ... order(uploaded_at: :desc).first(20)
    body = client.get("/user_stats.json", params={"username": BUSY}, headers=JSON).json()
    uploads = body["user_recent_uploads"]
    times = [u["uploaded_at"] for u in uploads]
    assert (len(uploads), times == sorted(times, reverse=True)) == (20, True)


def test_an_instructor_is_an_instructor_in_english_in_every_course(
    client: httpx.Client, server: StandinServer
) -> None:
    # users_helper.rb course_role_name: t("users.role.instructor"), "Instructor" in en.yml.
    world = server.world
    teachers = {e.username for e in world.enrollments if e.role == 1}
    labels = set()
    for name in sorted(teachers)[:40]:
        body = client.get("/user_stats.json", params={"username": name}, headers=JSON).json()
        labels |= {
            d["user_role"]
            for d in body["courses_details"]
            if d["course_slug"]
            in {e.course_slug for e in world.visible_enrollments_of(name) if e.role == 1}
        }
    assert labels == {"Instructor"}
