"""Look-alike usernames: other MediaWiki accounts the dashboard folds onto a stored one.

Source report section 2.1: ``users.username`` is unique under
``utf8mb4_unicode_ci``, so the dashboard holds one name per case- and
accent-equivalence class, and both ``user_stats.json`` and ``/users/NAME``
answer with the stored user when asked for a look-alike spelling. Only the
profile says which name was matched; that is what the service must check.
"""

from __future__ import annotations

from urllib.parse import quote_plus

import httpx
import pytest

from outreach_standin import build_world
from outreach_standin.world import (
    COURSE_ACTIVE,
    HASHTAG,
    HASHTAG_LOOKALIKE,
    NAMED_USERS,
    ZOE,
    ZOE_LOOKALIKE,
)
from tests.standin.support import JSON, NOW, profile_path

PAIRS = [(ZOE, ZOE_LOOKALIKE), (HASHTAG, HASHTAG_LOOKALIKE)]


def test_look_alikes_are_distinct_mediawiki_names_without_a_row() -> None:
    world = build_world(now=NOW)
    for stored, lookalike in PAIRS:
        assert lookalike != stored
        assert lookalike[0] == stored[0]  # MediaWiki would not fold them together
        assert lookalike not in NAMED_USERS
        assert world.user(lookalike) is None
        assert world.user(stored) is not None


@pytest.mark.parametrize(("stored", "lookalike"), PAIRS)
def test_user_stats_answers_the_stored_user(
    client: httpx.Client, stored: str, lookalike: str
) -> None:
    def stats(name: str) -> httpx.Response:
        return client.get("/user_stats.json", params={"username": quote_plus(name)})

    asked = stats(lookalike)
    assert asked.status_code == 200
    assert asked.json() == stats(stored).json()
    assert asked.json()["courses_details"]


@pytest.mark.parametrize(("stored", "lookalike"), PAIRS)
def test_the_profile_names_the_stored_user(
    client: httpx.Client, stored: str, lookalike: str
) -> None:
    response = client.get(profile_path(lookalike), params={"format": "json"}, headers=JSON)
    assert response.status_code == 200
    assert response.json()["user_profile"]["username"] == stored


def test_hashtag_is_a_student_in_the_active_course(client: httpx.Client) -> None:
    response = client.get("/user_stats.json", params={"username": quote_plus(HASHTAG)})
    details = response.json()["courses_details"]
    assert [(d["course_slug"], d["user_role"]) for d in details] == [(COURSE_ACTIVE, "Student")]
