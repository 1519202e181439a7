"""The stand-in dashboard, exercised over real HTTP on loopback.

These tests pin the contract the service's client is written against: shapes,
the username double-decoding quirk, collation-insensitive lookup, 404 bodies,
fault injection, counters, latency, the clock and the privileged view.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, quote_plus

import httpx
import pytest

from outreach_standin import (
    StandinServer,
    build_world,
    create_standin_app,
    get_control,
    number_to_human,
)
from outreach_standin.world import (
    BIG_CAMPAIGN,
    BUSY,
    COURSE_ACTIVE,
    COURSE_COMMONS,
    COURSE_ENDED,
    COURSE_EVENT_NOT_STARTED,
    COURSE_EVENT_OVER,
    COURSE_FUTURE,
    COURSE_PRIVATE,
    COURSE_TWO_HATS,
    ENDED_CAMPAIGN,
    GREETER,
    KAI,
    MARTA,
    NAMED_COURSES,
    NAMED_USERS,
    NGOZI,
    NORMAL_CAMPAIGN,
    OLD_TIMER,
    PERCENT,
    QUIET,
    STAFF,
    TWO_HATS,
    ZOE,
)
from tests.standin.support import NOW, USER_STATS_KEYS, course_path

ISO_MS = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
HUMAN = re.compile(r"^\d{1,3}(\.\d{1,2})?[KMBT]?$")

COURSE_KEYS = {
    "academic_system", "account_requests_enabled", "article_count", "article_scoped",
    "assignment_edits_enabled", "canUploadSyllabus", "character_sum", "character_sum_human",
    "cloned_status", "closed", "closed?", "course_stats", "created_at", "created_count",
    "day_exceptions", "description", "disable_student_emails", "edit_count", "edited_count",
    "eligible_for_active_research_experiment", "end", "ended", "enroll_url",
    "enrollment_edits_enabled", "expected_students", "flags", "format", "home_wiki",
    "home_wiki_bytes_per_word", "home_wiki_edits_enabled", "id", "legacy", "level",
    "namespaces", "needs_update", "no_day_exceptions", "no_sandboxes",
    "online_volunteers_enabled", "passcode", "peer_review_count", "private",
    "progress_tracker_enabled", "published", "references_count",
    "research_experiment_open_to_students", "retain_available_articles",
    "returning_instructor", "review_bibliography", "school", "slug", "start",
    "stay_in_sandbox", "string_prefix", "student_count", "subject", "submitted", "term",
    "timeline_enabled", "timeline_end", "timeline_start", "timeslice_update_ran", "title",
    "trained_count", "training_library_slug", "type", "update_until", "updated_at", "updates",
    "upload_count", "upload_usages_count", "uploads_in_use_count", "url",
    "use_start_and_end_times", "view_count", "weekdays", "wiki_course_page_enabled",
    "wiki_edits_enabled", "wiki_string_prefix", "wikis", "withdrawn", "word_count",
}  # fmt: skip
FLAGS_KEYS = {
    "academic_system", "average_update_delay", "edit_settings", "format", "timeline_enabled",
    "timeslice_duration", "update_logs",
}  # fmt: skip
ROSTER_KEYS = {
    "admin", "character_sum_draft", "character_sum_ms", "character_sum_us", "content_expert",
    "contribution_url", "enrolled_at", "global_contribution_url", "global_id", "id",
    "program_manager", "recent_revisions", "references_count", "registered_at", "role",
    "role_description", "sandbox_url", "total_uploads", "username",
}  # fmt: skip
DETAIL_KEYS = {
    "course_id", "course_school", "course_slug", "course_term", "course_title", "user_count",
    "user_role",
}  # fmt: skip
UPLOAD_KEYS = {"file_name", "id", "thumburl", "uploaded_at", "uploader", "url", "usage_count"}
ACTIVE_KEYS = {
    "average_word_count", "creation_date", "description", "human_average_word_count",
    "human_references_count", "human_view_sum", "human_word_count", "id", "instructor",
    "recent_revision_count", "references_count", "school", "slug", "term", "title",
    "trained_count", "user_count", "view_sum", "word_count",
}  # fmt: skip


# --- helpers -----------------------------------------------------------------------------


def stats(client: httpx.Client, username_value: str) -> httpx.Response:
    """user_stats with ``username_value`` sent exactly once percent-encoded."""
    return client.get("/user_stats.json", params={"username": username_value})


def found(client: httpx.Client, name: str) -> dict[str, Any]:
    """user_stats the correct way: form-escape the name, then percent-encode it."""
    response = stats(client, quote_plus(name))
    assert response.status_code == 200, name
    payload: dict[str, Any] = response.json()
    return payload


def fault(client: httpx.Client, **body: Any) -> dict[str, Any]:
    response = client.post("/__standin/faults", json=body)
    response.raise_for_status()
    state: dict[str, Any] = response.json()
    return state


# --- number_to_human ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (0, "0"),
        (7, "7"),
        (873, "873"),
        (999, "999"),
        (1000, "1K"),
        (1702, "1.7K"),
        (5448, "5.45K"),
        (6441, "6.44K"),
        (21_600, "21.6K"),
        (37_871, "37.9K"),
        (120_334, "120K"),
        (999_999, "1M"),
        (1_401_220, "1.4M"),
        (7_243_118, "7.24M"),
        (2_000_000_000, "2B"),
        (3_450_000_000_000, "3.45T"),
        (-1702, "-1.7K"),
    ],
)
def test_number_to_human(n: int, expected: str) -> None:
    assert number_to_human(n) == expected


def test_number_to_human_french_locale() -> None:
    assert number_to_human(1702, locale="fr") == "1,7 k"
    assert number_to_human(873, locale="fr") == "873"


# --- world ------------------------------------------------------------------------------


def test_world_is_deterministic_and_rich() -> None:
    a, b = build_world(7, NOW), build_world(7, NOW)
    assert a == b
    assert build_world(8, NOW).usernames != a.usernames
    assert a.anchor == datetime(2026, 11, 22, tzinfo=UTC)
    assert len(a.usernames) >= 600
    assert len(set(a.usernames)) == len(a.usernames)
    assert len(a.usernames_with_courses) >= 400
    for name in NAMED_USERS:
        assert a.user(name) is not None
    for slug in NAMED_COURSES:
        assert a.course(slug) is not None
    for course in a.courses:
        assert course.slug.count("/") >= 1  # more inside a title (COURSE_SLASH)
        assert " " not in course.slug
    assert len({e.course_slug for e in a.visible_enrollments_of(BUSY)}) == 26
    busy = [a.course(e.course_slug) for e in a.visible_enrollments_of(BUSY)]
    assert any(c and c.ended(NOW) for c in busy)
    assert any(c and c.start > NOW for c in busy)
    assert any(c and c.tracking_active(NOW) for c in busy)
    assert a.enrollments_of(QUIET) == ()
    assert len(a.active_courses(BIG_CAMPAIGN, NOW)) > 100


def test_named_course_windows() -> None:
    world = build_world(now=NOW)

    def course(slug: str) -> Any:
        found = world.course(slug)
        assert found is not None
        return found

    assert course(COURSE_ACTIVE).tracking_active(NOW)
    assert course(COURSE_ACTIVE).event_active(NOW)
    assert course(COURSE_EVENT_OVER).tracking_active(NOW)
    assert not course(COURSE_EVENT_OVER).event_active(NOW)
    assert course(COURSE_EVENT_NOT_STARTED).tracking_active(NOW)
    assert course(COURSE_EVENT_NOT_STARTED).timeline_start > NOW
    assert course(COURSE_ENDED).ended(NOW)
    assert course(COURSE_FUTURE).start > NOW
    assert course(COURSE_PRIVATE).private
    assert course(COURSE_TWO_HATS).tracking_active(NOW)


# --- user_stats ---------------------------------------------------------------------------


def test_user_stats_shape_for_instructor_and_student(client: httpx.Client) -> None:
    response = stats(client, MARTA)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    payload = response.json()
    assert list(payload) == USER_STATS_KEYS
    assert all(set(u) == UPLOAD_KEYS for u in payload["user_recent_uploads"])
    assert payload["user_recent_uploads"][0]["uploader"] == MARTA
    details = payload["courses_details"]
    assert all(set(d) == DETAIL_KEYS for d in details)
    slugs = [d["course_slug"] for d in details]
    assert COURSE_PRIVATE not in slugs
    assert {COURSE_ACTIVE, COURSE_EVENT_OVER, COURSE_ENDED, COURSE_FUTURE} <= set(slugs)
    # Newest enrollment first: the row ids grow with time.
    ids = [d["course_id"] for d in details]
    assert ids == sorted(ids, reverse=True)
    roles = {d["course_slug"]: d["user_role"] for d in details}
    assert roles[COURSE_ACTIVE] == "Instructor"
    assert roles[COURSE_FUTURE] == "Instructor"  # t("users.role.instructor"), every course
    assert roles[COURSE_EVENT_OVER] == "Student"
    riverside = next(d for d in details if d["course_slug"] == COURSE_ACTIVE)
    assert riverside["user_count"] == 37
    assert riverside["course_school"] == "Riverside Library Network"
    assert riverside["course_id"] != 30517  # an enrollment id, not the course id
    assert HUMAN.match(payload["by_students"]["word_count"])
    assert isinstance(payload["by_students"]["uploads_in_use_count"], int)
    assert isinstance(payload["as_instructor"]["courses_count"], int)
    assert isinstance(payload["as_instructor"]["trained_percent"], str)
    assert HUMAN.match(payload["as_student"]["individual_word_count"])
    assert payload["max_project"] in {"wikipedia", "wikidata", "commons"}


def test_user_stats_staff_has_no_instructor_or_student_blocks(client: httpx.Client) -> None:
    payload = found(client, STAFF)
    assert "as_instructor" not in payload
    assert "by_students" not in payload
    assert "as_student" not in payload
    roles = {d["user_role"] for d in payload["courses_details"]}
    assert roles == {"Wiki Education Staff"}
    assert len(payload["courses_details"]) > 40


def test_user_stats_reenrollment_appears_twice(client: httpx.Client) -> None:
    payload = found(client, NGOZI)
    rows = [d for d in payload["courses_details"] if d["course_slug"] == COURSE_ACTIVE]
    assert [r["user_role"] for r in rows] == ["Online Volunteer", "Student"]
    assert "as_student" in payload
    assert "as_instructor" not in payload


def test_user_stats_two_hats_and_busy(client: httpx.Client) -> None:
    two = {d["course_slug"]: d["user_role"] for d in found(client, TWO_HATS)["courses_details"]}
    assert two[COURSE_TWO_HATS] == "Instructor"
    assert two[COURSE_ACTIVE] == "Student"
    busy = found(client, BUSY)["courses_details"]
    assert len(busy) == 26
    assert {"Student", "Campus Volunteer", "Online Volunteer"} <= {d["user_role"] for d in busy}


def test_user_stats_user_without_courses(client: httpx.Client) -> None:
    assert found(client, QUIET) == {
        "user_recent_uploads": [],
        "courses_details": [],
        "max_project": None,
    }


def test_user_stats_unknown_user_is_json_404(client: httpx.Client) -> None:
    response = stats(client, "Nobody At All 12345")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/json")
    assert response.json() == {"error": "User not found"}
    # An empty name is looked up (and not found); a missing one is a 500 (see test_standin_routes).
    empty = client.get("/user_stats.json?username=")
    assert (empty.status_code, empty.json()) == (404, {"error": "User not found"})


@pytest.mark.parametrize("name", [KAI, PERCENT])
def test_double_decoding_needs_form_escaping(client: httpx.Client, name: str) -> None:
    # Percent-encoded once, the controller's second unescape mangles the name.
    assert stats(client, name).status_code == 404
    # Form-escaped first, then percent-encoded: found.
    payload = found(client, name)
    assert payload["courses_details"]
    raw = client.get(f"/user_stats.json?username={quote(quote_plus(name), safe='')}")
    assert raw.status_code == 200


def test_plain_names_survive_double_decoding(client: httpx.Client) -> None:
    assert stats(client, OLD_TIMER).status_code == 200
    assert found(client, OLD_TIMER)["courses_details"]
    # Underscores are spaces; a raw "+" in the query is a space too.
    assert stats(client, "Marta_Quill").json() == found(client, MARTA)
    assert client.get("/user_stats.json?username=Marta+Quill").status_code == 200


@pytest.mark.parametrize("variant", ["ZOË ÅSTRÖM", "zoe astrom", "Zoë_Åström", "ZOE_ASTROM"])
def test_lookup_ignores_case_and_accents(client: httpx.Client, variant: str) -> None:
    assert found(client, variant) == found(client, ZOE)


# --- course.json ---------------------------------------------------------------------------


def test_course_json_full_shape(client: httpx.Client) -> None:
    response = client.get(course_path(COURSE_ACTIVE))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert len(response.content) > 10_000
    course = response.json()["course"]
    assert set(course) == COURSE_KEYS
    assert set(course["flags"]) == FLAGS_KEYS
    for key in ("start", "end", "timeline_start", "timeline_end", "created_at", "updated_at"):
        assert ISO_MS.match(course[key]), key
    assert course["start"] == "2026-10-20T00:00:00.000Z"
    assert course["end"] == "2026-12-15T23:59:59.000Z"
    assert course["slug"] == COURSE_ACTIVE
    assert course["id"] == 30517
    assert course["home_wiki"] == {"id": 3, "language": None, "project": "wikidata"}
    assert {"language": "en", "project": "wikipedia"} in course["wikis"]
    assert course["closed?"] is False
    assert course["closed"] is False
    assert course["ended"] is False
    assert course["passcode"] == "****"
    logs = course["flags"]["update_logs"]
    assert logs
    assert all(key.isdigit() for key in logs)
    assert course["updates"]["last_update"] == logs[max(logs, key=int)]
    for key in ("student_count", "trained_count", "article_count", "character_sum"):
        assert isinstance(course[key], int), key
    assert course["student_count"] == 37
    assert course["created_count"] == "873"
    assert course["edited_count"] == "1.7K"
    assert course["edit_count"] == "21.6K"
    assert course["word_count"] == "1.4M"
    assert course["references_count"] == "6.44K"
    assert course["view_count"] == "5.45K"
    assert course["character_sum_human"] == "7.24M"
    assert course["course_stats"]["stats_hash"]["www.wikidata.org"]["items created"] == "873"


def test_course_paths_with_awkward_characters(client: httpx.Client) -> None:
    for slug in (COURSE_ENDED, COURSE_EVENT_OVER, COURSE_EVENT_NOT_STARTED, COURSE_FUTURE):
        response = client.get(course_path(slug))
        assert response.status_code == 200, slug
        assert response.json()["course"]["slug"] == slug
    # "&" is escaped the ActiveSupport way in the raw body.
    raw = client.get(course_path(COURSE_ENDED)).content
    assert b"\\u0026" in raw
    assert b"&" not in raw


def test_course_passcode_and_commons_home(client: httpx.Client) -> None:
    course = client.get(course_path(COURSE_COMMONS)).json()["course"]
    assert course["passcode"] == ""
    # Commons is not a null-language wiki (report section 5).
    assert course["home_wiki"]["language"] == "commons"
    assert course["home_wiki"]["project"] == "wikimedia"
    assert "course_stats" not in course  # only with a stats hash (wikidata here)


@pytest.mark.parametrize("leaf", ["course.json", "users.json"])
@pytest.mark.parametrize(
    ("slug", "message"),
    [
        (COURSE_PRIVATE, "not found"),
        (
            "No_Such_School/No_Such_Course_(2026)",
            "Course No_Such_School/No_Such_Course_(2026) not found",
        ),
    ],
)
def test_unknown_or_private_course_is_json_404(
    client: httpx.Client, leaf: str, slug: str, message: str
) -> None:
    # rescue_not_found: JSON whatever the Accept header, because the path holds ".json".
    for accept in ("*/*", "text/html", "application/json"):
        response = client.get(course_path(slug, leaf), headers={"Accept": accept})
        assert response.status_code == 404
        assert response.headers["content-type"].startswith("application/json")
        assert response.json() == {"message": message}


def test_course_page_without_json_is_html(client: httpx.Client) -> None:
    response = client.get(course_path(COURSE_ACTIVE, ""))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.text)
    assert client.get(course_path(COURSE_ACTIVE, "students")).status_code == 200


# --- users.json -----------------------------------------------------------------------------


def test_users_json_rows_per_enrollment(client: httpx.Client) -> None:
    response = client.get(course_path(COURSE_ACTIVE, "users.json"))
    assert response.status_code == 200
    rows = response.json()["course"]["users"]
    assert all(set(row) == ROSTER_KEYS for row in rows if row["username"] != GREETER)
    ngozi = [row for row in rows if row["username"] == NGOZI]
    assert sorted(row["role"] for row in ngozi) == [0, 3]
    assert len({row["id"] for row in ngozi}) == 1
    assert {row["role"] for row in rows} == {0, 1, 3, 4}
    assert all(row["role_description"] in (None, "") for row in rows)
    assert all(ISO_MS.match(row["enrolled_at"]) for row in rows)
    zoe = next(row for row in rows if row["username"] == ZOE)
    assert zoe["contribution_url"].endswith("Special:Contributions/Zo%C3%AB_%C3%85str%C3%B6m")
    assert (
        zoe["global_contribution_url"]
        == "https://guc.toolforge.org/?user=Zo%C3%AB+%C3%85str%C3%B6m"
    )
    staff = next(row for row in rows if row["username"] == STAFF)
    assert staff["admin"] is True
    # A staff-role admin is a program manager, unless a greeter (content expert).
    assert (staff["content_expert"], staff["program_manager"]) == (False, True)


# --- active_courses ---------------------------------------------------------------------------


def test_active_courses_normal_campaign(client: httpx.Client, server: StandinServer) -> None:
    response = client.get(f"/campaigns/{NORMAL_CAMPAIGN}/active_courses.json")
    assert response.status_code == 200
    courses = response.json()["courses"]
    assert all(set(c) == ACTIVE_KEYS for c in courses)
    slugs = [c["slug"] for c in courses]
    assert {COURSE_ACTIVE, COURSE_EVENT_OVER, COURSE_EVENT_NOT_STARTED, COURSE_TWO_HATS} <= set(
        slugs
    )
    assert COURSE_PRIVATE not in slugs
    assert COURSE_FUTURE in slugs  # current *and future* (see test_standin_campaigns)
    counts = [c["recent_revision_count"] for c in courses]
    assert counts == sorted(counts, reverse=True)
    by_slug = {c["slug"]: c for c in courses}
    assert by_slug[COURSE_ACTIVE]["instructor"] == MARTA
    assert by_slug[COURSE_EVENT_OVER]["instructor"] is None
    assert by_slug[COURSE_ACTIVE]["human_word_count"] == "1.4M"
    assert by_slug[COURSE_ACTIVE]["creation_date"] == (
        server.world.course(COURSE_ACTIVE).created_at.date().isoformat()  # type: ignore[union-attr]
    )


def test_active_courses_big_ended_and_unknown(client: httpx.Client) -> None:
    big = client.get(f"/campaigns/{BIG_CAMPAIGN}/active_courses.json").json()["courses"]
    assert len(big) == 100
    assert len({c["slug"] for c in big}) == 100
    ended = client.get(f"/campaigns/{ENDED_CAMPAIGN}/active_courses.json")
    assert ended.json() == {"courses": []}
    unknown = client.get("/campaigns/no_such_campaign/active_courses.json")
    assert unknown.status_code == 404
    assert unknown.json() == {"message": "Campaign does not exist"}


def test_clock_moves_courses_in_and_out(client: httpx.Client) -> None:
    url = f"/campaigns/{NORMAL_CAMPAIGN}/active_courses.json"
    later = client.post("/__standin/now", json={"now": "2026-12-20T00:00:00Z"})
    assert later.json() == {"now": "2026-12-20T00:00:00.000Z", "fixed": True}
    # COURSE_ACTIVE ended on 2026-12-15: ended, but still inside the 30-day update window.
    slugs = {c["slug"] for c in client.get(url).json()["courses"]}
    assert COURSE_ACTIVE in slugs
    assert client.get(course_path(COURSE_ACTIVE)).json()["course"]["ended"] is True
    client.post("/__standin/now", json={"now": "2027-01-16T00:00:00+00:00"})
    slugs = {c["slug"] for c in client.get(url).json()["courses"]}
    assert COURSE_ACTIVE not in slugs
    assert COURSE_FUTURE in slugs
    client.post("/__standin/now", json={"now": NOW.isoformat()})
    assert client.get(course_path(COURSE_ACTIVE)).json()["course"]["ended"] is False
    live = client.post("/__standin/now", json={"now": None}).json()
    assert live["fixed"] is False
    assert client.post("/__standin/now", json={"now": "not a date"}).status_code == 400


# --- faults ------------------------------------------------------------------------------------


def test_fault_drop(client: httpx.Client) -> None:
    fault(client, mode="drop", times=1)
    with pytest.raises(httpx.RemoteProtocolError):
        stats(client, MARTA)
    assert stats(client, MARTA).status_code == 200


def test_fault_error500(client: httpx.Client) -> None:
    fault(client, mode="error500")
    response = client.get(course_path(COURSE_ACTIVE))
    assert response.status_code == 500
    assert response.headers["content-type"].startswith("text/html")


def test_fault_html200(client: httpx.Client) -> None:
    fault(client, mode="html200", endpoint="users")
    response = client.get(course_path(COURSE_ACTIVE, "users.json"))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "<html>" in response.text
    # Other endpoints are not affected.
    assert (
        client.get(course_path(COURSE_ACTIVE))
        .headers["content-type"]
        .startswith("application/json")
    )


def test_fault_cut(client: httpx.Client) -> None:
    whole = client.get(course_path(COURSE_ACTIVE)).content
    fault(client, mode="cut", endpoint="course")
    response = client.get(course_path(COURSE_ACTIVE))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert int(response.headers["content-length"]) == len(response.content)
    assert response.content == whole[: len(whole) // 2]
    with pytest.raises(json.JSONDecodeError):
        response.json()


def test_fault_wrongshape(client: httpx.Client) -> None:
    fault(client, mode="wrongshape", endpoint="active_courses")
    response = client.get(f"/campaigns/{NORMAL_CAMPAIGN}/active_courses.json")
    assert response.status_code == 200
    assert response.json() == {"unexpected": True}


def test_fault_slow(client: httpx.Client) -> None:
    fault(client, mode="slow", slow_seconds=0.3, times=1)
    started = time.perf_counter()
    assert stats(client, MARTA).status_code == 200
    assert time.perf_counter() - started >= 0.3
    fault(client, mode="slow", slow_seconds=1, times=1)
    with pytest.raises(httpx.ReadTimeout):
        client.get("/user_stats.json", params={"username": MARTA}, timeout=0.1)


def test_fault_rate_limited(client: httpx.Client) -> None:
    fault(client, mode="rate_limited", retry_after=3)
    response = stats(client, MARTA)
    assert response.status_code == 429
    assert response.headers["retry-after"] == "3"


def test_fault_times_heals(client: httpx.Client) -> None:
    state = fault(client, mode="error500", endpoint="user_stats", times=2)
    assert state["times"] == 2
    assert stats(client, MARTA).status_code == 500
    assert client.get("/__standin/faults").json()["times"] == 1
    assert client.get(course_path(COURSE_ACTIVE)).status_code == 200  # not matching
    assert stats(client, MARTA).status_code == 500
    assert client.get("/__standin/faults").json()["mode"] == "none"
    assert stats(client, MARTA).status_code == 200


def test_fault_validation(client: httpx.Client) -> None:
    assert client.post("/__standin/faults", json={"mode": "explode"}).status_code == 400
    assert (
        client.post("/__standin/faults", json={"mode": "drop", "endpoint": "x"}).status_code == 400
    )
    assert (
        client.post("/__standin/faults", json={"mode": "slow", "slow_seconds": 99}).status_code
        == 400
    )
    assert client.post("/__standin/faults", content=b"{nope").status_code == 400
    assert client.get("/__standin/faults").json()["mode"] == "none"


# --- counters, latency, privileged, locale ---------------------------------------------


def test_counters_and_reset(client: httpx.Client) -> None:
    stats(client, MARTA)
    stats(client, "Nobody Here")
    client.get(course_path(COURSE_ACTIVE))
    client.get(course_path(COURSE_PRIVATE))
    client.get(course_path(COURSE_ACTIVE, "users.json"))
    client.get(f"/campaigns/{BIG_CAMPAIGN}/active_courses.json")
    client.get(course_path(COURSE_ACTIVE, ""))
    client.get("/no/such/page")
    fault(client, mode="error500", endpoint="user_stats")
    stats(client, MARTA)
    client.get("/__standin/world")
    assert client.get("/__standin/counters").json() == {
        "user_profile": 0,
        "user_stats": 3,
        "course": 2,
        "users": 1,
        "active_courses": 1,
        "campaign_users": 0,
        "other": 2,
        "total": 9,
    }
    client.post("/__standin/latency", json={"ms": 50})
    reset = client.post("/__standin/reset").json()
    assert reset["counters"]["total"] == 0
    assert client.get("/__standin/faults").json()["mode"] == "none"
    assert client.get("/__standin/latency").json() == {"ms": 0}
    assert stats(client, MARTA).status_code == 200


def test_latency(client: httpx.Client) -> None:
    assert client.post("/__standin/latency", json={"ms": 150}).json() == {"ms": 150}
    started = time.perf_counter()
    stats(client, MARTA)
    assert time.perf_counter() - started >= 0.15
    started = time.perf_counter()
    client.get("/__standin/counters")
    assert time.perf_counter() - started < 0.15
    assert client.post("/__standin/latency", json={"ms": -1}).status_code == 400


def test_privileged_view_leaks_private_fields(client: httpx.Client) -> None:
    assert client.post("/__standin/privileged", json={"on": True}).json() == {"on": True}
    rows = client.get(course_path(COURSE_ACTIVE, "users.json")).json()["course"]["users"]
    assert all("real_name" in row for row in rows)
    # Student e-mails are shown to no one (report section 6).
    assert all(("email" in row) == (row["role"] != 0) for row in rows)
    assert all("@" in row["email"] for row in rows if row["role"] != 0)
    course = client.get(course_path(COURSE_ACTIVE)).json()["course"]
    assert course["passcode"] not in ("", "****")
    assert (course["passcode_required"], course["canUploadSyllabus"]) == (True, True)
    client.post("/__standin/privileged", json={"on": False})
    rows = client.get(course_path(COURSE_ACTIVE, "users.json")).json()["course"]["users"]
    # Anonymous: only the greeter's row shows them (see test_standin_truths).
    assert [row["username"] for row in rows if "real_name" in row] == [GREETER]
    assert client.get(course_path(COURSE_ACTIVE)).json()["course"]["passcode"] == "****"


def test_accept_language_changes_display_strings(client: httpx.Client) -> None:
    french = client.get(
        "/user_stats.json",
        params={"username": NGOZI},
        headers={"Accept-Language": "fr-FR,en;q=0.5"},
    ).json()
    assert {d["user_role"] for d in french["courses_details"]} >= {"Étudiant(e)"}
    course = client.get(course_path(COURSE_ACTIVE), headers={"Accept-Language": "fr"}).json()
    assert course["course"]["edited_count"] == "1,7 k"
    english = client.get(course_path(COURSE_ACTIVE), headers={"Accept-Language": "en"}).json()
    assert english["course"]["edited_count"] == "1.7K"


def test_world_summary(client: httpx.Client) -> None:
    summary = client.get("/__standin/world").json()
    assert summary["named_users"]["KAI"] == KAI
    assert summary["named_courses"]["COURSE_ACTIVE"] == COURSE_ACTIVE
    assert {c["slug"] for c in summary["campaigns"]} == {
        NORMAL_CAMPAIGN,
        BIG_CAMPAIGN,
        ENDED_CAMPAIGN,
    }
    assert summary["now"] == "2026-11-22T12:00:00.000Z"


async def test_concurrent_requests_are_all_counted(server: StandinServer) -> None:
    names = server.world.usernames[:60]
    async with httpx.AsyncClient(base_url=server.url, timeout=5) as http:
        await http.post("/__standin/reset")
        responses = await asyncio.gather(
            *(http.get("/user_stats.json", params={"username": quote_plus(n)}) for n in names)
        )
        assert all(r.status_code == 200 for r in responses)
        counters = (await http.get("/__standin/counters")).json()
    assert counters["user_stats"] == 60


def test_app_factory_and_server_lifecycle() -> None:
    world = build_world(now=NOW)
    app = create_standin_app(world, now=NOW)
    assert get_control(app).world is world
    upstream = StandinServer(world, now=NOW).start()
    url = upstream.url
    assert httpx.get(f"{url}/__standin/health").json() == {"ok": True}
    upstream.stop()
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{url}/__standin/health", timeout=1)
