"""``/campaigns/SLUG/active_courses.json``: current *and future* courses, as the source says.

Section 4 of the source report: the campaign's non-private courses whose end
is after now minus 30 days (``Course.current_and_future``), so courses that
have not started and courses that ended up to 30 days ago are listed;
ordered by ``recent_revision_count`` descending, then title; at most 100;
campaign lookup ignoring case and accents.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

import httpx
import pytest

from outreach_standin.world import (
    COURSE_ACTIVE,
    COURSE_LONG_ENDED,
    COURSE_PRIVATE,
    COURSE_RECENTLY_ENDED,
    COURSE_UPCOMING,
    ENDED_CAMPAIGN,
    NORMAL_CAMPAIGN,
)
from tests.standin.support import JSON

# app/views/campaigns/active_courses.jbuilder, in its order.
ROW_KEYS = [
    "id", "title", "slug", "description", "school", "term", "word_count",
    "recent_revision_count", "references_count", "view_sum", "user_count",
    "average_word_count", "trained_count", "human_references_count", "human_word_count",
    "human_view_sum", "creation_date", "instructor", "human_average_word_count",
]  # fmt: skip
INT_KEYS = ["id", *ROW_KEYS[6:13]]
HUMAN_KEYS = [key for key in ROW_KEYS if key.startswith("human_")]


def listed(client: httpx.Client, campaign: str = NORMAL_CAMPAIGN) -> list[dict[str, Any]]:
    response = client.get(f"/campaigns/{campaign}/active_courses.json", headers=JSON)
    assert response.status_code == 200
    courses: list[dict[str, Any]] = response.json()["courses"]
    return courses


def set_clock(client: httpx.Client, when: str) -> None:
    client.post("/__standin/now", json={"now": when}).raise_for_status()


def test_current_future_and_recently_ended_courses_are_listed(client: httpx.Client) -> None:
    slugs = {row["slug"] for row in listed(client)}
    assert {COURSE_ACTIVE, COURSE_UPCOMING, COURSE_RECENTLY_ENDED} <= slugs
    assert COURSE_LONG_ENDED not in slugs
    assert COURSE_PRIVATE not in slugs
    assert listed(client, ENDED_CAMPAIGN) == []


def test_the_window_is_thirty_days_after_the_end(client: httpx.Client) -> None:
    # COURSE_RECENTLY_ENDED ended on 2026-11-12 (10 days before NOW).
    set_clock(client, "2026-12-12T12:00:00Z")
    assert COURSE_RECENTLY_ENDED in {row["slug"] for row in listed(client)}
    set_clock(client, "2026-12-13T12:00:00Z")
    assert COURSE_RECENTLY_ENDED not in {row["slug"] for row in listed(client)}


def _title_key(title: str) -> str:
    # ORDER BY title under utf8mb4_unicode_ci: case and accents do not count.
    decomposed = unicodedata.normalize("NFKD", title)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def test_order_is_recent_revisions_then_title(client: httpx.Client) -> None:
    rows = listed(client)
    keys = [(-row["recent_revision_count"], _title_key(row["title"])) for row in rows]
    assert keys == sorted(keys)
    # Not-started and ended courses have no recent revisions: they sort by title at the end.
    assert rows[-1]["recent_revision_count"] == 0


def test_rows_have_the_views_fields(client: httpx.Client) -> None:
    rows = listed(client)
    for row in rows:
        assert list(row) == ROW_KEYS
        assert all(isinstance(row[key], int) for key in INT_KEYS)
        assert all(isinstance(row[key], str) for key in HUMAN_KEYS)
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", row["creation_date"])
        assert row["instructor"] is None or isinstance(row["instructor"], str)
    by_slug = {row["slug"]: row for row in rows}
    assert by_slug[COURSE_UPCOMING]["recent_revision_count"] == 0


@pytest.mark.parametrize("spelling", [NORMAL_CAMPAIGN.upper(), "wíkidata_DAYS_2026"])
def test_campaign_lookup_ignores_case_and_accents(client: httpx.Client, spelling: str) -> None:
    assert listed(client, spelling) == listed(client)
