"""The pages' pure parts (docs/pages.md): which requests to ``/`` get the start page,
what a page hands to a wiki (the ping, talk page links), which page routes are bulk
work, and what a user page shows of an answer."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from outreach_helper.records import Role
from outreach_helper.schema import DashboardState, EnrichedUserCourse, EnrichedUserResponse
from outreach_helper.web.front_door import (
    CAMPAIGN_PAGE_ROUTE,
    CAMPAIGN_ROUTE,
    PARTICIPANTS_ROUTE,
    USER_PAGE_ROUTE,
    USER_ROUTE,
    bulk_route,
)
from outreach_helper.web.pages.negotiation import prefers_html
from outreach_helper.web.pages.views import user_page
from outreach_helper.web.pages.wikitext import ping_text, pingable, talk_page_url

CHROMIUM_ACCEPT = (
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,"
    "image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7"
)
FIREFOX_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


# ---- / for a browser, the JSON index for everyone else -----------------------------


@pytest.mark.parametrize("accept", [CHROMIUM_ACCEPT, FIREFOX_ACCEPT, "text/html", "text/*"])
def test_a_request_preferring_html_gets_the_page(accept):
    assert prefers_html(accept) is True


@pytest.mark.parametrize(
    "accept",
    [
        None,
        "",
        "*/*",  # curl
        "application/json",
        "application/json, text/html",  # a tie is JSON's
        "text/html;q=0.5, application/json",
        "text/html;q=0, */*",
        "application/*, text/html;q=0.9",
        "garbage",
        "text/html;q=nonsense, application/json;q=0.1",
    ],
)
def test_any_other_request_gets_the_json_index(accept):
    assert prefers_html(accept) is False


def test_the_most_specific_range_decides():
    assert prefers_html("*/*;q=0.1, text/html;q=0.2") is True
    assert prefers_html("text/*;q=0.1, */*;q=1") is False


# ---- what a page hands to a wiki (GADGET.md, "The ping" and "Names") -----------------


def test_the_ping_numbers_its_names():
    assert ping_text(["Ama Twohats", "Old:Timer@Wiki"]) == "{{ping|1=Ama Twohats|2=Old:Timer@Wiki}}"


def test_a_name_holding_equals_stays_a_value():
    assert ping_text(["A=B", "1=Someone"]) == "{{ping|1=A=B|2=1=Someone}}"


def test_each_name_is_pinged_once():
    assert ping_text(["Ada", "Ada", "Bo"]) == "{{ping|1=Ada|2=Bo}}"


def test_nobody_to_ping_is_no_ping():
    assert ping_text([]) is None
    assert ping_text(["Bad|Name", "%41da"]) is None


@pytest.mark.parametrize(
    "name",
    [
        "%41da",  # a percent escape: the title would be "Ada"
        "Caf&eacute;",  # an HTML entity
        ":Leading colon",
        "User talk:Someone",
        "user_talk:Someone",
        "Template:Ping",
        "Bad|Name",
        "Sig~~~",
        "127.0.0.1",
        "Some}}one",
        "Someone\u200e",  # a bidirectional mark: another account
        "",
    ],
)
def test_names_mediawiki_would_refuse_or_misread_are_left_out(name):
    assert pingable(name) is None


@pytest.mark.parametrize(
    "name", ["Old:Timer@Wiki", "Tamsin (Wiki Ed)", "Kai+Lani Makoa", "Zoë Åström", "A=B"]
)
def test_usernames_are_kept(name):
    assert pingable(name) == name


def test_talk_page_links_are_encoded_as_mediawiki_encodes_its_own():
    assert talk_page_url("en.wikipedia.org", "Kai+Lani Makoa") == (
        "https://en.wikipedia.org/wiki/User_talk:Kai%2BLani_Makoa"
    )
    assert talk_page_url("en.wikipedia.org", "O'Brien & Co?") == (
        "https://en.wikipedia.org/wiki/User_talk:O%27Brien_%26_Co%3F"
    )
    assert talk_page_url("de.wikipedia.org", "Zoë Åström") == (
        "https://de.wikipedia.org/wiki/User_talk:Zo%C3%AB_%C3%85str%C3%B6m"
    )
    assert talk_page_url("en.wikipedia.org", "Old:Timer@Wiki") == (
        "https://en.wikipedia.org/wiki/User_talk:Old:Timer@Wiki"
    )


def test_no_talk_page_link_for_a_name_left_out_or_a_host_that_is_no_wiki():
    assert talk_page_url("en.wikipedia.org", "User talk:Someone") is None
    assert talk_page_url("evil.example/x?y=", "Ada") is None
    assert talk_page_url("EN.wikipedia.org", "Ada") is None  # only canonical server names


# ---- the front door: pages that are bulk work, as their API twins ------------------


def test_a_user_page_is_bulk_work_like_its_api_twin():
    assert bulk_route(b"/api/users/Ama_Twohats", b"enrich=true") == USER_ROUTE
    assert bulk_route(b"/user", b"username=Ama+Twohats&wiki=") == USER_PAGE_ROUTE
    assert bulk_route(b"/user", b"") == USER_PAGE_ROUTE


def test_a_campaign_page_is_bulk_work_like_its_api_twins():
    assert bulk_route(b"/api/campaigns/wikidata_days_2026/active-courses", b"") == CAMPAIGN_ROUTE
    assert bulk_route(b"/api/campaigns/wikidata_days_2026/participants", b"") == (
        PARTICIPANTS_ROUTE
    )
    assert bulk_route(b"/campaign", b"campaign=wikidata_days_2026&dashboard=") == (
        CAMPAIGN_PAGE_ROUTE
    )


@pytest.mark.parametrize(
    ("path", "query"),
    [
        (b"/", b""),
        (b"/user/extra", b"username=A"),
        (b"/users", b"username=A"),
        (b"/campaigns", b"campaign=a"),
        (b"/docs", b""),
    ],
)
def test_other_pages_are_not_bulk_work(path, query):
    assert bulk_route(path, query) is None


# ---- what a user page shows of an answer ------------------------------------------

NOW = datetime(2026, 11, 22, 12, tzinfo=UTC)


def course(dashboard: str, title: str, *, active: bool | None, staff: list[str], **extra):
    start = extra.pop("start", datetime(2026, 11, 1, tzinfo=UTC))
    values = {
        "course_id": 1,
        "course_title": title,
        "course_school": "School",
        "course_term": "2026",
        "user_count": 3,
        "user_role": Role.STUDENT,
        "course_slug": f"School/{title}",
        "dashboard": dashboard,
        "url": f"https://{dashboard}.example/courses/School/{title}",
        "readable": active is not None,
        "active": active,
        "active_event": active,
        "start": start if active is not None else None,
        "end": datetime(2026, 12, 1, tzinfo=UTC) if active is not None else None,
        "timeline_start": None,
        "timeline_end": None,
        "staff": staff,
        **extra,
    }
    return EnrichedUserCourse(**values)


def answer(*courses: EnrichedUserCourse, **states: DashboardState) -> EnrichedUserResponse:
    return EnrichedUserResponse(
        username="Ama Twohats",
        courses=list(courses),
        is_instructor=False,
        is_student=True,
        max_project=None,
        dashboards=states,
        partial=any(s in (DashboardState.FAILED, DashboardState.LATE) for s in states.values()),
    )


def test_the_ping_names_the_staff_of_active_courses_only():
    body = answer(
        course("outreach", "On", active=True, staff=["Zed", "Ada"]),
        course("outreach", "Over", active=False, staff=["Ended Staff"]),
        course("wikiedu", "Also on", active=True, staff=["Ada", "Bo"]),
        outreach=DashboardState.ANSWERED,
        wikiedu=DashboardState.ANSWERED,
    )
    page = user_page(body, None, NOW.timestamp())
    assert page.ping == "{{ping|1=Ada|2=Bo|3=Zed}}"
    assert page.active_count == 2


def test_the_ping_leaves_out_the_user_the_page_is_about():
    body = answer(
        course("outreach", "Theirs", active=True, staff=["Ama Twohats", "Bo"]),
        outreach=DashboardState.ANSWERED,
    )
    page = user_page(body, None, NOW.timestamp())
    assert (page.ping, page.only_self) == ("{{ping|1=Bo}}", False)


def test_a_user_who_is_the_only_staff_has_no_one_to_ping():
    body = answer(
        course("outreach", "Theirs", active=True, staff=["Ama Twohats"]),
        outreach=DashboardState.ANSWERED,
    )
    page = user_page(body, None, NOW.timestamp())
    assert (page.ping, page.only_self) == (None, True)


def test_courses_are_shown_under_their_dashboard_in_configuration_order():
    body = answer(
        course("wikiedu", "Class", active=True, staff=[]),
        course("outreach", "Workshop", active=True, staff=[]),
        outreach=DashboardState.ANSWERED,
        wikiedu=DashboardState.ANSWERED,
    )
    sections = user_page(body, None, NOW.timestamp()).sections
    assert [(s.name, [c.title for c in s.courses]) for s in sections] == [
        ("outreach", ["Workshop"]),
        ("wikiedu", ["Class"]),
    ]


def test_each_dashboards_state_is_shown_even_without_courses():
    body = answer(outreach=DashboardState.NO_ACCOUNT, wikiedu=DashboardState.FAILED)
    page = user_page(body, None, NOW.timestamp())
    assert [(s.title, s.state) for s in page.sections] == [
        ("Outreach Dashboard", "no_account"),
        ("Wiki Education Dashboard", "failed"),
    ]
    assert page.partial is True


def test_a_course_not_active_is_upcoming_or_ended_by_its_start():
    later = datetime(2027, 1, 1, tzinfo=UTC)
    body = answer(
        course("outreach", "Soon", active=False, staff=[], start=later),
        course("outreach", "Done", active=False, staff=[]),
        course("outreach", "Broken", active=None, staff=[]),
        outreach=DashboardState.ANSWERED,
    )
    (section,) = user_page(body, None, NOW.timestamp()).sections
    assert [c.state for c in section.courses] == ["upcoming", "ended", "unknown"]


def test_staff_are_linked_to_talk_pages_only_when_the_wiki_is_known():
    body = answer(
        course("outreach", "On", active=True, staff=["Ada Lovelace", "User talk:X"]),
        outreach=DashboardState.ANSWERED,
    )
    without = user_page(body, None, NOW.timestamp()).sections[0].courses[0].staff
    on_wiki = user_page(body, "fr.wikipedia.org", NOW.timestamp()).sections[0].courses[0].staff
    assert [p.talk_url for p in without] == [None, None]
    assert [p.talk_url for p in on_wiki] == [
        "https://fr.wikipedia.org/wiki/User_talk:Ada_Lovelace",
        None,
    ]


def test_a_course_link_is_only_ever_http():
    body = answer(
        course("outreach", "On", active=True, staff=[], url="javascript:alert(1)"),
        outreach=DashboardState.ANSWERED,
    )
    assert user_page(body, None, NOW.timestamp()).sections[0].courses[0].url is None


def test_dates_are_days_in_utc():
    body = answer(course("outreach", "On", active=True, staff=[]), outreach=DashboardState.ANSWERED)
    shown = user_page(body, None, NOW.timestamp()).sections[0].courses[0]
    assert shown.start is not None
    assert (shown.start.iso, shown.start.text) == ("2026-11-01T00:00:00Z", "1 Nov 2026")
