"""The Wiki Education Dashboard's world, served next to the Outreach one, over real HTTP.

Two stand-ins run at once on distinct ports: ``server`` (the Outreach
Dashboard, ``world.py``) and ``wikiedu_server`` (``world_wikiedu.py``). Expected
values come from the worlds' documented tables (dates from the anchor
2026-11-22) and from the dashboard's source: ClassroomProgramCourse ends at
``end_of_day``, ``Features.default_course_string_prefix`` is "courses" on Wiki
Ed, ``Course.current_and_future`` keeps courses ended less than 30 days ago.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote_plus

import httpx
import pytest

from outreach_standin import StandinServer, build_world
from outreach_standin import world as outreach
from outreach_standin import world_wikiedu as wikiedu
from outreach_standin.cli import build_parser
from tests.standin.support import JSON, NOW, course_path, profile_path, standin_client

ROLE_STUDENT, ROLE_INSTRUCTOR, ROLE_STAFF = 0, 1, 4


@pytest.fixture(scope="module")
def wikiedu_server() -> Iterator[StandinServer]:
    with StandinServer(now=NOW, world_name="wikiedu") as upstream:
        yield upstream


@pytest.fixture
def wiki_ed(wikiedu_server: StandinServer) -> Iterator[httpx.Client]:
    with standin_client(wikiedu_server) as http:
        yield http


def stats(client: httpx.Client, name: str) -> httpx.Response:
    return client.get("/user_stats.json", params={"username": quote_plus(name)})


def course(client: httpx.Client, slug: str) -> dict[str, Any]:
    response = client.get(course_path(slug), headers=JSON)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()["course"]
    return body


def roster(client: httpx.Client, slug: str) -> list[dict[str, Any]]:
    response = client.get(course_path(slug, "users.json"), headers=JSON)
    assert response.status_code == 200, response.text
    rows: list[dict[str, Any]] = response.json()["course"]["users"]
    return rows


def listed(client: httpx.Client, campaign: str) -> list[str]:
    response = client.get(f"/campaigns/{campaign}/active_courses.json", headers=JSON)
    assert response.status_code == 200, response.text
    return [c["slug"] for c in response.json()["courses"]]


# --- which dashboard -----------------------------------------------------------------


def test_the_two_servers_say_which_dashboard_they_imitate(server, wikiedu_server, client, wiki_ed):
    assert server.port != wikiedu_server.port
    assert server.instance.name == "outreach"
    assert wikiedu_server.instance.name == "wikiedu"
    ours = wiki_ed.get("/__standin/world").json()
    assert ours["world"] == "wikiedu"
    assert ours["dashboard"] == {
        "title": "Wiki Education Dashboard",
        "url": "https://dashboard.wikiedu.org",
        "wiki_ed": True,
        "default_course_type": "ClassroomProgramCourse",
    }
    assert ours["named_users"] == {
        "PROFESSOR": wikiedu.PROFESSOR,
        "PROGRAM_MANAGER": wikiedu.PROGRAM_MANAGER,
        "TWO_HATS": wikiedu.TWO_HATS,
        "WIKIED_STAFF": wikiedu.WIKIED_STAFF,
        "WIKIED_STUDENT": wikiedu.WIKIED_STUDENT,
    }
    assert set(ours["named_courses"]) == {
        "CLASS_ACTIVE", "CLASS_ENDED", "CLASS_FUTURE", "CLASS_HALF_TERM", "CLASS_WIKIDATA",
        "SHARED_SLUG",
    }  # fmt: skip
    theirs = client.get("/__standin/world").json()
    assert theirs["world"] == "outreach"
    assert theirs["dashboard"]["title"] == "Programs & Events Dashboard"
    assert theirs["dashboard"]["url"] == "https://outreachdashboard.wmflabs.org"


def test_html_pages_name_the_wiki_education_dashboard(wiki_ed):
    html = {"Accept": "text/html"}
    title = "<title>Wiki Education Dashboard</title>"
    assert title in wiki_ed.get("/", headers=html).text
    missing = wiki_ed.get("/no/such/page", headers=html)
    assert missing.status_code == 404
    assert title in missing.text
    assert "<h1>Wiki Education Dashboard</h1>" in missing.text
    profile = wiki_ed.get(profile_path(wikiedu.PROFESSOR), headers=html)
    assert "<title>Rosalind Achterberg - Wiki Education Dashboard</title>" in profile.text
    page = wiki_ed.get(course_path(wikiedu.CLASS_ACTIVE, ""), headers=html)
    assert (
        "<title>Environmental History of the Americas - Wiki Education Dashboard</title>"
        in page.text
    )
    wiki_ed.post("/__standin/faults", json={"mode": "html200", "times": 1})
    assert "<title>Wiki Education Dashboard</title>" in stats(wiki_ed, wikiedu.PROFESSOR).text


def test_counters_are_per_server(client, wiki_ed):
    stats(wiki_ed, wikiedu.TWO_HATS)
    stats(wiki_ed, wikiedu.TWO_HATS)
    stats(client, outreach.TWO_HATS)
    assert wiki_ed.get("/__standin/counters").json()["user_stats"] == 2
    assert client.get("/__standin/counters").json()["user_stats"] == 1


# --- people on one dashboard or both ---------------------------------------------------


def test_two_hats_has_courses_on_both_dashboards(client, wiki_ed):
    assert wikiedu.TWO_HATS == outreach.TWO_HATS == "Ama Twohats"
    here = stats(wiki_ed, wikiedu.TWO_HATS)
    assert here.status_code == 200
    body = here.json()
    assert [(c["course_slug"], c["user_role"]) for c in body["courses_details"]] == [
        (wikiedu.CLASS_ACTIVE, "Student")
    ]
    assert "as_instructor" not in body
    # Features.default_course_string_prefix: ClassroomProgramCourse's on Wiki Ed.
    assert body["as_student"]["course_string_prefix"] == "courses"

    there = stats(client, outreach.TWO_HATS).json()
    assert [(c["course_slug"], c["user_role"]) for c in there["courses_details"]] == [
        (outreach.COURSE_TWO_HATS, "Instructor"),
        (outreach.COURSE_ACTIVE, "Student"),
    ]
    assert there["as_instructor"]["course_string_prefix"] == "courses_generic"

    # One global account: the same global_id in both rosters, different user ids.
    ours = next(r for r in roster(wiki_ed, wikiedu.CLASS_ACTIVE) if r["username"] == "Ama Twohats")
    theirs = next(
        r for r in roster(client, outreach.COURSE_ACTIVE) if r["username"] == "Ama Twohats"
    )
    assert ours["global_id"] == theirs["global_id"] == 69846905
    assert (ours["id"], theirs["id"]) == (191402, 70555)
    assert ours["role"] == theirs["role"] == ROLE_STUDENT


def test_two_hats_profile_is_per_dashboard(client, wiki_ed):
    ours = wiki_ed.get(profile_path(wikiedu.TWO_HATS), params={"format": "json"}).json()
    theirs = client.get(profile_path(outreach.TWO_HATS), params={"format": "json"}).json()
    assert ours["user_profile"]["username"] == theirs["user_profile"]["username"] == "Ama Twohats"
    assert ours["user_profile"]["institution"] == "Lakemont State University"
    assert theirs["user_profile"]["institution"] == "Ateneo de Manila"


@pytest.mark.parametrize("name", [outreach.MARTA, "Nobody Known Anywhere"])
def test_a_user_of_the_outreach_dashboard_only_is_unknown_here(wiki_ed, wikiedu_server, name):
    assert wikiedu.OUTREACH_ONLY == outreach.MARTA == "Marta Quill"
    profile = wiki_ed.get(profile_path(name), params={"format": "json"})
    assert profile.status_code == 302
    assert profile.headers["location"] == f"{wikiedu_server.url}/"
    found = stats(wiki_ed, name)
    assert found.status_code == 404
    assert found.content == b'{"error":"User not found"}'


def test_marta_is_known_on_the_outreach_dashboard(client):
    assert stats(client, outreach.MARTA).status_code == 200
    assert client.get(profile_path(outreach.MARTA), params={"format": "json"}).status_code == 200


@pytest.mark.parametrize("name", [wikiedu.WIKIED_STUDENT, wikiedu.PROFESSOR, wikiedu.WIKIED_STAFF])
def test_wiki_ed_people_are_unknown_on_the_outreach_dashboard(client, name):
    assert stats(client, name).status_code == 404
    assert client.get(profile_path(name), params={"format": "json"}).status_code == 302


def test_the_wiki_ed_student_and_professor(wiki_ed):
    student = stats(wiki_ed, wikiedu.WIKIED_STUDENT).json()
    assert [c["course_slug"] for c in student["courses_details"]] == [
        wikiedu.CLASS_ACTIVE,
        wikiedu.CLASS_ENDED,
    ]  # newest enrollment first
    assert "as_instructor" not in student
    professor = stats(wiki_ed, wikiedu.PROFESSOR).json()
    assert [(c["course_slug"], c["user_role"]) for c in professor["courses_details"]] == [
        (wikiedu.CLASS_ACTIVE, "Instructor"),
        (wikiedu.CLASS_ENDED, "Instructor"),
    ]
    as_instructor = professor["as_instructor"]
    assert as_instructor["course_string_prefix"] == "courses"
    assert as_instructor["courses_count"] == 2
    assert as_instructor["user_count"] == 23 + 15
    assert professor["max_project"] == "wikipedia"


# --- courses ------------------------------------------------------------------------


def test_shared_slug_answers_different_facts_on_each_dashboard(client, wiki_ed):
    assert wikiedu.SHARED_SLUG == outreach.COURSE_ACTIVE
    ours, theirs = course(wiki_ed, wikiedu.SHARED_SLUG), course(client, outreach.COURSE_ACTIVE)
    assert (
        ours["slug"] == theirs["slug"] == "Riverside_Library_Network/Wikidata_Days_(November)_2026"
    )
    assert (ours["id"], theirs["id"]) == (23561, 30517)
    assert (ours["term"], theirs["term"]) == ("Fall 2026", "2026")
    assert (ours["type"], theirs["type"]) == ("ClassroomProgramCourse", "Editathon")
    assert (ours["start"], ours["end"]) == ("2026-08-19T00:00:00.000Z", "2026-11-12T23:59:59.000Z")
    assert (ours["ended"], theirs["ended"]) == (True, False)
    assert (ours["student_count"], theirs["student_count"]) == (9, 37)
    assert ours["home_wiki"] == {"id": 1, "language": "en", "project": "wikipedia"}
    assert theirs["home_wiki"] == {"id": 3, "language": None, "project": "wikidata"}
    assert ours["enroll_url"].startswith("https://dashboard.wikiedu.org/courses/")
    assert theirs["enroll_url"].startswith("https://outreachdashboard.wmflabs.org/courses/")
    names = {r["username"] for r in roster(wiki_ed, wikiedu.SHARED_SLUG)}
    assert wikiedu.WIKIED_STAFF in names
    assert not names & {outreach.MARTA, outreach.TWO_HATS, outreach.STAFF}


def test_an_active_classroom_course_ends_at_the_end_of_its_last_day(wiki_ed):
    body = course(wiki_ed, wikiedu.CLASS_ACTIVE)
    assert body["id"] == 24107
    assert body["type"] == "ClassroomProgramCourse"
    assert body["string_prefix"] == "courses"
    assert body["use_start_and_end_times"] is False
    assert (body["start"], body["end"]) == ("2026-09-02T00:00:00.000Z", "2026-12-16T23:59:59.000Z")
    assert body["timeline_end"] == "2026-12-16T23:59:59.000Z"
    assert body["term"] == "Fall 2026"
    assert body["school"] == "Lakemont State University"
    assert body["home_wiki"] == {"id": 1, "language": "en", "project": "wikipedia"}
    assert body["wikis"] == [{"language": "en", "project": "wikipedia"}]
    assert body["ended"] is False
    assert body["student_count"] == 23
    assert body["enroll_url"] == (
        "https://dashboard.wikiedu.org/courses/Lakemont_State_University/"
        "Environmental_History_of_the_Americas_(Fall_2026)/enroll/"
    )


def test_ended_future_and_wikidata_classes(wiki_ed):
    ended = course(wiki_ed, wikiedu.CLASS_ENDED)
    assert (ended["end"], ended["ended"]) == ("2026-05-20T23:59:59.000Z", True)
    future = course(wiki_ed, wikiedu.CLASS_FUTURE)
    assert (future["start"], future["ended"], future["student_count"]) == (
        "2027-01-18T00:00:00.000Z",
        False,
        0,
    )
    wikidata = course(wiki_ed, wikiedu.CLASS_WIKIDATA)
    assert wikidata["home_wiki"] == {"id": 3, "language": None, "project": "wikidata"}
    assert wikidata["end"] == "2026-12-22T23:59:59.000Z"
    assert wikidata["ended"] is False
    assert "www.wikidata.org" in wikidata["course_stats"]["stats_hash"]
    assert wikidata["type"] == "ClassroomProgramCourse"


def test_the_active_roster(wiki_ed):
    rows = {(r["username"], r["role"]): r for r in roster(wiki_ed, wikiedu.CLASS_ACTIVE)}
    assert (wikiedu.PROFESSOR, ROLE_INSTRUCTOR) in rows
    assert (wikiedu.WIKIED_STUDENT, ROLE_STUDENT) in rows
    assert (wikiedu.TWO_HATS, ROLE_STUDENT) in rows
    expert = rows[(wikiedu.WIKIED_STAFF, ROLE_STAFF)]
    # A Wikipedia Expert is an admin and greeter: content_expert, name shown to anyone.
    assert (expert["content_expert"], expert["program_manager"], expert["admin"]) == (
        True,
        False,
        True,
    )
    assert expert["real_name"] == "Tamsin (Wiki Ed)"
    manager = rows[(wikiedu.PROGRAM_MANAGER, ROLE_STAFF)]
    assert (manager["content_expert"], manager["program_manager"]) == (False, True)
    assert "real_name" not in manager
    assert sum(1 for (_, role) in rows if role == ROLE_STUDENT) == 23


def test_wiki_ed_staff_is_on_every_roster(wiki_ed, wikiedu_server):
    summary = wiki_ed.get("/__standin/world").json()
    slugs = [*wikiedu.NAMED_COURSES, *summary["sample_course_slugs"]]
    assert len(slugs) == 6 + 5
    for slug in slugs:
        staff = [r for r in roster(wiki_ed, slug) if r["role"] == ROLE_STAFF]
        assert wikiedu.WIKIED_STAFF in {r["username"] for r in staff}, slug
    # Every course of the world, generated ones included.
    assert all(
        any(
            e.username == wikiedu.WIKIED_STAFF and e.role == ROLE_STAFF
            for e in wikiedu_server.world.roster(c.slug)
        )
        for c in wikiedu_server.world.courses
    )


def test_generated_classes_look_like_wiki_ed_classes(wiki_ed):
    for slug in wiki_ed.get("/__standin/world").json()["sample_course_slugs"]:
        body = course(wiki_ed, slug)
        assert body["type"] == "ClassroomProgramCourse"
        assert body["end"].endswith("T23:59:59.000Z")
        assert slug.endswith(f"_({body['term'].replace(' ', '_')})")


# --- campaigns ---------------------------------------------------------------------


def test_campaigns_list_current_and_future_classes(wiki_ed):
    # By recent_revision_count (1840, 655, 0); CLASS_HALF_TERM ended 40 days ago.
    assert listed(wiki_ed, wikiedu.CAMPAIGN_FALL_2026) == [
        wikiedu.CLASS_ACTIVE,
        wikiedu.CLASS_WIKIDATA,
        wikiedu.SHARED_SLUG,
    ]
    assert listed(wiki_ed, wikiedu.CAMPAIGN_SPRING_2027) == [wikiedu.CLASS_FUTURE]
    assert listed(wiki_ed, wikiedu.CAMPAIGN_SPRING_2026) == []


def test_campaigns_belong_to_one_dashboard(client, wiki_ed):
    missing = wiki_ed.get(f"/campaigns/{outreach.NORMAL_CAMPAIGN}/active_courses.json")
    assert missing.status_code == 404
    assert missing.json() == {"message": "Campaign does not exist"}
    assert client.get(
        f"/campaigns/{wikiedu.CAMPAIGN_FALL_2026}/active_courses.json"
    ).status_code == (404)


def test_the_clock_moves_classes_out_of_the_listing(wiki_ed):
    # SHARED_SLUG ended 2026-11-12T23:59:59.000Z: listed until 30 days after that.
    wiki_ed.post("/__standin/now", json={"now": "2026-12-12T23:59:58Z"})
    assert wikiedu.SHARED_SLUG in listed(wiki_ed, wikiedu.CAMPAIGN_FALL_2026)
    wiki_ed.post("/__standin/now", json={"now": "2026-12-13T00:00:01Z"})
    assert wikiedu.SHARED_SLUG not in listed(wiki_ed, wikiedu.CAMPAIGN_FALL_2026)


# --- the Outreach world is unchanged -------------------------------------------------

# sha256 of answers recorded before the second world existed; user_stats re-pinned
# when its instructor rows became "Instructor" everywhere, as the source has it
# (users_helper.rb course_role_name), the one byte-level change to these answers.
OUTREACH_PINS = {
    "user_stats": "a9c4a4b580bc3404959d3433377073f8cbaf5a3270ea7bd8083570f5a8a6c612",
    "profile": "02014f24fc25b58032185e8614f0cee0c3405e43ddafcbfa029c340fd4cafe25",
    "course": "343a9b71dc220704bcd0f39dd57e4cfea28dd5de032c64fcaf23525cf429efa6",
    "users": "a7a3d1b6c868d415d3a991eb53b07b3e6afaca6b6287bfc18dfb50b039419d3e",
    "active_courses": "f12e3b0c04b28fd6d824f42cb7e897fe5fbeaee715b0a990b8add8fa581496a9",
    "home": "e17be93ad2a2e75eb3acc792340974775206c42d5d60936b048c71be34bb8e2e",
    "not_found_html": "c7a850264cd4608c2c702c531b3c7b2482c5efb5bcd886a3516daf6d751fc7b0",
}


def test_the_outreach_world_answers_as_before(client):
    english = {"Accept-Language": "en"}
    answers = {
        "user_stats": client.get(
            "/user_stats.json", params={"username": quote_plus(outreach.MARTA)}, headers=english
        ),
        "profile": client.get(profile_path(outreach.MARTA), params={"format": "json"}),
        "course": client.get(course_path(outreach.COURSE_ACTIVE), headers=english),
        "users": client.get(course_path(outreach.COURSE_ACTIVE, "users.json")),
        "active_courses": client.get(
            f"/campaigns/{outreach.NORMAL_CAMPAIGN}/active_courses.json", headers=english
        ),
        "home": client.get("/"),
        "not_found_html": client.get("/nothing", headers={"Accept": "text/html"}),
    }
    digests = {name: hashlib.sha256(r.content).hexdigest() for name, r in answers.items()}
    assert digests == OUTREACH_PINS


# --- selecting a world ---------------------------------------------------------------


def test_selecting_a_world():
    assert build_world(now=NOW).instance.name == "outreach"
    world = build_world(now=NOW, world="wikiedu")
    assert world.instance.name == "wikiedu"
    assert world.find_user(outreach.MARTA) is None
    assert len(world.users) == 5 + 150
    with pytest.raises(ValueError, match="unknown world"):
        build_world(now=NOW, world="meta")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="not 'wikiedu'"):
        StandinServer(build_world(now=NOW), world_name="wikiedu")


def test_the_command_takes_a_world():
    assert build_parser().parse_args([]).world == "outreach"
    assert build_parser().parse_args(["--world", "wikiedu", "--port", "8011"]).world == "wikiedu"
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--world", "meta"])
