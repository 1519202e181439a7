"""The pages for people over HTTP (docs/pages.md): the start page and the JSON index at
``/``, a user's page from both dashboards, its errors, its caching and its cost.

Two stand-ins play the Outreach Dashboard (``outreach``) and the Wiki Education
Dashboard (``wikiedu``, serving en.wikipedia.org and www.wikidata.org only), at
the instant the service's clock shows. Each counts what it is asked, so a test can
say what a page cost the dashboards: exactly what its API twin costs.
"""

from __future__ import annotations

import asyncio
import html
import json
import re
from collections.abc import AsyncIterator
from urllib.parse import quote, urlencode

import pytest

from outreach_helper.app import create_app
from outreach_helper.web.front_door import FrontDoor
from outreach_standin import world as w
from outreach_standin import world_wikiedu as we
from tests.support.clocks import FakeClock
from tests.support.paths import TESTS
from tests.support.service import HeldTransport, SettingsFactory, serving
from tests.support.standin import Upstream

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
#: The JSON index's keys, as every release before the pages had them (docs/api.md).
INDEX_KEYS = ["service", "version", "description", "dashboards", "timestamp", "links"]
CSP = re.compile(r"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'")


def page(name: str, wiki: str | None = None) -> str:
    """The user page's address, as the start page's form sends it."""
    return "/user?" + urlencode({"username": name, "wiki": wiki or ""})


def api_twin(name: str, wiki: str | None = None) -> str:
    query = "?enrich=true" + (f"&wiki={wiki}" if wiki else "")
    return "/api/users/" + quote(name.replace(" ", "_")) + query


INLINE = re.compile(r"</?(?:a|bdi|strong|em|time|code)\b[^>]*>")


def text_of(body: str) -> str:
    """A page's text as read: inline tags gone, other tags a space, entities decoded,
    white space collapsed."""
    text = re.sub(r"<[^>]+>", " ", INLINE.sub("", body))
    return " ".join(html.unescape(text).split())


@pytest.fixture
async def both(make_two_settings: SettingsFactory, clock: FakeClock) -> AsyncIterator[object]:
    async with serving(create_app(make_two_settings(access_log=False), clock=clock)) as client:
        yield client


# ---- / : the JSON index for scripts, the start page for browsers -------------------


@pytest.mark.parametrize(
    "headers", [{}, {"Accept": "*/*"}, {"Accept": "application/json"}], ids=["none", "any", "json"]
)
async def test_the_index_stays_json_for_anyone_but_a_browser(both, headers):
    response = await both.get("/", headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert list(response.json()) == INDEX_KEYS
    assert response.json()["links"]["docs"] == "/docs"
    # Compact, as FastAPI has always written it: the bytes are those of the same JSON.
    expected = json.dumps(response.json(), ensure_ascii=False, separators=(",", ":"))
    assert response.content == expected.encode()


async def test_the_index_and_the_page_say_they_vary_by_accept(both):
    assert (await both.get("/")).headers["vary"] == "Accept"
    assert (await both.get("/", headers=BROWSER)).headers["vary"] == "Accept"


async def test_a_browser_gets_the_start_page(both):
    response = await both.get("/", headers=BROWSER)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert CSP.match(response.headers["content-security-policy"])
    text = text_of(response.text)
    assert "which courses of the Outreach Dashboard and the Wiki Education Dashboard" in text
    assert '<form class="form" action="/user" method="get"' in response.text
    assert 'name="username"' in response.text
    assert 'name="wiki"' in response.text
    for link in ('href="/docs"', 'href="/gadget/outreach-staff.js"', 'href="/gadget/GADGET.md"'):
        assert link in response.text


async def test_the_start_page_lists_each_dashboard_with_its_health(both, wikiedu_upstream):
    wikiedu_upstream.fault("drop")
    text = text_of((await both.get("/", headers=BROWSER)).text)
    assert "Outreach Dashboard Answering Asked about every wiki." in text
    assert (
        "Wiki Education Dashboard Not answering "
        "Asked about en.wikipedia.org and www.wikidata.org only." in text
    )


async def test_the_start_page_is_revalidated_by_its_etag(both):
    first = await both.get("/", headers=BROWSER)
    again = await both.get("/", headers={**BROWSER, "If-None-Match": first.headers["etag"]})
    assert (first.headers["cache-control"], again.status_code) == ("public, max-age=60", 304)


async def test_the_gadgets_guide_is_served_as_text(both):
    response = await both.get("/gadget/GADGET.md")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert response.text == (TESTS.parent / "GADGET.md").read_text(encoding="utf-8")


# ---- a user's page ---------------------------------------------------------------


async def test_a_user_page_shows_the_courses_of_both_dashboards(both):
    response = await both.get(page(w.TWO_HATS, "en.wikipedia.org"))
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    text = text_of(response.text)
    assert "Enrolled in 3 courses on the dashboards; 3 active now." in text
    assert "Outreach Dashboard Answered 2 courses listed." in text
    assert "Wiki Education Dashboard Answered 1 course listed." in text
    assert "Courses on the Outreach Dashboard Tagalog Wikipedia Workshop" in text
    assert "Courses on the Wiki Education Dashboard Environmental History of the Americas" in text
    assert "Instructor Active now Event on now Course 2 Nov 2026 \u2013 17 Dec 2026" in text


async def test_a_user_page_holds_the_gadgets_ping_without_the_user(both):
    staff = (await both.get(f"/api/users/{quote(w.TWO_HATS)}/active-staff")).json()["all_staff"]
    assert w.TWO_HATS in staff  # staff of one of her own courses...
    others = [name for name in staff if name != w.TWO_HATS]
    body = (await both.get(page(w.TWO_HATS))).text
    ping = "{{ping|" + "|".join(f"{i}={n}" for i, n in enumerate(others, 1)) + "}}"
    assert f">{html.escape(ping)}</textarea>" in body  # ...and left out of the ping


async def test_staff_are_linked_to_their_talk_pages_on_the_wiki_given(both):
    on_wiki = (await both.get(page(w.TWO_HATS, "en.wikipedia.org"))).text
    assert 'href="https://en.wikipedia.org/wiki/User_talk:Old:Timer@Wiki"' in on_wiki
    assert 'href="https://en.wikipedia.org/wiki/User_talk:Tamsin_(Wiki_Ed)"' in on_wiki
    without = (await both.get(page(w.TWO_HATS))).text
    assert "User_talk:" not in without


async def test_a_page_on_another_wiki_says_which_dashboard_was_not_asked(
    both, wikiedu_upstream: Upstream
):
    text = text_of((await both.get(page(w.TWO_HATS, "tl.wikipedia.org"))).text)
    assert "Wiki Education Dashboard Not asked It does not serve tl.wikipedia.org." in text
    assert wikiedu_upstream.total == 0


async def test_names_and_titles_from_the_dashboard_are_escaped(both):
    body = (await both.get(page(w.SLUGGER))).text
    assert "A|B &lt;test&gt; Week" in body
    assert "Pipe &amp; Angle Society" in body
    assert "<test>" not in body
    marta = (await both.get(page(w.MARTA, "en.wikipedia.org"))).text
    assert "O&#39;Connell Arts Collective" in marta
    assert "O'Connell" not in marta


async def test_what_was_typed_comes_back_escaped(both):
    hostile = '"><script>alert(1)</script>'
    response = await both.get(page(hostile, '"><img src=x>'))
    assert response.status_code == 400
    assert "<script>alert" not in response.text
    assert "<img src=x>" not in response.text
    assert 'value="&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in response.text


# ---- cached as the API is, and costing the dashboards what the API costs ----------


async def test_a_page_costs_the_dashboards_nothing_after_its_api_twin(
    both, upstream: Upstream, wikiedu_upstream: Upstream
):
    assert (await both.get(api_twin(w.TWO_HATS))).status_code == 200
    before = (upstream.total, wikiedu_upstream.total)
    assert before[0] > 0
    assert (await both.get(page(w.TWO_HATS))).status_code == 200
    assert (upstream.total, wikiedu_upstream.total) == before


async def test_the_api_twin_costs_nothing_after_the_page(
    both, upstream: Upstream, wikiedu_upstream: Upstream
):
    assert (await both.get(page(w.TWO_HATS))).status_code == 200
    before = (upstream.total, wikiedu_upstream.total)
    assert (await both.get(api_twin(w.TWO_HATS))).status_code == 200
    assert (upstream.total, wikiedu_upstream.total) == before


async def test_a_page_has_the_cache_headers_of_its_api_twin(both):
    twin = await both.get(api_twin(w.TWO_HATS))
    first = await both.get(page(w.TWO_HATS))
    assert first.headers["cache-control"] == twin.headers["cache-control"]
    assert first.headers["cache-status"].startswith("OutreachHelper; hit;")  # the twin's caches


async def test_a_page_is_kept_hot_and_revalidated_by_its_etag(both, upstream: Upstream):
    first = await both.get(page(w.MARTA))
    asked = upstream.total
    again = await both.get(page(w.MARTA))
    assert again.headers["cache-status"].startswith("OutreachHelper; hit;")
    assert again.headers["etag"] == first.headers["etag"]
    not_modified = await both.get(page(w.MARTA), headers={"If-None-Match": first.headers["etag"]})
    assert (not_modified.status_code, not_modified.content) == (304, b"")
    assert upstream.total == asked


async def test_spellings_of_one_name_are_one_page(both):
    first = await both.get(page("Marta Quill"))
    for spelling in ("marta_Quill", " Marta__Quill "):
        assert (await both.get(page(spelling))).headers["etag"] == first.headers["etag"]


async def test_head_answers_like_get_without_a_body(both):
    head = await both.head(page(w.MARTA))
    assert (head.status_code, head.headers["content-type"], head.content) == (
        200,
        "text/html; charset=utf-8",
        b"",
    )


# ---- errors: the API's status, a sentence, the form -------------------------------


async def test_an_unknown_user_is_a_404_page(both):
    response = await both.get(page("Nobody Here Xyzzy"))
    assert response.status_code == 404
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["cache-control"] == "public, max-age=60"
    text = text_of(response.text)
    assert (
        "No dashboard asked (Outreach Dashboard, Wiki Education Dashboard) has an account "
        "named exactly \u201cNobody Here Xyzzy\u201d." in text
    )
    assert 'value="Nobody Here Xyzzy"' in response.text  # the form, to try again


async def test_an_impossible_name_is_refused_as_the_api_refuses_it(both, upstream: Upstream):
    response = await both.get(page("Bad|Name"))
    twin = await both.get("/api/users/Bad%7CName")
    assert response.status_code == twin.status_code == 400
    assert "That cannot be: usernames cannot contain |." in text_of(response.text)
    assert upstream.total == 0


@pytest.mark.parametrize(
    ("target", "sentence"),
    [
        ("/user", "Username is required."),
        ("/user?username=Ada&wiki=not%20a%20wiki", "Wiki must be a wiki's address"),
    ],
)
async def test_a_parameter_that_does_not_parse_is_a_422_page(both, target, sentence):
    response = await both.get(target)
    assert response.status_code == 422
    assert sentence in text_of(response.text)


async def test_one_dashboard_down_is_a_partial_page(both, wikiedu_upstream: Upstream):
    wikiedu_upstream.fault("drop")
    response = await both.get(page(w.TWO_HATS))
    assert response.status_code == 200
    text = text_of(response.text)
    assert "Some courses may be missing." in text
    assert "Wiki Education Dashboard Failed It could not be asked just now" in text
    assert "Tagalog Wikipedia Workshop" in text
    assert response.headers["cache-control"] == "public, max-age=60, stale-while-revalidate=0"


@pytest.mark.parametrize(
    ("mode", "options", "status", "sentence"),
    [
        ("drop", {}, 503, "The dashboards could not be asked just now"),
        ("html200", {}, 502, "A dashboard answered something this service cannot read."),
        ("slow", {"slow_seconds": 1.5}, 504, "The dashboards took too long to answer."),
    ],
)
async def test_every_dashboard_down_is_the_apis_status_with_a_sentence(
    make_two_settings, clock, upstream, wikiedu_upstream, mode, options, status, sentence
):
    settings = make_two_settings(access_log=False, upstream_timeout=0.5)
    upstream.fault(mode, **options)
    wikiedu_upstream.fault(mode, **options)
    async with serving(create_app(settings, clock=clock)) as client:
        response = await client.get(page(w.TWO_HATS))
    assert response.status_code == status
    assert response.headers["cache-control"] == "no-store"
    assert sentence in text_of(response.text)
    assert "Traceback" not in response.text


# ---- a campaign's page ------------------------------------------------------------


def campaign(slug: str, dashboard: str = "") -> str:
    """The campaign page's address, as the start page's form sends it."""
    return "/campaign?" + urlencode({"campaign": slug, "dashboard": dashboard})


CAMPAIGN_TWINS = (
    f"/api/campaigns/{w.NORMAL_CAMPAIGN}/active-courses",
    f"/api/campaigns/{w.NORMAL_CAMPAIGN}/participants",
)


async def test_a_campaign_page_shows_its_active_courses_and_their_people(both):
    courses = (await both.get(CAMPAIGN_TWINS[0])).json()["courses"]
    people = (await both.get(CAMPAIGN_TWINS[1])).json()["participants"]
    response = await both.get(campaign(w.NORMAL_CAMPAIGN))
    assert response.status_code == 200
    text = text_of(response.text)
    everyone = {p["username"] for p in people}
    assert (
        f"On the Outreach Dashboard: {len(courses)} courses active now, "
        f"with {len(everyone)} people in them." in text
    )
    for course in courses:
        assert html.escape(course["title"]) in response.text
    tagalog = [p for p in people if p["course_slug"] == w.COURSE_TWO_HATS]
    students = [p for p in tagalog if p["role"] == "student"]
    assert f"{len(students)} students" in text
    assert "Ama Twohats (Instructor)" in text
    assert "Old:Timer@Wiki (Campus volunteer)" in text
    assert "1 course could not be read" in text
    assert w.COURSE_BROKEN in text


async def test_a_campaign_page_costs_nothing_after_its_two_api_twins(both, upstream: Upstream):
    for twin in CAMPAIGN_TWINS:
        assert (await both.get(twin)).status_code == 200
    asked = upstream.total
    assert (await both.get(campaign(w.NORMAL_CAMPAIGN))).status_code == 200
    assert upstream.total == asked


async def test_a_campaign_page_costs_what_its_two_api_twins_cost(
    make_two_settings, clock, upstream: Upstream
):
    async with serving(create_app(make_two_settings(access_log=False), clock=clock)) as client:
        for twin in CAMPAIGN_TWINS:
            await client.get(twin)
    twins = upstream.counters()
    upstream.reset()
    async with serving(create_app(make_two_settings(access_log=False), clock=clock)) as client:
        await client.get(campaign(w.NORMAL_CAMPAIGN))
        page_cost = upstream.counters()
        for twin in CAMPAIGN_TWINS:
            await client.get(twin)
        assert upstream.counters() == page_cost  # and the twins cost nothing after it
    assert page_cost == twins
    assert page_cost["users"] == 0  # no roster per course: the participants name everyone


async def test_a_campaign_page_on_the_other_dashboard(both, wikiedu_upstream: Upstream):
    response = await both.get(campaign(we.CAMPAIGN_FALL_2026.upper(), "wikiedu"))
    assert response.status_code == 200
    text = text_of(response.text)
    assert f"Campaign {we.CAMPAIGN_FALL_2026} On the Wiki Education Dashboard:" in text
    assert wikiedu_upstream.total > 0


async def test_a_campaign_page_escapes_its_titles(both):
    body = (await both.get(campaign(w.NORMAL_CAMPAIGN))).text
    assert "Aotearoa Wikimedians &amp; Friends" in body
    assert "Aotearoa Wikimedians & Friends" not in body


async def test_spellings_of_one_campaign_are_one_page(both):
    first = await both.get(campaign(w.NORMAL_CAMPAIGN))
    again = await both.get(campaign(w.NORMAL_CAMPAIGN.upper(), "outreach"))
    assert again.headers["etag"] == first.headers["etag"]
    assert again.headers["cache-status"].startswith("OutreachHelper; hit;")


@pytest.mark.parametrize(
    ("target", "status", "sentence"),
    [
        (
            campaign("no_such_campaign_zz"),
            404,
            "The Outreach Dashboard has no campaign of that name.",
        ),
        (
            campaign("no such/campaign"),
            400,
            "That cannot be: a campaign slug holds only letters, the digits 0-9 and _.",
        ),
        ("/campaign", 422, "Campaign is required."),
        (
            campaign(w.NORMAL_CAMPAIGN, "nowhere"),
            422,
            "Dashboard must be one of outreach, wikiedu.",
        ),
    ],
)
async def test_a_campaign_without_an_answer_is_a_page_with_the_apis_status(
    both, target, status, sentence
):
    response = await both.get(target)
    assert response.status_code == status
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert sentence in text_of(response.text)
    assert 'action="/campaign"' in response.text  # the form, to try again


# ---- the front door counts a user page as the bulk work it is ---------------------


async def until_in_progress(app: object, count: int) -> None:
    """Yield to the loop until ``count`` bulk answers hold places at the app's front door."""
    door = getattr(app, "front")  # noqa: B009 - FrontedApp's, not FastAPI's
    while not isinstance(door, FrontDoor):
        door = door.app

    async def wait() -> None:
        # A counter of this event loop, read between its turns: no clock involved.
        while door.places.in_progress < count:  # noqa: ASYNC110
            await asyncio.sleep(0)

    await asyncio.wait_for(wait(), timeout=30)


@pytest.mark.parametrize("holder", [page(we.PROFESSOR), campaign(w.NORMAL_CAMPAIGN)])
async def test_user_and_campaign_pages_take_a_bulk_place_like_their_api_twins(
    make_two_settings: SettingsFactory, clock: FakeClock, holder: str
):
    held = HeldTransport()
    settings = make_two_settings(access_log=False, bulk_answers=1, bulk_answers_per_client=1)
    app = create_app(settings, clock=clock, transport=held)
    async with serving(app) as client:
        held.shut()
        first = asyncio.create_task(client.get(holder))
        await until_in_progress(app, 1)
        refused_page = await client.get(page(w.MARTA))
        refused_campaign = await client.get(campaign(we.CAMPAIGN_FALL_2026, "wikiedu"))
        refused_twin = await client.get(api_twin(w.MARTA))
        held.open()
        assert (await first).status_code == 200
    assert refused_twin.status_code == 503
    assert refused_campaign.status_code == 503
    assert refused_page.status_code == 503
    assert refused_page.headers["retry-after"] == "1"
    assert refused_page.headers["content-type"] == "text/html; charset=utf-8"
    assert "Try again in a moment." in text_of(refused_page.text)
