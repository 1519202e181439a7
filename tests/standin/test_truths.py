"""The smaller truths of course.json and users.json (source report sections 5 and 6).

Course ends are ``end_of_day`` (``...T23:59:59.000Z``: the column keeps no
fractions, ``precision: nil`` in db/schema.rb) only for types such as
ClassroomProgramCourse; Editathon and BasicCourse keep chosen times. ``term``
may be empty. ``home_wiki.language`` is null for wikidata, while Commons is
``{"language": "commons", "project": "wikimedia"}``. Legacy roster rows may
have ``enrolled_at: null``. ``passcode`` may be absent. A greeter's row shows
``real_name`` (and, off the student role, ``email``) even to anonymous clients.
"""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from outreach_standin.world import (
    COURSE_ACTIVE,
    COURSE_BRACKETS,
    COURSE_COMMONS,
    COURSE_ENDED,
    COURSE_FUTURE,
    COURSE_HASH,
    COURSE_RECENTLY_ENDED,
    COURSE_SLASH,
    COURSE_TWO_HATS,
    GREETER,
    OLD_TIMER,
)
from tests.standin.support import JSON, course_path

COMMONS = {"language": "commons", "project": "wikimedia"}


def course(client: httpx.Client, slug: str) -> dict[str, Any]:
    response = client.get(course_path(slug), headers=JSON)
    assert response.status_code == 200, slug
    body: dict[str, Any] = response.json()["course"]
    return body


def roster(client: httpx.Client, slug: str) -> list[dict[str, Any]]:
    response = client.get(course_path(slug, "users.json"), headers=JSON)
    assert response.status_code == 200, slug
    rows: list[dict[str, Any]] = response.json()["course"]["users"]
    return rows


@pytest.mark.parametrize("slug", [COURSE_TWO_HATS, COURSE_RECENTLY_ENDED])
def test_classroom_program_courses_end_at_end_of_day(client: httpx.Client, slug: str) -> None:
    body = course(client, slug)
    assert body["type"] == "ClassroomProgramCourse"
    assert body["use_start_and_end_times"] is False
    assert body["start"].endswith("T00:00:00.000Z")
    assert body["end"].endswith("T23:59:59.000Z")
    assert body["timeline_end"].endswith("T23:59:59.000Z")


@pytest.mark.parametrize(
    ("slug", "course_type", "end_time"),
    [
        (COURSE_HASH, "Editathon", "T18:00:00.000Z"),
        (COURSE_ACTIVE, "Editathon", "T23:59:59.000Z"),
        (COURSE_BRACKETS, "BasicCourse", "T23:59:59.000Z"),
    ],
)
def test_other_types_keep_the_chosen_end_time(
    client: httpx.Client, slug: str, course_type: str, end_time: str
) -> None:
    body = course(client, slug)
    assert body["type"] == course_type
    assert body["use_start_and_end_times"] is True
    assert body["end"].endswith(end_time)


def test_update_until_is_the_end_plus_the_update_window(client: httpx.Client) -> None:
    body = course(client, COURSE_ACTIVE)
    assert (body["end"], body["update_until"]) == (
        "2026-12-15T23:59:59.000Z",
        "2027-01-14T23:59:59.000Z",
    )


def test_term_may_be_empty(client: httpx.Client) -> None:
    assert course(client, COURSE_HASH)["term"] == ""


def test_wikidata_has_no_language_but_commons_has(client: httpx.Client) -> None:
    assert course(client, COURSE_ACTIVE)["home_wiki"]["language"] is None
    for slug in (COURSE_COMMONS, COURSE_FUTURE):
        body = course(client, slug)
        home = body["home_wiki"]
        assert {"language": home["language"], "project": home["project"]} == COMMONS
        assert COMMONS in body["wikis"]


def test_passcode_is_a_placeholder_empty_or_absent(client: httpx.Client) -> None:
    assert course(client, COURSE_ACTIVE)["passcode"] == "****"
    assert course(client, COURSE_COMMONS)["passcode"] == ""
    absent = course(client, COURSE_SLASH)
    assert "passcode" not in absent
    assert "canUploadSyllabus" not in absent


@pytest.mark.parametrize("slug", [COURSE_ENDED, COURSE_TWO_HATS])
def test_legacy_roster_rows_have_no_enrollment_date(client: httpx.Client, slug: str) -> None:
    rows = roster(client, slug)
    legacy = [row for row in rows if row["username"] == OLD_TIMER]
    assert [row["enrolled_at"] for row in legacy] == [None]
    others = [row["enrolled_at"] for row in rows if row["username"] != OLD_TIMER]
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", at) for at in others)


def test_a_greeters_real_name_and_email_reach_anonymous_clients(client: httpx.Client) -> None:
    rows = roster(client, COURSE_ACTIVE)
    greeter = next(row for row in rows if row["username"] == GREETER)
    assert greeter["role"] == 4
    assert isinstance(greeter["real_name"], str)
    assert "@" in greeter["email"]
    assert (greeter["admin"], greeter["content_expert"], greeter["program_manager"]) == (
        True,
        True,
        False,
    )
    others = [row for row in rows if row["username"] != GREETER]
    assert not any("real_name" in row or "email" in row for row in others)


def test_enroll_url_uses_the_slugs_first_two_parts(client: httpx.Client) -> None:
    # course_slug_path: show_path(school: parts[0], titleterm: parts[1]).
    assert course(client, COURSE_SLASH)["enroll_url"].endswith(
        "/courses/Wikimedia_Sverige/WikiGap_2025/enroll/"
    )
