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

from outreach_standin.world import (
    COURSE_ACTIVE,
    COURSE_COMMONS,
    COURSE_PRIVATE,
    HASHTAG,
    PRIVATE_TEACHER,
    QUIET,
    TWO_HATS,
    ZOE,
)
from tests.standin.support import USER_STATS_KEYS


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
