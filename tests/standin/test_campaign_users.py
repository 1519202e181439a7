"""``GET /campaigns/SLUG/users.json`` (``CampaignsController#users``, format json):
``{"campaign": SLUG, "users": [{"course", "role", "username"}]}`` from
``Campaign#users_to_json``: every enrollment of the campaign's non-private
courses, past ones too, unpaged; roles as ``CoursesUsers::ROLE_NAMES`` words."""

from __future__ import annotations

import httpx

from outreach_standin import StandinServer
from outreach_standin.model import StandinCourse
from outreach_standin.world import COURSE_ACTIVE, COURSE_PRIVATE, NGOZI, NORMAL_CAMPAIGN
from tests.standin.support import JSON

ROLE_NAMES = {
    0: "Editor",
    1: "Facilitator",
    2: "Campus Volunteer",
    3: "Online Volunteer",
    4: "Wiki Education Staff",
}


def course_of(server: StandinServer, slug: str) -> StandinCourse:
    course = server.world.course(slug)
    assert course is not None, slug
    return course


def users(client: httpx.Client, slug: str) -> httpx.Response:
    return client.get(f"/campaigns/{slug}/users.json", headers=JSON)


def expected_rows(server: StandinServer, slug: str) -> list[dict[str, str]]:
    world = server.world
    campaign = world.campaign(slug)
    assert campaign is not None
    public = {s for s in campaign.course_slugs if not course_of(server, s).private}
    rows = sorted((e for e in world.enrollments if e.course_slug in public), key=lambda e: e.id)
    return [
        {"course": e.course_slug, "role": ROLE_NAMES[e.role], "username": e.username} for e in rows
    ]


def test_every_enrollment_of_the_campaigns_public_courses(
    client: httpx.Client, server: StandinServer
) -> None:
    body = users(client, NORMAL_CAMPAIGN).json()
    assert body == {"campaign": NORMAL_CAMPAIGN, "users": expected_rows(server, NORMAL_CAMPAIGN)}


def test_roles_are_the_role_names_words(client: httpx.Client) -> None:
    roles = {row["role"] for row in users(client, NORMAL_CAMPAIGN).json()["users"]}
    assert roles == set(ROLE_NAMES.values())


def test_past_courses_are_included(client: httpx.Client, server: StandinServer) -> None:
    now = server.control.now()
    ended = {
        row["course"]
        for row in users(client, NORMAL_CAMPAIGN).json()["users"]
        if course_of(server, row["course"]).end < now
    }
    assert ended


def test_an_unknown_campaign_is_a_json_404(client: httpx.Client) -> None:
    response = users(client, "no_such_campaign")
    assert (response.status_code, response.json()) == (404, {"message": "Campaign does not exist"})


def test_campaign_users_are_counted_under_their_own_name(client: httpx.Client) -> None:
    users(client, NORMAL_CAMPAIGN)
    assert client.get("/__standin/counters").json()["campaign_users"] == 1


def test_a_private_courses_enrollments_are_left_out(client: httpx.Client) -> None:
    courses = {row["course"] for row in users(client, NORMAL_CAMPAIGN).json()["users"]}
    assert COURSE_PRIVATE not in courses


def test_one_user_twice_in_one_course_is_two_rows(client: httpx.Client) -> None:
    rows = users(client, NORMAL_CAMPAIGN).json()["users"]
    ngozi = sorted(
        r["role"] for r in rows if r["username"] == NGOZI and r["course"] == COURSE_ACTIVE
    )
    assert ngozi == ["Editor", "Online Volunteer"]
