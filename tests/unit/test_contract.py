"""The upstream contract on bytes: what each answer means, with no socket at all.

Expected values come from ``shared/upstream/README.md`` (statuses, bodies) and
the sample payloads; the stand-in tests in ``test_dashboard.py`` are the
end-to-end proof over real HTTP.
"""

from __future__ import annotations

import orjson
import pytest

from outreach_helper import errors
from outreach_helper.names import CourseSlug
from outreach_helper.upstream import contract
from outreach_helper.upstream.contract import Attempt, Reply
from outreach_helper.upstream.documents import (
    CAMPAIGN,
    CAMPAIGN_USERS,
    COURSE,
    PROFILE,
    ROSTER,
    USER,
)
from tests.support.paths import data_dir

JSON = {"content-type": "application/json; charset=utf-8"}
HTML = {"content-type": "text/html; charset=utf-8"}


def sample(name: str) -> bytes:
    return (data_dir() / "samples" / name).read_bytes()


def test_a_user_stats_answer_becomes_a_user_record():
    body = sample("user_stats.json")
    record = contract.interpret(USER, "Ada", Reply(200, JSON, body))
    rows = orjson.loads(body)["courses_details"]
    assert [(e.course_slug, e.user_role.is_staff) for e in record.enrollments] == [
        (row["course_slug"], row["user_role"].casefold() != "student") for row in rows
    ]


def test_a_course_answer_becomes_a_course_record_without_its_passcode():
    record = contract.interpret(COURSE, "S/T", Reply(200, JSON, sample("course.json")))
    assert "passcode" not in record.model_dump()


def test_a_roster_answer_keeps_one_row_per_username():
    record = contract.interpret(ROSTER, "S/T", Reply(200, JSON, sample("users.json")))
    names = [m.username for m in record.members]
    assert len(names) == len(set(names))


def test_a_campaign_answer_becomes_a_campaign_record():
    record = contract.interpret(CAMPAIGN, "c", Reply(200, JSON, sample("active_courses.json")))
    assert record.courses


def test_the_unknown_user_answer_is_user_not_found():
    body = sample("user_stats_not_found.json")
    with pytest.raises(errors.UserNotFound):
        contract.interpret(USER, "Nobody", Reply(404, JSON, body))


def test_an_html_404_for_a_user_is_somebody_else_answering():
    with pytest.raises(errors.UpstreamBadResponse):
        contract.interpret(USER, "Nobody", Reply(404, HTML, sample("course_not_found.html")))


def test_an_html_404_for_a_course_is_somebody_else_answering():
    # Every 404 of the dashboard's .json routes is JSON (rescue_not_found).
    with pytest.raises(errors.UpstreamBadResponse):
        contract.interpret(COURSE, "S/T", Reply(404, HTML, sample("course_not_found.html")))


def test_a_json_404_for_a_course_is_course_not_found():
    body = orjson.dumps({"message": "Course S/T not found"})
    with pytest.raises(errors.CourseNotFound):
        contract.interpret(COURSE, "S/T", Reply(404, JSON, body))


def test_a_404_for_a_campaign_is_campaign_not_found():
    body = orjson.dumps({"message": "Campaign does not exist"})
    with pytest.raises(errors.CampaignNotFound):
        contract.interpret(CAMPAIGN, "nope", Reply(404, JSON, body))


def test_a_404_for_a_campaigns_users_is_campaign_not_found():
    body = orjson.dumps({"message": "Campaign does not exist"})
    with pytest.raises(errors.CampaignNotFound):
        contract.interpret(CAMPAIGN_USERS, "nope", Reply(404, JSON, body))


def test_a_campaigns_users_answer_becomes_who_is_in_which_course():
    # Campaign#users_to_json: {campaign, users: [{course, role, username}]}, role words
    # from CoursesUsers::ROLE_NAMES.
    body = orjson.dumps(
        {
            "campaign": "c",
            "users": [
                {"course": "S/A", "role": "Facilitator", "username": "Marta Quill"},
                {"course": "S/A", "role": "Editor", "username": "Zoë Åström"},
            ],
        }
    )
    record = contract.interpret(CAMPAIGN_USERS, "c", Reply(200, JSON, body))
    assert [(m.username, m.role.value) for m in record.courses["S/A"]] == [
        ("Marta Quill", "instructor"),
        ("Zoë Åström", "student"),
    ]


def test_a_campaigns_users_answer_of_another_shape_is_a_bad_response():
    body = orjson.dumps({"campaign": "c", "users": [{"course": "S/A", "role": 1}]})
    with pytest.raises(errors.UpstreamBadResponse):
        contract.interpret(CAMPAIGN_USERS, "c", Reply(200, JSON, body))


def test_a_429_carries_its_retry_after_on_the_error():
    with pytest.raises(errors.RateLimited) as caught:
        contract.interpret(USER, "Ada", Reply(429, {"retry-after": "7"}, b"slow down"))
    assert (caught.value.retry_after, caught.value.upstream_status) == (7.0, 429)


@pytest.mark.parametrize("value", [None, "Wed, 21 Oct 2026 07:28:00 GMT", "nan"])
def test_a_retry_after_that_is_no_number_of_seconds_is_unknown(value):
    headers = {} if value is None else {"retry-after": value}
    with pytest.raises(errors.RateLimited) as caught:
        contract.interpret(USER, "Ada", Reply(429, headers, b""))
    assert caught.value.retry_after is None


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_a_5xx_is_unavailable_with_its_status(status):
    with pytest.raises(errors.UpstreamUnavailable) as caught:
        contract.interpret(COURSE, "S/T", Reply(status, HTML, b"<html>"))
    assert caught.value.upstream_status == status


def test_a_200_that_is_not_json_is_a_bad_response():
    with pytest.raises(errors.UpstreamBadResponse):
        contract.interpret(COURSE, "S/T", Reply(200, HTML, b"<html>maintenance</html>"))


def test_a_cut_body_is_a_bad_response():
    body = sample("course.json")
    with pytest.raises(errors.UpstreamBadResponse):
        contract.interpret(COURSE, "S/T", Reply(200, JSON, body[: len(body) // 2]))


def test_json_of_another_shape_is_a_bad_response():
    with pytest.raises(errors.UpstreamBadResponse):
        contract.interpret(COURSE, "S/T", Reply(200, JSON, b'{"unexpected": true}'))


@pytest.mark.parametrize("status", [403, 418])
def test_any_other_status_is_a_bad_response(status):
    with pytest.raises(errors.UpstreamBadResponse):
        contract.interpret(USER, "Ada", Reply(status, JSON, b"{}"))


ASKED = "https://outreachdashboard.wmflabs.org/users/Nobody?format=json"


@pytest.mark.parametrize(
    "location",
    ["https://outreachdashboard.wmflabs.org/", "/", "https://OutreachDashboard.wmflabs.org/"],
)
def test_the_profiles_302_to_the_dashboards_own_root_means_no_such_user(location):
    # Upstream README: an unknown user is a 302 to the dashboard's own "/".
    with pytest.raises(errors.UserNotFound):
        contract.interpret(PROFILE, "Nobody", Reply(302, {"location": location}, b"", ASKED))


@pytest.mark.parametrize(
    ("status", "location"),
    [
        (301, "https://outreachdashboard.wmflabs.org/"),  # a 302 only, by the source
        (303, "https://outreachdashboard.wmflabs.org/"),
        (302, "http://outreachdashboard.wmflabs.org/"),  # another scheme: not its own root
        (302, "https://outreachdashboard.wmcloud.org/"),  # a host move
        (302, "https://outreachdashboard.wmflabs.org/dashboard"),
        (302, "https://outreachdashboard.wmflabs.org/?page=1"),
        (301, "https://outreachdashboard.wmflabs.org/users/Nobody?format=json"),  # force_ssl loop
        (307, "/"),
        (308, "/"),
        (302, None),
    ],
)
def test_any_other_redirect_of_the_profile_route_is_trouble_not_an_answer(status, location):
    headers = {} if location is None else {"location": location}
    with pytest.raises(errors.Redirected) as caught:
        contract.interpret(PROFILE, "Nobody", Reply(status, headers, b"", ASKED))
    assert caught.value.upstream_status == status
    assert contract.host_trouble(caught.value), "a redirect is the host's trouble"


@pytest.mark.parametrize("document", [USER, COURSE, ROSTER, CAMPAIGN])
def test_a_redirect_on_any_other_route_is_trouble_even_to_the_root(document):
    reply = Reply(302, {"location": "/"}, b"", "https://outreachdashboard.wmflabs.org/x.json")
    with pytest.raises(errors.Redirected):
        contract.interpret(document, "S/T", reply)


def test_read_json_gives_the_raw_payload_for_inspection():
    raw = contract.read_json(COURSE, "S/T", Reply(200, JSON, sample("course.json")))
    assert raw["course"]["passcode"] == orjson.loads(sample("course.json"))["course"]["passcode"]


@pytest.mark.parametrize(
    ("error", "outcome"),
    [
        (None, Attempt.OK),
        (errors.UserNotFound("x"), Attempt.NOT_FOUND),
        (errors.UpstreamTimeout("t"), Attempt.TIMEOUT),
        (errors.RateLimited("r", retry_after=None), Attempt.RATE_LIMITED),
        (errors.UpstreamUnavailable("u"), Attempt.UNAVAILABLE),
        (errors.Redirected("r"), Attempt.REDIRECTED),
        (errors.UpstreamBadResponse("b"), Attempt.BAD_RESPONSE),
        (ValueError("a bug"), Attempt.CANCELLED),
    ],
)
def test_each_way_an_attempt_ends_has_one_name(error, outcome):
    assert Attempt.of(error) is outcome


def test_the_user_request_escapes_plus_for_the_second_decode():
    assert USER.request("Kai+Lani Makoa").params == {"username": "Kai%2BLani+Makoa"}


def test_course_documents_ask_below_the_course_path():
    slug = CourseSlug.from_slug("School/Title_(2026)")
    assert (COURSE.request(slug).path, ROSTER.request(slug).path) == (
        "/courses/School/Title_%282026%29/course.json",
        "/courses/School/Title_%282026%29/users.json",
    )
