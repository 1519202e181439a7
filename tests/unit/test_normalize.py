import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import ValidationError

from outreach_helper.records import Role, RosterMember, RosterRecord
from outreach_helper.upstream import normalize as n
from outreach_helper.upstream import payloads as p

# Copies of the upstream contract's example payloads (invented people).
SAMPLES = Path(__file__).parents[1] / "samples"


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
    assert len(record.members) == 4
    assert "example.org" not in dumped, "an email address is kept"
    assert "Some One" not in dumped, "a real name is kept"


def test_sample_roster_staff_are_role_one_and_up():
    record = n.roster_record(p.RosterEnvelopePayload.model_validate(sample("users.json")).course)
    assert record.staff == ["Dashboard Helper Staff", "Marta Quill", "Ngozi Eze"]


# Roster rows as the dashboard might send them if anything upstream let them in. The
# docs/security.md: a roster keeps only names a MediaWiki account can have (not empty, at most 255
# bytes, not an IP address, not . or .., no ~~~, none of / # < > [ ] | { }, no control,
# zero-width, bidirectional or private-use characters), each in its canonical form
# (underscores as spaces, first letter upper-case).
HOSTILE_ROSTER = [
    ("Good Staff", 1),
    ("Old:Timer@Wiki", 2),
    ("under_score person", 1),
    ("Zoë Åström", 0),
    ("Evil}}{{Delete", 1),
    ("Pipe|Name", 1),
    ("[[Category:Spam]]", 1),
    ("<b>Bold</b>", 1),
    ("Line\nBreak", 1),
    ("Tab\tName", 1),
    ("Delete\x7fKey", 1),
    ("Hash#Name", 1),
    ("Slash/Name", 1),
    ("192.0.2.1", 1),
    ("2001:db8::1", 1),
    ("", 1),
    ("  _ ", 1),
    ("A" * 256, 1),
    ("\u00e9" * 128, 1),  # 256 bytes of UTF-8 in 128 letters
    (".", 1),
    ("..", 1),
    ("Signs~~~~", 1),
    ("Good Staff\u200e", 1),  # MediaWiki's titles drop the mark: read as Good Staff
    ("Right\u202eLeft", 1),
    ("Zero\u200bWidth", 1),
]


def _roster(rows):
    users = [{"username": name, "role": role, "enrolled_at": None} for name, role in rows]
    return n.roster_record(p.RosterCoursePayload.model_validate({"users": users}))


def test_roster_leaves_out_names_no_account_can_have():
    record = _roster(HOSTILE_ROSTER)
    assert sorted(m.username for m in record.members) == [
        "Good Staff",
        "Old:Timer@Wiki",
        "Under score person",
        "Zoë Åström",
    ]
    assert record.staff == ["Good Staff", "Old:Timer@Wiki", "Under score person"]


def test_roster_names_carry_no_wikitext():
    names = [m.username for m in _roster(HOSTILE_ROSTER).members]
    for name in names:
        assert not set(name) & set("{}|[]<>/#\n\t\u200b\u200e\u202e")
        assert "~~~" not in name


def test_a_roster_name_of_255_bytes_is_kept():
    longest = "A" * 255
    assert [m.username for m in _roster([(longest, 1)]).members] == [longest]


@pytest.mark.parametrize("name", ["Evil}}{{Delete", "Pipe|Name", "192.0.2.1", "lower case"])
def test_a_stored_roster_with_an_impossible_or_uncanonical_name_is_refused(name):
    # What the cache reads back is validated: such an entry is a miss, fetched again.
    stored = {"members": [{"username": name, "role": "instructor", "enrolled_at": None}]}
    with pytest.raises(ValidationError):
        RosterRecord.model_validate(stored)


def test_sample_campaign_counts_are_integers():
    record = n.campaign_record(p.ActiveCoursesPayload.model_validate(sample("active_courses.json")))
    assert [c.word_count for c in record.courses] == [1401220, 88410]


@pytest.mark.parametrize(
    ("listed", "kept"),
    [
        ("Marta Quill", "Marta Quill"),  # a username, as the dashboard lists it since May 2026
        ("marta quill", None),  # not a username as stored: MediaWiki's first letter is upper case
        ("Dr. Marta <Quill>", None),  # a real name no account can have
        ("Marta_Quill", None),  # not in the stored form
        (None, None),
    ],
)
def test_a_campaign_lists_its_instructor_only_as_a_username(listed, kept):
    # WikiEduDashboard 5892fc6 (2026-05-04): the instructor was a real name before.
    raw = sample("active_courses.json")  # parsed: each call a fresh copy
    raw["courses"][0]["instructor"] = listed
    record = n.campaign_record(p.ActiveCoursesPayload.model_validate(raw))
    assert record.courses[0].instructor == kept


# ---- a campaign's users.json ---------------------------------------------------------


# ``CoursesUsers::ROLE_NAMES`` (WikiEduDashboard, app/models/course_data/courses_users.rb),
# compared without case; the dashboard's other wording of the same roles is known too.
@pytest.mark.parametrize(
    ("word", "role"),
    [
        ("Editor", Role.STUDENT),
        ("Facilitator", Role.INSTRUCTOR),
        ("Campus Volunteer", Role.CAMPUS_VOLUNTEER),
        ("Online Volunteer", Role.ONLINE_VOLUNTEER),
        ("Wiki Education Staff", Role.STAFF),
        ("EDITOR", Role.STUDENT),
        ("wiki  education staff", Role.STAFF),
        ("Student", Role.STUDENT),
        ("Instructor", Role.INSTRUCTOR),
        ("campus_volunteer", Role.CAMPUS_VOLUNTEER),
    ],
)
def test_campaign_role_words_become_codes(word, role):
    assert n.role_from_role_name(word) is role


@pytest.mark.parametrize("word", ["Mentor", "Program Manager", "", None])
def test_an_unknown_campaign_role_word_is_no_role_not_staff(word):
    assert n.role_from_role_name(word) is None


def _campaign_users(rows):
    users = [{"course": course, "username": name, "role": role} for course, name, role in rows]
    return n.campaign_users_record(p.CampaignUsersPayload.model_validate({"users": users}))


def test_campaign_users_keep_one_row_per_person_and_course_with_the_highest_role():
    record = _campaign_users(
        [
            ("S/A", "Ngozi Eze", "Editor"),
            ("S/A", "Ngozi Eze", "Online Volunteer"),
            ("S/B", "Ngozi Eze", "Editor"),
        ]
    )
    assert {
        slug: [(m.username, m.role) for m in rows] for slug, rows in record.courses.items()
    } == {
        "S/A": [("Ngozi Eze", Role.ONLINE_VOLUNTEER)],
        "S/B": [("Ngozi Eze", Role.STUDENT)],
    }


def test_campaign_users_list_staff_first_then_usernames():
    record = _campaign_users(
        [
            ("S/A", "Zed", "Editor"),
            ("S/A", "Amy", "Editor"),
            ("S/A", "Mo", "Facilitator"),
            ("S/A", "Bo", "Wiki Education Staff"),
        ]
    )
    assert [m.username for m in record.courses["S/A"]] == ["Bo", "Mo", "Amy", "Zed"]


def test_campaign_users_with_an_unknown_role_word_are_left_out_and_counted():
    record = _campaign_users(
        [("S/A", "Known", "Editor"), ("S/A", "Odd", "Mentor"), ("S/A", "Nameless", None)]
    )
    assert ([m.username for m in record.courses["S/A"]], record.unknown_roles) == (["Known"], 2)


def test_campaign_users_leave_out_names_no_account_can_have():
    rows = [("S/A", name, "Facilitator") for name, _ in HOSTILE_ROSTER]
    assert sorted(m.username for m in _campaign_users(rows).courses["S/A"]) == [
        "Good Staff",
        "Old:Timer@Wiki",
        "Under score person",
        "Zoë Åström",
    ]


def test_campaign_users_keep_nothing_but_course_username_and_role():
    raw = {
        "campaign": "c",
        "users": [
            {
                "course": "S/A",
                "username": "Some One",
                "role": "Editor",
                "email": "someone@example.org",
                "real_name": "Real Person",
                "id": 5,
            }
        ],
    }
    record = n.campaign_users_record(p.CampaignUsersPayload.model_validate(raw))
    dumped = json.dumps(record.model_dump(mode="json"))
    assert ("example.org" in dumped, "Real Person" in dumped) == (False, False)
