"""The MediaWiki gadget: served by the service, and driven in a real headless Chromium.

The browser tests start the stand-in dashboard and the service on loopback,
open the demo page (the gadget on a pretend user page, through the ``mw`` shim)
and check what a patroller sees against the stand-in's world, the text copied
to the clipboard, and how many requests the gadget makes to the service. With
two dashboards configured (two stand-ins, ``outreach`` and ``wikiedu``), the
dialog shows the courses of both, each labelled with its dashboard; one
dashboard down leaves the other's courses; a page view on a wiki the second
dashboard does not serve costs that dashboard nothing. Two put a small app
answering crafted answers in front of the service, to show that the gadget by
itself keeps names that could be wikitext off the page, and that it labels the
two known dashboards by name and links a course only to an http(s) page.
They need a ``chromium`` binary (Debian's package); browsers are never
downloaded. Without one they skip and say so (in CI they fail); the serving
tests still run.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Final
from urllib.parse import quote, unquote, urlencode, urlsplit

import httpx
import pytest
from fastapi import FastAPI
from playwright.sync_api import (
    Browser,
    ConsoleMessage,
    Locator,
    Page,
    Request,
    expect,
)
from starlette.applications import Starlette
from starlette.requests import Request as StarletteRequest
from starlette.responses import Response
from starlette.routing import Mount, Route

from outreach_helper.app import create_app
from outreach_helper.settings import Settings
from outreach_helper.web.gadget.routes import GADGET_FILES
from outreach_standin import StandinServer
from outreach_standin.model import ROLE_INSTRUCTOR
from outreach_standin.server import BackgroundServer
from outreach_standin.world import (
    COURSE_ACTIVE,
    COURSE_TWO_HATS,
    HASHTAG,
    NORMAL_CAMPAIGN,
    QUIET,
    TWO_HATS,
)
from outreach_standin.world_wikiedu import (
    CAMPAIGN_FALL_2026,
    CLASS_ACTIVE,
    PROFESSOR,
    WIKIED_STAFF,
)
from tests.support.browser import clipboard_page
from tests.support.clocks import FakeClock
from tests.support.paths import OUTPUT
from tests.support.service import SettingsFactory, serving
from tests.support.standin import FIXED_NOW, Upstream

LINK: Final = "#t-outreach-staff a"
TIMEOUT_MS: Final = 5000
GADGET_MD: Final = Path(__file__).resolve().parents[2] / "GADGET.md"


def ping(names: list[str], template: str = "ping") -> str:
    """GADGET.md's ping: the names as numbered template parameters, ``{{ping|1=A|2=B}}``.

    In MediaWiki's template syntax ``N=value`` sets parameter N whatever the value
    holds, so a name with ``=`` stays a value, as positional parameters would not.
    """
    return "{{" + "|".join([template, *(f"{i}={name}" for i, name in enumerate(names, 1))]) + "}}"


def pinged(text: str) -> list[str]:
    """The names of a numbered ``{{ping|1=A|2=B}}``, checking that they are numbered 1, 2, ..."""
    assert text.startswith("{{ping|")
    assert text.endswith("}}")
    params = text.removeprefix("{{ping|").removesuffix("}}").split("|")
    names = []
    for i, param in enumerate(params, 1):
        number, _, name = param.partition("=")
        assert number == str(i), text
        names.append(name)
    return names


# --- serving, no browser ------------------------------------------------------


def _app(settings: Settings, clock: FakeClock, *, public_url: str | None, demo: bool) -> FastAPI:
    """The app as ``serve`` builds it, with OUTREACH_PUBLIC_URL / OUTREACH_GADGET_DEMO set."""
    configured = settings.model_copy(update={"public_url": public_url, "gadget_demo": demo})
    return create_app(configured, clock=clock)


@contextmanager
def _listening(app: FastAPI) -> Iterator[str]:
    """``app`` on a real loopback socket, as uvicorn serves it (forwarded headers trusted
    from 127.0.0.1, uvicorn's default); yields its base URL."""
    with BackgroundServer(app, lifespan="on") as server:
        yield server.url


def _scripts(
    settings: Settings, clock: FakeClock, public_url: str | None, *headers: dict[str, str]
) -> tuple[str, list[httpx.Response]]:
    """The gadget script fetched once per headers dict, and the URL it was served at."""
    with _listening(_app(settings, clock, public_url=public_url, demo=False)) as url:
        return url, [httpx.get(f"{url}/gadget/outreach-staff.js", headers=h) for h in headers]


#: Headers a client controls, each naming a host or scheme the script must never carry.
HOSTILE_HEADERS: Final = {
    "Host": "evil-host.example",
    "X-Forwarded-Host": "evil-forwarded.example",
    "X-Forwarded-Proto": "https",
    "X-Forwarded-For": "203.0.113.9",
    "Forwarded": "for=203.0.113.9;host=evil-forwarded2.example;proto=https",
}


def _api_line(script: str) -> str:
    return next(x for x in script.splitlines() if "var SERVED_API" in x).strip()


def test_script_is_served_the_same_whatever_the_dashboards(
    make_settings: SettingsFactory,
    make_two_settings: SettingsFactory,
    clock: FakeClock,
    upstream: Upstream,
    wikiedu_upstream: Upstream,
) -> None:
    # Every course row carries its own page URL: the script names no dashboard.
    with _listening(_app(make_two_settings(), clock, public_url=None, demo=False)) as url:
        of_two = httpx.get(f"{url}/gadget/outreach-staff.js").text
    with _listening(_app(make_settings(), clock, public_url=None, demo=False)) as url:
        answer = httpx.get(f"{url}/gadget/outreach-staff.js")
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith("text/javascript")
        assert answer.headers["cache-control"] == "public, max-age=3600"
        script = answer.text
        assert "@OUTREACH_API_BASE@" not in script  # the source's marker for the API's URL
        assert script == of_two
        for gone in ("OUTREACH_DASHBOARD_BASE", "SERVED_DASHBOARD", "outreachStaffDashboard"):
            assert gone not in script
        assert upstream.url not in script
        assert wikiedu_upstream.url not in script

        again = httpx.get(
            f"{url}/gadget/outreach-staff.js", headers={"If-None-Match": answer.headers["etag"]}
        )
        assert again.status_code == 304

        # Development-only pages do not exist, and nothing gadget-ish is in the API schema.
        assert httpx.get(f"{url}/gadget/demo").status_code == 404
        assert httpx.get(f"{url}/gadget/mw-shim.js").status_code == 404
        schema = httpx.get(f"{url}/openapi.json").json()
        assert not [path for path in schema["paths"] if path.startswith("/gadget")]


def _definition_pages() -> list[str]:
    """Every page GADGET.md's definition lines name (``MediaWiki:Gadget-NAME``)."""
    lines = re.findall(r"^ *\* (outreach-[a-z-]+)\[[^\]]*\]\|(.+)$", GADGET_MD.read_text(), re.M)
    assert {gadget for gadget, _ in lines} == {"outreach-staff", "outreach-participants"}
    return [page for _, pages in lines for page in pages.split("|")]


def test_every_script_and_style_of_the_definitions_is_served(
    make_settings: SettingsFactory, clock: FakeClock, upstream: Upstream
) -> None:
    # GADGET.md tells a wiki to copy each of them from /gadget/NAME; the JSON page is the
    # wiki's own (its campaigns), never served.
    pages = _definition_pages()
    assert "outreach-staff.json" in pages
    kinds = {".js": "text/javascript", ".css": "text/css"}
    copied = [page for page in pages if page.endswith(tuple(kinds))]
    assert sorted(copied) == sorted(GADGET_FILES)
    public = "https://outreach-dashboard-helper.toolforge.org"
    with _listening(_app(make_settings(), clock, public_url=public, demo=False)) as url:
        for page in copied:
            answer = httpx.get(f"{url}/gadget/{page}")
            assert answer.status_code == 200, page
            kind = kinds[page[page.rindex(".") :]]
            assert answer.headers["content-type"].startswith(kind)
            assert answer.headers["cache-control"] == "public, max-age=3600"
            again = httpx.get(
                f"{url}/gadget/{page}", headers={"If-None-Match": answer.headers["etag"]}
            )
            assert again.status_code == 304
            if kind == "text/javascript":
                assert _api_line(answer.text) == f'var SERVED_API = "{public}";'
        assert httpx.get(f"{url}/gadget/outreach-staff.json").status_code == 404


def test_script_holds_nothing_a_wiki_rewrites_on_save(
    make_settings: SettingsFactory, clock: FakeClock, upstream: Upstream
) -> None:
    # MediaWiki's pre-save transform also runs on a script page (T34858): three tildes
    # become the saving administrator's signature, subst: is expanded, and the pipe
    # trick fills in [[A|]]. The wiki's copy must be the served script, byte for byte.
    with _listening(_app(make_settings(), clock, public_url=None, demo=False)) as url:
        for page in GADGET_FILES:
            answer = httpx.get(f"{url}/gadget/{page}")
            for rewritten in ("~~~", "subst:", "|]]"):
                assert rewritten not in answer.text, page


def test_without_public_url_the_script_has_no_api_base(
    make_settings: SettingsFactory, clock: FakeClock, upstream: Upstream
) -> None:
    # GADGET.md: unset, the API base is null and a wiki sets mw.config outreachStaffApi.
    url, (plain, hostile) = _scripts(make_settings(), clock, None, {}, HOSTILE_HEADERS)
    assert _api_line(plain.text) == "var SERVED_API = null;"
    assert hostile.content == plain.content
    assert hostile.headers["etag"] == plain.headers["etag"]
    # Nor the address it was fetched at (the dashboard's URL, also on loopback, is meant).
    for value in ("evil-host", "evil-forwarded", "203.0.113.9", url, url.replace("http", "https")):
        assert value not in hostile.text


def test_public_url_is_the_api_base_whatever_the_request_says(
    make_settings: SettingsFactory, clock: FakeClock, upstream: Upstream
) -> None:
    public = "https://outreach-dashboard-helper.toolforge.org"
    url, (plain, hostile) = _scripts(make_settings(), clock, public, {}, HOSTILE_HEADERS)
    assert _api_line(plain.text) == f'var SERVED_API = "{public}";'
    assert hostile.content == plain.content
    for value in ("evil-host", "evil-forwarded", "203.0.113.9", url):
        assert value not in hostile.text


def test_public_url_is_filled_in_as_a_safe_literal(
    make_settings: SettingsFactory, clock: FakeClock, upstream: Upstream
) -> None:
    hostile = 'https://tool.example/"</script><script>alert(1)</script>'
    _, (answer,) = _scripts(make_settings(), clock, hostile, {})
    line = _api_line(answer.text)
    assert "</script>" not in line
    assert line == (
        'var SERVED_API = "https://tool.example/\\"\\u003c/script\\u003e'
        '\\u003cscript\\u003ealert(1)\\u003c/script\\u003e";'
    )


async def test_demo_page_exists_only_in_demo_mode(
    make_settings: SettingsFactory, clock: FakeClock, upstream: Upstream
) -> None:
    async with serving(_app(make_settings(), clock, public_url=None, demo=True)) as client:
        page = await client.get("/gadget/demo", params={"user": "<b>Bad</b>"})
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        assert "<b>Bad</b>" not in page.text  # escaped in the HTML and in the JSON config
        assert '<script src="mw-shim.js"></script>' in page.text
        assert '<script src="outreach-staff.js"></script>' in page.text
        shim = await client.get("/gadget/mw-shim.js")
        assert shim.status_code == 200
        assert "addPortletLink" in shim.text


async def test_demo_page_plays_the_wiki_it_is_told(
    make_settings: SettingsFactory, clock: FakeClock, upstream: Upstream
) -> None:
    async with serving(_app(make_settings(), clock, public_url=None, demo=True)) as client:
        pages = {
            wiki: (await client.get("/gadget/demo", params={"user": "Someone", "wiki": wiki})).text
            for wiki in ("", "De.Wikipedia.org", "<b>not a wiki</b>")
        }
    # Unset or not a server name: English Wikipedia, which both default dashboards serve.
    assert '"wgServerName": "en.wikipedia.org"' in pages[""]
    assert '"wgServerName": "de.wikipedia.org"' in pages["De.Wikipedia.org"]
    assert '<input id="demo-wiki" name="wiki" value="de.wikipedia.org"' in pages["De.Wikipedia.org"]
    assert '"wgServerName": "en.wikipedia.org"' in pages["<b>not a wiki</b>"]
    assert "<b>not a wiki</b>" not in pages["<b>not a wiki</b>"]


async def test_demo_page_without_a_user_asks_for_one(
    make_settings: SettingsFactory, clock: FakeClock, upstream: Upstream
) -> None:
    async with serving(_app(make_settings(), clock, public_url=None, demo=True)) as client:
        page = (await client.get("/gadget/demo")).text
    assert '<input id="demo-user" name="user" value=""' in page
    assert '"wgRelevantUserName": null' in page  # a page about nobody: the gadget stays out


# --- in a real browser --------------------------------------------------------


@pytest.fixture
def service(make_settings: SettingsFactory, clock: FakeClock) -> Iterator[str]:
    app = _app(make_settings(), clock, public_url=None, demo=True)
    with BackgroundServer(app, lifespan="on") as server:
        yield server.url


class Visit:
    """One page in a fresh browser context, recording what the gadget asks the service."""

    def __init__(self, browser: Browser, service: str) -> None:
        self.context, self.page = clipboard_page(
            browser, service, width=960, height=640, timeout_ms=TIMEOUT_MS
        )
        self.api_calls: list[str] = []
        self.api_queries: list[str] = []
        self.errors: list[str] = []
        self.warnings: list[str] = []
        self.page.on("request", self._on_request)
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("console", self._on_console)

    def _on_request(self, request: Request) -> None:
        path = urlsplit(request.url).path
        if path.startswith("/api/"):
            self.api_calls.append(unquote(path))
            self.api_queries.append(urlsplit(request.url).query)

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(message.text)
        elif message.type == "warning":
            self.warnings.append(message.text)

    def open(self, url: str) -> Page:
        """Load ``url`` and wait until the gadget's first request has been answered."""
        with self.page.expect_response(lambda r: "/api/" in r.url):
            self.page.goto(url)
        self.page.wait_for_load_state("networkidle")
        return self.page

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def visit(browser: Browser, service: str) -> Iterator[Visit]:
    opened = Visit(browser, service)
    yield opened
    opened.close()


def _active_staff_in_world(standin: StandinServer, username: str) -> dict[str, list[str]]:
    """Title -> sorted staff of the user's courses active at FIXED_NOW, from the world itself."""
    world = standin.world
    found: dict[str, list[str]] = {}
    for enrollment in world.visible_enrollments_of(username):
        course = world.course(enrollment.course_slug)
        assert course is not None
        if course.tracking_active(FIXED_NOW):
            staff = {e.username for e in world.roster(course.slug) if e.role >= ROLE_INSTRUCTOR}
            found[course.title] = sorted(staff)
    return found


def test_course_staff_dialog_for_a_user_with_active_courses(
    visit: Visit, service: str, standin_server: StandinServer
) -> None:
    page = visit.open(f"{service}/gadget/demo?user={quote(TWO_HATS.replace(' ', '_'))}")
    link = page.locator(LINK)
    expect(link).to_have_text("Course staff")
    link.click()

    dialog = page.get_by_role("dialog", name=f"Course staff of {TWO_HATS}")
    expect(dialog).to_be_visible()
    expect(dialog).to_be_focused()
    assert dialog.get_attribute("aria-modal") == "true"

    # What the dialog lists is what the stand-in's world says...
    shown: dict[str, list[str]] = {}
    for course in dialog.locator(".outreach-staff-course").all():
        title = course.locator(".outreach-staff-course-link").inner_text()
        shown[title] = course.locator(".outreach-staff-person").all_inner_texts()
    expected = _active_staff_in_world(standin_server, TWO_HATS)
    assert {t: sorted(s) for t, s in shown.items()} == expected
    assert len(expected) == 2  # TWO_HATS: instructor in one active course, student in another

    # ...and in the order and with the links the service's own answer gives.
    answer = httpx.get(f"{service}/api/users/{quote(TWO_HATS)}/active-staff").json()
    assert list(shown) == [c["course_title"] for c in answer["courses"]]
    assert [c["course_slug"] for c in answer["courses"]] == [COURSE_TWO_HATS, COURSE_ACTIVE]
    hrefs = dialog.locator(".outreach-staff-course-link").evaluate_all(
        "links => links.map(a => a.href)"
    )
    # Each course's own page on its dashboard, its slug readable (docs/api.md, a course's "url").
    assert hrefs == [
        f"{standin_server.url}/courses/Ateneo_de_Manila_Univ./Tagalog_Wikipedia_Workshop_(2026)",
        f"{standin_server.url}/courses/Riverside_Library_Network/Wikidata_Days_(November)_2026",
    ]
    # Each course says which dashboard it is on: one not known by name, by its host.
    labels = dialog.locator(".outreach-staff-dashboard").all_inner_texts()
    assert labels == [urlsplit(standin_server.url).netloc] * 2
    talk = dialog.locator(".outreach-staff-person").first
    name = talk.inner_text()
    assert talk.get_attribute("href") == "/wiki/User_talk:" + quote(name.replace(" ", "_"), ":@")

    # Each course says the user's own role in it and when it ends, from the same answer.
    roles = dialog.locator(".outreach-staff-role").all_inner_texts()
    assert roles == [f"Role of {TWO_HATS}: instructor", f"Role of {TWO_HATS}: student"]
    assert [c["user_role"] for c in answer["courses"]] == ["instructor", "student"]
    ends = dialog.locator("time.outreach-staff-end")
    assert ends.evaluate_all("times => times.map(t => t.dateTime)") == [
        c["end"] for c in answer["courses"]
    ]
    assert ends.all_inner_texts() == ["Ends December 17, 2026", "Ends December 15, 2026"]

    # One template pings every staff member of every active course but the user.
    assert sorted(answer["all_staff"]) == sorted({n for s in expected.values() for n in s})
    assert TWO_HATS in answer["all_staff"]  # staff of her own workshop...
    copied = ping([name for name in answer["all_staff"] if name != TWO_HATS])  # ...not pinged
    dialog.get_by_role("button", name="Copy ping for all staff").click()
    expect(dialog.get_by_role("status")).to_have_text(f"Copied to the clipboard: {copied}")
    assert page.evaluate("navigator.clipboard.readText()") == copied

    OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=OUTPUT / "gadget-dialog.png")

    # Escape closes and gives focus back; opening again costs no request.
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    expect(link).to_be_focused()
    link.click()
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Close").click()
    expect(dialog).to_have_count(0)

    page.wait_for_load_state("networkidle")
    name_in_path = TWO_HATS.replace(" ", "_")
    assert visit.api_calls == [
        f"/api/users/{name_in_path}/status",
        f"/api/users/{name_in_path}/active-staff",
    ]
    # Both say which wiki the page is on: the demo's default, English Wikipedia.
    assert visit.api_queries == ["wiki=en.wikipedia.org"] * 2
    assert visit.errors == []


def test_nothing_for_a_user_without_courses(visit: Visit, service: str) -> None:
    page = visit.open(f"{service}/gadget/demo?user={quote(QUIET.replace(' ', '_'))}")
    assert page.locator(LINK).count() == 0
    assert page.locator("#p-tb li").count() == 2  # the demo's own tools, untouched
    assert visit.api_calls == [f"/api/users/{QUIET.replace(' ', '_')}/status"]
    assert visit.errors == []


@pytest.mark.parametrize("user", [".", "..", "Bidi\u200eMark", "Signs~~~~"])
def test_no_request_about_a_name_mediawiki_refuses(visit: Visit, service: str, user: str) -> None:
    # In a URL's path "." and ".." would be /api/users/status or /api/: another request.
    page = visit.page
    page.goto(f"{service}/gadget/demo?user={quote(user)}")
    assert page.evaluate("mw.config.get('wgRelevantUserName')") == user
    page.wait_for_function("() => mw.config.get('outreachStaffLoaded') === true")
    page.wait_for_load_state("networkidle")
    assert page.locator(LINK).count() == 0
    assert visit.api_calls == []
    assert visit.errors == []


def test_contributions_page_shows_the_link_too(visit: Visit, service: str) -> None:
    page = visit.open(f"{service}/gadget/demo?user=Ama_Twohats&view=contributions")
    assert page.locator(LINK).count() == 1
    assert len(visit.api_calls) == 2


def test_service_errors_are_silent(visit: Visit, service: str, upstream: Upstream) -> None:
    upstream.fault("error500")
    page = visit.open(f"{service}/gadget/demo?user={quote(TWO_HATS.replace(' ', '_'))}")
    assert page.locator(LINK).count() == 0
    assert page.locator("#firstHeading").inner_text() == f"User:{TWO_HATS}"
    assert visit.api_calls == [f"/api/users/{TWO_HATS.replace(' ', '_')}/status"]
    # The failed request itself is reported by the browser; the page raised nothing.
    assert not [e for e in visit.errors if not re.search(r"\b50\d\b", e)]
    assert any("[outreach-staff]" in w for w in visit.warnings)


def test_courses_the_status_could_not_read_are_looked_for_in_the_staff_answer(
    visit: Visit, service: str, upstream: Upstream
) -> None:
    # GADGET.md: the status says some courses could not be read yet (a cold page view
    # under load leaves them for later): they may be active, so the gadget asks for the
    # staff too, still two requests at most. Here every course's page fails.
    upstream.fault("error500", endpoint="course")
    name = TWO_HATS.replace(" ", "_")
    page = visit.open(f"{service}/gadget/demo?user={quote(name)}")
    page.wait_for_load_state("networkidle")
    assert visit.api_calls == [f"/api/users/{name}/status", f"/api/users/{name}/active-staff"]
    assert page.locator(LINK).count() == 0  # no course could be read: nothing to show
    assert visit.errors == []


# --- two dashboards ---------------------------------------------------------------


@dataclass(frozen=True)
class TwoDashboards:
    """The demo's service (``url``) asking both stand-ins, each with its controls."""

    url: str
    outreach: StandinServer
    wikiedu: StandinServer
    outreach_upstream: Upstream
    wikiedu_upstream: Upstream


@pytest.fixture
def two(
    make_two_settings: SettingsFactory,
    clock: FakeClock,
    standin_server: StandinServer,
    wikiedu_server: StandinServer,
    upstream: Upstream,
    wikiedu_upstream: Upstream,
) -> Iterator[TwoDashboards]:
    """The demo, the service asking both stand-ins; ``wikiedu`` only for English Wikipedia
    and Wikidata, as by default (docs/dashboards.md)."""
    settings = make_two_settings()
    with BackgroundServer(_app(settings, clock, public_url=None, demo=True), lifespan="on") as app:
        yield TwoDashboards(app.url, standin_server, wikiedu_server, upstream, wikiedu_upstream)


def _shown_courses(dialog: Locator) -> list[tuple[str, str, str, list[str]]]:
    """(dashboard label, title, link, staff) of each course in the dialog, in its order."""
    return [
        (
            course.locator(".outreach-staff-dashboard").inner_text(),
            course.locator(".outreach-staff-course-link").inner_text(),
            course.locator(".outreach-staff-course-link").evaluate("a => a.href"),
            sorted(course.locator(".outreach-staff-person").all_inner_texts()),
        )
        for course in dialog.locator(".outreach-staff-course").all()
    ]


def _expected_courses(standin: StandinServer, username: str) -> list[tuple[str, str, list[str]]]:
    """(dashboard host, title, staff) of the user's active courses in that stand-in's world."""
    host = urlsplit(standin.url).netloc
    return [(host, t, s) for t, s in _active_staff_in_world(standin, username).items()]


def _check_links(
    shown: list[tuple[str, str, str, list[str]]], standin: StandinServer, username: str
) -> None:
    """The links of the user's courses on ``standin`` lead to their pages there, which exist."""
    host = urlsplit(standin.url).netloc
    world = standin.world
    slugs = {}
    for enrollment in world.visible_enrollments_of(username):
        course = world.course(enrollment.course_slug)
        assert course is not None
        slugs[course.title] = course.slug
    for label, title, href, _ in shown:
        if label != host:
            continue
        parts = urlsplit(href)
        assert f"{parts.scheme}://{parts.netloc}" == standin.url
        assert unquote(parts.path) == f"/courses/{slugs[title]}"
        assert httpx.get(href).status_code == 200


def _open_dialog(visit: Visit, url: str, user: str) -> Locator:
    page = visit.open(url)
    page.locator(LINK).click()
    dialog = page.get_by_role("dialog", name=f"Course staff of {user}")
    expect(dialog).to_be_visible()
    return dialog


def _demo_url(service: str, user: str, **params: str) -> str:
    query = "".join(f"&{k}={quote(v)}" for k, v in params.items())
    return f"{service}/gadget/demo?user={quote(user.replace(' ', '_'))}{query}"


def test_courses_of_both_dashboards_each_labelled_and_linked(
    browser: Browser, two: TwoDashboards
) -> None:
    visit = Visit(browser, two.url)
    try:
        dialog = _open_dialog(visit, _demo_url(two.url, TWO_HATS), TWO_HATS)
        shown = _shown_courses(dialog)
        expected = _expected_courses(two.outreach, TWO_HATS)
        expected += _expected_courses(two.wikiedu, TWO_HATS)
        assert sorted((label, t, s) for label, t, _, s in shown) == sorted(expected)
        # The stand-ins' documented worlds: two courses on the first dashboard, and on the
        # second the class Ama Twohats is a student in, taught by its professor with
        # Wiki Education's staff on its roster.
        wikiedu_host = urlsplit(two.wikiedu.url).netloc
        outreach_host = urlsplit(two.outreach.url).netloc
        assert [label for label, *_ in shown].count(outreach_host) == 2
        (wiki_ed,) = [course for course in shown if course[0] == wikiedu_host]
        assert unquote(urlsplit(wiki_ed[2]).path) == f"/courses/{CLASS_ACTIVE}"
        assert {PROFESSOR, WIKIED_STAFF} <= set(wiki_ed[3])
        _check_links(shown, two.outreach, TWO_HATS)
        _check_links(shown, two.wikiedu, TWO_HATS)
        intro = dialog.locator("p").first.inner_text()
        assert intro == f"Active dashboard courses of {TWO_HATS} and their staff:"
        # The ping names every staff member of every course once, but the user.
        staff = pinged(dialog.locator(".outreach-staff-ping").inner_text())
        assert sorted(staff) == sorted({n for *_, names in expected for n in names} - {TWO_HATS})

        OUTPUT.mkdir(exist_ok=True)
        dialog.page.screenshot(path=OUTPUT / "gadget-dialog-two-dashboards.png")

        # One page view: one status request, one for the staff, both naming the wiki.
        dialog.page.wait_for_load_state("networkidle")
        name = TWO_HATS.replace(" ", "_")
        assert visit.api_calls == [f"/api/users/{name}/status", f"/api/users/{name}/active-staff"]
        assert visit.api_queries == ["wiki=en.wikipedia.org"] * 2
        assert two.wikiedu_upstream.total > 0  # English Wikipedia: the second dashboard was asked
        assert visit.errors == []
    finally:
        visit.close()


@pytest.mark.parametrize("down", ["outreach", "wikiedu"])
def test_one_dashboard_down_the_other_still_shows(
    browser: Browser,
    two: TwoDashboards,
    down: str,
) -> None:
    broken, working = (
        (two.outreach_upstream, two.wikiedu)
        if down == "outreach"
        else (two.wikiedu_upstream, two.outreach)
    )
    broken.fault("drop")
    visit = Visit(browser, two.url)
    try:
        dialog = _open_dialog(visit, _demo_url(two.url, TWO_HATS), TWO_HATS)
        shown = _shown_courses(dialog)
        expected = _expected_courses(working, TWO_HATS)
        assert sorted((label, t, s) for label, t, _, s in shown) == sorted(expected)
        _check_links(shown, working, TWO_HATS)
        name = TWO_HATS.replace(" ", "_")
        assert visit.api_calls == [f"/api/users/{name}/status", f"/api/users/{name}/active-staff"]
        assert broken.total > 0  # it was asked, and failed
        assert not [e for e in visit.errors if "outreach-staff" in e]
    finally:
        visit.close()


def test_a_wiki_the_second_dashboard_does_not_serve_costs_it_nothing(
    browser: Browser, two: TwoDashboards
) -> None:
    visit = Visit(browser, two.url)
    try:
        url = _demo_url(two.url, TWO_HATS, wiki="de.wikipedia.org")
        dialog = _open_dialog(visit, url, TWO_HATS)
        shown = _shown_courses(dialog)
        expected = _expected_courses(two.outreach, TWO_HATS)
        assert sorted((label, t, s) for label, t, _, s in shown) == sorted(expected)
        dialog.page.wait_for_load_state("networkidle")
        assert visit.api_queries == ["wiki=de.wikipedia.org"] * 2
        assert len([p for p in visit.api_calls if p.endswith("/status")]) == 1
        assert two.outreach_upstream.total > 0
        assert two.wikiedu_upstream.total == 0
    finally:
        visit.close()

    # A user without courses: one request, and still nothing for the second dashboard.
    visit = Visit(browser, two.url)
    try:
        page = visit.open(_demo_url(two.url, QUIET, wiki="de.wikipedia.org"))
        assert page.locator(LINK).count() == 0
        assert visit.api_calls == [f"/api/users/{QUIET.replace(' ', '_')}/status"]
        assert visit.api_queries == ["wiki=de.wikipedia.org"]
        assert two.wikiedu_upstream.total == 0
    finally:
        visit.close()


# --- staff names that could be wikitext ------------------------------------------

#: Names MediaWiki refuses as usernames or would read as other names (GADGET.md: left
#: out of links and the ping), and things that are not names at all.
NOT_USERNAMES: Final[list[object]] = [
    "Evil}}{{Delete",
    "Pipe|Name",
    "[[Category:Spam]]",
    "<img src=x onerror=alert(1)>",
    "Line\nBreak",
    "Hash#Name",
    "Slash/Name",
    "192.0.2.7",
    "2001:db8::7",
    "",
    " _ ",
    "A" * 256,
    "\ud800 half a pair",
    None,
    42,
    # MediaWikiTitleCodec: three tildes sign on save; "." and ".." are no titles; percent
    # escapes and HTML entities are refused; a namespace prefix makes another title.
    "Signs~~~~",
    "Signs too~~~",
    ".",
    "..",
    "Escaped%41Name",
    "Entity&amp;Name",
    "User talk:Spoofed",
    "Talk:Spoofed",
    ":Colon Spoofed",
    # ...and it drops these bidirectional marks and embeddings from titles, so each
    # would ping the name without it; UserNameUtils::isValid refuses them all.
    "Bidi\u200eMark",
    "\u200fBidi Mark",
    "Bidi\u202aEmbed",
    "Bidi\u202bEmbed",
    "Bidi\u202cPop",
    "Bidi\u202dOverride",
    "Bidi\u202eOverride",
    # UserNameUtils::isValid: zero-width and private-use characters, IPv4-shaped names.
    "Zero\u200bWidth",
    "Zero\u200cNon Joiner",
    "Zero\u200dJoiner",
    "Private\ue000Use",
    "300.300.300.300",
]
#: Usernames, "=" included: old accounts may hold it ($wgInvalidUsernameCharacters
#: stops only new ones), and "1=Someone" must not become the ping's parameter 1.
USERNAMES: Final = [
    "Good Staff",
    "Old:Timer@Wiki",
    "Zoë Åström",
    "1=Someone",
    "Some=One",
    "Two Tildes~~",
    "100% Staff",
]


#: A wikitext-free staff list where the test is not about names.
PLAIN_STAFF: Final = ["Good Staff"]


def _crafted_api(
    service: FastAPI,
    courses: list[dict[str, object]] | None = None,
    all_staff: list[str] | None = None,
) -> Starlette:
    """The service, except for its answers about users: these list ``courses``, or by
    default one course whose staff is every name above (and ``all_staff``, or by default
    the staff of every course).

    Stands for an upstream (or a stored entry) the service did not clean: the gadget
    must keep such names out of the page by itself.
    """
    staff: list[object] = [NOT_USERNAMES[0], USERNAMES[0], *NOT_USERNAMES[1:8], USERNAMES[1]]
    staff += [*NOT_USERNAMES[8:20], USERNAMES[2], *NOT_USERNAMES[20:], *USERNAMES[3:]]
    if courses is None:
        course = {"course_slug": "Some_School/Some_Course", "course_title": "Some Course"}
        courses = [{**course, "staff": staff}]
    else:
        staff = list(PLAIN_STAFF)
    if all_staff is not None:
        staff = list(all_staff)

    def answer(body: object) -> Response:
        return Response(json.dumps(body, ensure_ascii=True), media_type="application/json")

    async def status(request: StarletteRequest) -> Response:
        user = request.path_params["username"].replace("_", " ")
        return answer(
            {
                "username": user,
                "has_any_courses": True,
                "active_course_count": 1,
                "active_event_count": 1,
                "total_courses": 1,
                "is_instructor": False,
                "is_student": True,
            }
        )

    async def active_staff(request: StarletteRequest) -> Response:
        user = request.path_params["username"].replace("_", " ")
        return answer(
            {"username": user, "window": "tracking", "all_staff": staff, "courses": courses}
        )

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with service.router.lifespan_context(service):
            yield

    return Starlette(
        routes=[
            Route("/api/users/{username}/status", status),
            Route("/api/users/{username}/active-staff", active_staff),
            Mount("/", app=service),
        ],
        lifespan=lifespan,
    )


@contextmanager
def _pat_rollers_dialog(
    browser: Browser,
    settings: Settings,
    clock: FakeClock,
    courses: list[dict[str, object]] | None = None,
    all_staff: list[str] | None = None,
) -> Iterator[tuple[Visit, Locator]]:
    """Pat Roller's dialog on the demo page, in front of ``_crafted_api``'s answers."""
    service = _app(settings, clock, public_url=None, demo=True)
    with BackgroundServer(_crafted_api(service, courses, all_staff), lifespan="on") as server:
        visit = Visit(browser, server.url)
        try:
            yield visit, _open_dialog(visit, _demo_url(server.url, "Pat Roller"), "Pat Roller")
        finally:
            visit.close()


def test_names_that_cannot_be_usernames_stay_out_of_links_and_ping(
    browser: Browser, make_settings: SettingsFactory, clock: FakeClock
) -> None:
    settings = make_settings(access_log=False)
    with _pat_rollers_dialog(browser, settings, clock) as (visit, dialog):
        page = dialog.page

        people = dialog.locator(".outreach-staff-person")
        assert people.all_inner_texts() == USERNAMES
        assert people.evaluate_all("links => links.map(a => a.getAttribute('href'))") == [
            "/wiki/User_talk:" + quote(name.replace(" ", "_"), ":@") for name in USERNAMES
        ]
        # Numbered parameters, as GADGET.md documents them: "1=Someone" is parameter 4.
        expected = (
            "{{ping|1=Good Staff|2=Old:Timer@Wiki|3=Zoë Åström|4=1=Someone|5=Some=One"
            "|6=Two Tildes~~|7=100% Staff}}"
        )
        assert ping(USERNAMES) == expected
        expect(dialog.locator(".outreach-staff-ping")).to_have_text(expected)
        dialog.get_by_role("button", name="Copy ping for all staff").click()
        expect(dialog.get_by_role("status")).to_have_text(f"Copied to the clipboard: {expected}")
        assert page.evaluate("navigator.clipboard.readText()") == expected

        # Nothing of the rest reached the page, as text or as markup.
        text = dialog.inner_text()
        markers = ["Evil", "Pipe", "Spam", "Line", "Hash", "Slash", "192.0.2.7", "AAAA"]
        markers += ["Signs", "~~~", "Escaped", "Entity", "Spoofed", "Bidi", "Zero", "Private"]
        markers += ["300.300", "\u200e", "\u200f", "\u202e", "\u200b"]
        for marker in markers:
            assert marker not in text
        assert "=." not in text  # neither "." nor ".." is a parameter
        assert dialog.locator("img").count() == 0
        assert visit.errors == []
        assert any("[outreach-staff] left out" in w for w in visit.warnings)


# --- which dashboard, and where a course links to ---------------------------------

#: Course rows as the service would give them (docs/dashboards.md: each names its dashboard and
#: page), on the two real dashboards, on another host, and with pages no link may
#: point at; each with its expected label and link (None: its title is not a link).
CRAFTED_COURSES: Final[list[tuple[dict[str, object], str, str | None]]] = [
    (
        {
            "dashboard": "outreach",
            "course_slug": "Some_School/Outreach_Course",
            "course_title": "Outreach Course",
            "url": "https://outreachdashboard.wmflabs.org/courses/Some_School/Outreach_Course",
        },
        "Outreach Dashboard",
        "https://outreachdashboard.wmflabs.org/courses/Some_School/Outreach_Course",
    ),
    (
        {
            "dashboard": "wikiedu",
            "course_slug": "Some_University/Wiki_Ed_Course_(Fall)",
            "course_title": "Wiki Ed Course",
            "url": "https://dashboard.wikiedu.org/courses/Some_University/Wiki_Ed_Course_(Fall)",
        },
        "Wiki Education Dashboard",
        "https://dashboard.wikiedu.org/courses/Some_University/Wiki_Ed_Course_(Fall)",
    ),
    (
        {
            "dashboard": "other",
            "course_slug": "A_School/Elsewhere",
            "course_title": "Elsewhere",
            "url": "https://dashboard.example.org:8443/courses/A_School/Elsewhere",
        },
        "dashboard.example.org:8443",
        "https://dashboard.example.org:8443/courses/A_School/Elsewhere",
    ),
    # Hosts that are names of Object.prototype's own properties: still other dashboards,
    # shown by their host like any other (GADGET.md).
    (
        {
            "dashboard": "other",
            "course_slug": "A_School/Proto",
            "course_title": "Proto",
            "url": "https://__proto__/courses/A_School/Proto",
        },
        "__proto__",
        "https://__proto__/courses/A_School/Proto",
    ),
    (
        {
            "dashboard": "other",
            "course_slug": "A_School/Constructor",
            "course_title": "Constructor",
            "url": "https://constructor:8443/courses/A_School/Constructor",
        },
        "constructor:8443",
        "https://constructor:8443/courses/A_School/Constructor",
    ),
    (
        {
            "dashboard": "other",
            "course_slug": "A_School/Constructor_Bare",
            "course_title": "Constructor bare",
            "url": "https://constructor/courses/A_School/Constructor_Bare",
        },
        "constructor",
        "https://constructor/courses/A_School/Constructor_Bare",
    ),
    (
        {
            "dashboard": "outreach",
            "course_slug": "A_School/Script",
            "course_title": "Script <b>course</b>",
            "url": "javascript:alert(document.domain)",
        },
        "outreach",
        None,
    ),
    (
        {
            "dashboard": "</span><img src=x>",
            "course_slug": "A_School/Relative",
            "course_title": "Relative",
            "url": "//evil.example/courses/A_School/Relative",
        },
        "",
        None,
    ),
]


def test_each_course_names_its_dashboard_and_links_only_to_web_pages(
    browser: Browser, make_settings: SettingsFactory, clock: FakeClock
) -> None:
    settings = make_settings(access_log=False)
    rows = [{**row, "staff": PLAIN_STAFF} for row, _, _ in CRAFTED_COURSES]
    with _pat_rollers_dialog(browser, settings, clock, rows) as (visit, dialog):
        courses = dialog.locator(".outreach-staff-course")
        expect(courses).to_have_count(len(CRAFTED_COURSES))
        for course, (row, label, href) in zip(courses.all(), CRAFTED_COURSES, strict=True):
            assert course.locator("h3").inner_text() == row["course_title"]
            badge = course.locator(".outreach-staff-dashboard")
            assert badge.all_inner_texts() == ([label] if label else [])
            links = course.locator("h3 a")
            if href is None:
                expect(links).to_have_count(0)
            else:
                assert links.evaluate("a => a.href") == href
                host = urlsplit(href).netloc
                assert links.get_attribute("title") == f"The course on {host}"
        assert dialog.locator("img, b").count() == 0
        assert "⧼" not in dialog.inner_text()  # no message looked up for another dashboard
        # Rows without the user's role and the course's end (an older service): neither.
        expect(dialog.locator(".outreach-staff-facts")).to_have_count(0)
        assert visit.errors == []
        OUTPUT.mkdir(exist_ok=True)
        dialog.page.screenshot(path=OUTPUT / "gadget-dialog-dashboard-labels.png")


# --- the user's role, the course's end, and whom the ping reaches -----------------


def test_the_only_staff_is_not_pinged_about_themselves(
    browser: Browser, make_settings: SettingsFactory, clock: FakeClock
) -> None:
    # Pat Roller runs a course alone: the dialog says so, and offers no ping to nobody.
    course: dict[str, object] = {
        "dashboard": "outreach",
        "course_slug": "Some_School/Solo_Course",
        "course_title": "Solo Course",
        "url": "https://outreachdashboard.wmflabs.org/courses/Some_School/Solo_Course",
        "user_role": "instructor",
        "end": "2026-12-17T23:59:59Z",
        "staff": ["Pat Roller"],
    }
    odd: dict[str, object] = {
        **course,
        "course_slug": "Some_School/Odd_Course",
        "course_title": "Odd Course",
        "user_role": "<b>boss</b>",
        "end": "some day",
    }
    settings = make_settings(access_log=False)
    with _pat_rollers_dialog(browser, settings, clock, [course, odd], ["Pat Roller"]) as (
        visit,
        dialog,
    ):
        solo, strange = dialog.locator(".outreach-staff-course").all()
        expect(solo.locator(".outreach-staff-facts")).to_have_text(
            "Role of Pat Roller: instructor · Ends December 17, 2026"
        )
        # A role the gadget does not know and a date that is none: left out.
        expect(strange.locator(".outreach-staff-facts")).to_have_count(0)
        expect(dialog.locator(".outreach-staff-person")).to_have_text(["Pat Roller"] * 2)
        expect(dialog.locator("code")).to_have_count(0)
        expect(dialog.get_by_role("button", name="Copy ping for all staff")).to_have_count(0)
        expect(dialog.locator(".outreach-staff-footer")).to_have_text("No other staff to ping.")
        assert dialog.locator("b").count() == 0
        assert visit.errors == []


# --- the participants gadget: marks in lists of edits -----------------------------

MARKER: Final = ".outreach-participant-marker"
#: The wiki's campaigns in the tests below (the stand-ins' worlds).
OUTREACH_CAMPAIGN: Final = f"outreach:{NORMAL_CAMPAIGN}"
WIKIEDU_CAMPAIGN: Final = f"wikiedu:{CAMPAIGN_FALL_2026}"
#: Editors of the demo's lists: two participants of NORMAL_CAMPAIGN, two who are not.
EDITORS: Final = [HASHTAG, QUIET, TWO_HATS, "Nobody Here"]


def _list_url(service: str, view: str, config: object | None, users: list[str] = EDITORS) -> str:
    """The demo's recent changes or history, one edit by each of ``users`` (and an IP),
    with ``config`` as the wiki's MediaWiki:Gadget-outreach-staff.json (None: no page)."""
    query = {"view": view, "user": "|".join(u.replace(" ", "_") for u in users)}
    if config is not None:
        query["config"] = json.dumps(config)
    return f"{service}/gadget/demo?{urlencode(query)}"


def _open_list(visit: Visit, url: str) -> Page:
    """Load a demo list and wait until the participants gadget has marked it."""
    page = visit.page
    page.goto(url)
    expect(page.locator(MARKER).first).to_be_visible()
    page.wait_for_load_state("networkidle")
    return page


def _expected_tooltips(service: str, *campaigns: str) -> dict[str, str]:
    """Each participant's tooltip as GADGET.md shows it, from the service's own answers:
    each campaign's courses in the order named, by their line's text within one."""
    lines: dict[str, list[str]] = {}
    for campaign in campaigns:
        dashboard, _, slug = campaign.partition(":")
        answer = httpx.get(
            f"{service}/api/campaigns/{slug}/participants", params={"dashboard": dashboard}
        ).json()
        found: dict[str, set[str]] = {}
        for row in answer["participants"]:
            host = urlsplit(row["url"]).netloc
            role = row["role"].replace("_", " ")
            found.setdefault(row["username"], set()).add(f"{row['course_title']}: {role}, {host}")
        for name, courses in found.items():
            lines.setdefault(name, []).extend(sorted(courses))
    return {
        name: "\n".join([f"Active dashboard courses of {name}:", *courses])
        for name, courses in lines.items()
    }


def _marks(page: Page) -> list[dict[str, object]]:
    """Each user link of the page: its name, whether it is marked, and what follows it."""
    result: list[dict[str, object]] = page.locator("a.mw-userlink").evaluate_all(
        """links => links.map(a => {
            const next = a.nextSibling && a.nextSibling.nodeType === 1 ? a.nextSibling : null;
            const marker = next && next.className === 'outreach-participant-marker';
            const after = marker && next.nextSibling && next.nextSibling.nodeType === 1 ?
                next.nextSibling.className : null;
            return {
                name: a.textContent,
                marked: a.classList.contains('outreach-participant'),
                marker: Boolean(marker),
                title: marker ? next.getAttribute('title') : null,
                text: marker ? next.textContent : null,
                twice: after === 'outreach-participant-marker',
            };
        })"""
    )
    return result


def _check_marks(page: Page, tooltips: dict[str, str]) -> list[str]:
    """Every user link is marked, once, exactly when its user is a participant; the names."""
    links = _marks(page)
    for link in links:
        participant = link["name"] in tooltips
        assert (link["marked"], link["marker"], link["twice"]) == (participant, participant, False)
        if participant:
            assert (link["title"], link["text"]) == (tooltips[str(link["name"])], "course")
    names = [str(link["name"]) for link in links]
    assert page.locator(MARKER).count() == sum(name in tooltips for name in names)
    return names


@pytest.mark.parametrize("view", ["recentchanges", "history"])
def test_participants_are_marked_in_a_list_of_edits(
    visit: Visit, service: str, standin_server: StandinServer, view: str
) -> None:
    page = _open_list(visit, _list_url(service, view, {"campaigns": [OUTREACH_CAMPAIGN]}))
    tooltips = _expected_tooltips(service, OUTREACH_CAMPAIGN)
    assert {HASHTAG, TWO_HATS} <= set(tooltips)
    assert not {QUIET, "Nobody Here"} & set(tooltips)
    names = _check_marks(page, tooltips)
    assert names == [*EDITORS, "192.0.2.44"]
    # GADGET.md's tooltip: the course, the role, the dashboard (here by its host).
    host = urlsplit(standin_server.url).netloc
    assert tooltips[HASHTAG] == (
        f"Active dashboard courses of {HASHTAG}:\nWikidata Days (November): student, {host}"
    )
    assert tooltips[TWO_HATS] == (
        f"Active dashboard courses of {TWO_HATS}:\n"
        f"Tagalog Wikipedia Workshop: instructor, {host}\n"
        f"Wikidata Days (November): student, {host}"
    )
    marked = page.locator("a.outreach-participant")
    expect(marked).to_have_text([HASHTAG, TWO_HATS])
    OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=OUTPUT / f"gadget-participants-{view}.png")
    # One request for the one campaign, nothing about any user; no staff request here.
    assert visit.api_calls == [f"/api/campaigns/{NORMAL_CAMPAIGN}/participants"]
    assert visit.api_queries == ["dashboard=outreach"]
    assert visit.errors == []


def test_marking_again_changes_nothing_and_later_rows_are_marked(
    visit: Visit, service: str
) -> None:
    page = _open_list(
        visit, _list_url(service, "recentchanges", {"campaigns": [OUTREACH_CAMPAIGN]})
    )
    tooltips = _expected_tooltips(service, OUTREACH_CAMPAIGN)
    _check_marks(page, tooltips)
    before = page.locator("#mw-content-text").inner_html()

    # The hook fired again on the same rows (as MediaWiki may): nothing changes.
    page.evaluate(
        """() => { const content = document.getElementById('mw-content-text');
        for (let i = 0; i < 3; i++) { mw.hook('wikipage.content').fire([content]); } }"""
    )
    assert page.locator("#mw-content-text").inner_html() == before

    # "Show new changes": the filters' new list, one edit newer, then the hook on it.
    for newer in (1, 2):
        page.get_by_role("button", name="Show new changes").click()
        rows = page.locator(".mw-changeslist li")
        expect(rows).to_have_count(len(EDITORS) + 1 + newer)
        expect(page.locator("a.outreach-participant")).to_have_count(2 + newer)
        names = _check_marks(page, tooltips)
        assert names[: newer + 1] == [HASHTAG] * (newer + 1)  # the newest first

    # A row another script adds, without the hook: the observer marks it.
    page.evaluate(
        """name => { const row = document.createElement('li');
        row.innerHTML = '<a class="mw-userlink" href="#"><bdi></bdi></a> (a row of its own)';
        row.querySelector('bdi').textContent = name;
        document.querySelector('.mw-changeslist ul').appendChild(row); }""",
        TWO_HATS,
    )
    expect(page.locator("a.outreach-participant")).to_have_count(5)
    _check_marks(page, tooltips)

    # However often the rows changed, the campaign was asked once.
    page.wait_for_load_state("networkidle")
    assert visit.api_calls == [f"/api/campaigns/{NORMAL_CAMPAIGN}/participants"]
    assert visit.errors == []


@pytest.mark.parametrize("config", [None, {}, {"campaigns": []}, {"campaigns": "outreach:x"}])
def test_no_campaign_named_no_request(visit: Visit, service: str, config: object) -> None:
    page = visit.page
    page.goto(_list_url(service, "recentchanges", config))
    page.wait_for_function("() => mw.config.get('outreachParticipantsLoaded') === true")
    page.wait_for_load_state("networkidle")
    assert page.locator("a.mw-userlink").count() == len(EDITORS) + 1
    assert page.locator(f"{MARKER}, .outreach-participant").count() == 0
    assert visit.api_calls == []
    assert visit.errors == []


def test_one_request_per_campaign_and_bad_entries_skipped(
    browser: Browser, two: TwoDashboards
) -> None:
    campaigns: list[object] = [
        OUTREACH_CAMPAIGN,
        WIKIEDU_CAMPAIGN,
        OUTREACH_CAMPAIGN.upper().replace("OUTREACH:", "outreach:"),  # the same, read once
        "nocolon",
        7,
        None,
        "outreach:",
        "outreach:two words",
        "Outreach:capital_dashboard",
        "nowhere:fall_2026",  # well formed, but no such dashboard: asked, refused, logged
    ]
    visit = Visit(browser, two.url)
    try:
        page = _open_list(visit, _list_url(two.url, "history", {"campaigns": campaigns}))
        tooltips = _expected_tooltips(two.url, OUTREACH_CAMPAIGN, WIKIEDU_CAMPAIGN)
        # Ama Twohats: two Outreach courses, then her Wiki Education class.
        ama = tooltips[TWO_HATS].splitlines()
        assert len(ama) == 4
        assert ama[3].startswith("Environmental History of the Americas: student, ")
        _check_marks(page, tooltips)
        page.wait_for_load_state("networkidle")
        assert sorted(zip(visit.api_calls, visit.api_queries, strict=True)) == [
            (f"/api/campaigns/{CAMPAIGN_FALL_2026}/participants", "dashboard=nowhere"),
            (f"/api/campaigns/{CAMPAIGN_FALL_2026}/participants", "dashboard=wikiedu"),
            (f"/api/campaigns/{NORMAL_CAMPAIGN}/participants", "dashboard=outreach"),
        ]
        skipped = [w for w in visit.warnings if w.startswith("[outreach-participants] skipped")]
        assert len(skipped) == 6, visit.warnings
        assert any("nowhere:fall_2026 not read" in w for w in visit.warnings)
        assert not [e for e in visit.errors if "outreach-participants" in e]
    finally:
        visit.close()


def _crafted_participants(service: FastAPI, rows: list[dict[str, object]]) -> Starlette:
    """The service, except that every campaign's participants are ``rows``."""

    async def participants(request: StarletteRequest) -> Response:
        body = {
            "dashboard": request.query_params.get("dashboard"),
            "campaign": request.path_params["campaign"],
            "participants": rows,
            "unreadable_courses": [],
            "complete": False,
        }
        return Response(json.dumps(body), media_type="application/json")

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with service.router.lifespan_context(service):
            yield

    return Starlette(
        routes=[
            Route("/api/campaigns/{campaign}/participants", participants),
            Mount("/", app=service),
        ],
        lifespan=lifespan,
    )


def test_tooltips_name_known_dashboards_and_stay_text(
    browser: Browser, make_settings: SettingsFactory, clock: FakeClock
) -> None:
    course = {"course_slug": "A_School/Course", "course_title": "Course <b>bold</b>"}
    rows: list[dict[str, object]] = [
        {
            **course,
            "username": "Hashtag_Hero",  # as a URL spells it: still the same user
            "role": "campus_volunteer",
            "url": "https://outreachdashboard.wmflabs.org/courses/A_School/Course",
        },
        {
            **course,
            "username": HASHTAG,
            "role": "a role of tomorrow",
            "url": "https://dashboard.wikiedu.org/courses/A_School/Course",
        },
        {**course, "username": QUIET, "role": "student", "url": "javascript:alert(1)"},
        {"username": "No Title", "role": "student", "url": "https://x.example/"},
    ]
    service = _app(make_settings(access_log=False), clock, public_url=None, demo=True)
    with BackgroundServer(_crafted_participants(service, rows), lifespan="on") as server:
        visit = Visit(browser, server.url)
        try:
            url = _list_url(server.url, "recentchanges", {"campaigns": [OUTREACH_CAMPAIGN]})
            page = _open_list(visit, url)
            _check_marks(
                page,
                {
                    HASHTAG: f"Active dashboard courses of {HASHTAG}:\n"
                    "Course <b>bold</b>: campus volunteer, Outreach Dashboard\n"
                    "Course <b>bold</b>: participant, Wiki Education Dashboard",
                    # No page of its own: the service's name for the dashboard.
                    QUIET: f"Active dashboard courses of {QUIET}:\n"
                    "Course <b>bold</b>: student, outreach",
                },
            )
            assert page.locator("#mw-content-text b").count() == 0
            # The answer says its list may have been cut: the console says so too.
            assert any("may have left out" in w for w in visit.warnings)
            assert visit.errors == []
        finally:
            visit.close()
