import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from outreach_helper import normalize as n
from outreach_helper import payloads as p
from outreach_helper.records import Role, RosterMember

# Copies of the upstream contract's example payloads (invented people).
SAMPLES = Path(__file__).parent / "samples"


def sample(name):
    return json.loads((SAMPLES / name).read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("873", 873),
        ("1.7K", 1700),
        ("6.44K", 6440),
        ("21.6K", 21600),
        ("120K", 120000),
        ("1.4M", 1400000),
        ("7.24M", 7240000),
        ("2B", 2000000000),
        ("1.5T", 1500000000000),
        ("1.7 Thousand", 1700),
        (" 12 ", 12),
        (42, 42),
        (None, None),
        ("n/a", None),
        ("3X", None),
    ],
)
def test_number_to_human_strings_become_integers(text, expected):
    assert n.parse_count(text) == expected


@pytest.mark.parametrize(
    ("display", "role"),
    [
        ("Student", Role.STUDENT),
        ("student", Role.STUDENT),
        ("Instructor", Role.INSTRUCTOR),
        ("FACILITATOR", Role.INSTRUCTOR),
        ("Campus Volunteer", Role.CAMPUS_VOLUNTEER),
        ("Online Volunteer", Role.ONLINE_VOLUNTEER),
        ("Wiki Education Staff", Role.STAFF),
        ("Program Manager", Role.STAFF),
    ],
)
def test_role_display_strings_become_codes(display, role):
    assert n.role_from_display(display) is role


def test_role_levels_map_to_codes_and_unknown_levels_are_staff():
    assert [n.role_from_level(i) for i in range(6)] == [
        Role.STUDENT,
        Role.INSTRUCTOR,
        Role.CAMPUS_VOLUNTEER,
        Role.ONLINE_VOLUNTEER,
        Role.STAFF,
        Role.STAFF,
    ]


def test_dates_become_aware_utc_datetimes():
    assert n.parse_datetime("2026-09-01T00:00:00.000Z") == datetime(2026, 9, 1, tzinfo=UTC)


def test_unparseable_dates_become_none():
    assert n.parse_datetime("soon") is None


def test_roster_keeps_highest_role_then_latest_enrollment():
    rows = [
        RosterMember(username="A", role=Role.STUDENT, enrolled_at=n.parse_datetime("2026-01-02")),
        RosterMember(username="A", role=Role.ONLINE_VOLUNTEER, enrolled_at=None),
        RosterMember(username="B", role=Role.STUDENT, enrolled_at=n.parse_datetime("2026-01-01")),
        RosterMember(username="B", role=Role.STUDENT, enrolled_at=n.parse_datetime("2026-03-01")),
    ]
    kept = {m.username: m for m in n.dedupe_roster(rows)}
    assert (kept["A"].role, kept["B"].enrolled_at) == (
        Role.ONLINE_VOLUNTEER,
        n.parse_datetime("2026-03-01"),
    )


def test_sample_user_stats_normalizes_roles_and_flags():
    record = n.user_record(p.UserStatsPayload.model_validate(sample("user_stats.json")))
    roles = [e.user_role for e in record.enrollments]
    assert (roles, record.is_instructor, record.is_student, record.max_project) == (
        [Role.INSTRUCTOR, Role.STUDENT, Role.INSTRUCTOR],
        True,
        True,
        "wikidata",
    )


def test_sample_course_is_trimmed_to_nothing_personal_or_operational():
    payload = p.CourseEnvelopePayload.model_validate(sample("course.json"))
    dumped = json.dumps(n.course_record(payload.course).model_dump(mode="json"))
    assert all(word not in dumped for word in ("passcode", "flags", "update_logs", "****"))


def test_sample_course_counts_are_integers():
    payload = p.CourseEnvelopePayload.model_validate(sample("course.json"))
    counts = n.course_record(payload.course).counts
    assert (counts.edited_count, counts.word_count, counts.references_count) == (
        1700,
        1400000,
        6440,
    )


def test_sample_roster_has_one_row_per_user_and_no_personal_fields():
    raw = sample("users.json")
    for row in raw["course"]["users"]:
        row["email"] = "someone@example.org"
        row["real_name"] = "Some One"
    record = n.roster_record(p.RosterEnvelopePayload.model_validate(raw).course)
    dumped = json.dumps(record.model_dump(mode="json"))
    assert (len(record.members), "example.org" in dumped, "Some One" in dumped) == (4, False, False)


def test_sample_roster_staff_are_role_one_and_up():
    record = n.roster_record(p.RosterEnvelopePayload.model_validate(sample("users.json")).course)
    assert record.staff == ["Dashboard Helper Staff", "Marta Quill", "Ngozi Eze"]


def test_sample_campaign_counts_are_integers():
    record = n.campaign_record(p.ActiveCoursesPayload.model_validate(sample("active_courses.json")))
    assert [c.word_count for c in record.courses] == [1401220, 88410]
