"""The pages for people in a real browser (docs/pages.md): Debian's Chromium under Playwright.

The service runs on a real loopback socket in front of two stand-ins (the
Outreach Dashboard's world and the Wiki Education Dashboard's), at the instant
the stand-ins show. Every test reads the browser's own network log: a page asks
nothing of any other host (requests elsewhere are aborted, and the test fails on
them), and the console shows no error (a Content-Security-Policy violation would
be one). Pages are checked with axe-core (vendored, ``tests/support/axe.py``) for
serious or critical accessibility violations, with JavaScript off, in a window as
narrow as a phone's (360 px) and in dark mode, and screenshots are saved to
``test-output/pages/`` to look at. Without Chromium the tests skip and say why
(under ``CI=true`` they fail).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Final
from urllib.parse import urlencode, urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, Route, expect

from outreach_helper.app import create_app
from outreach_standin import StandinServer
from outreach_standin import world as w
from outreach_standin.server import BackgroundServer
from tests.support.axe import audit, blocking, summary
from tests.support.clocks import FakeClock
from tests.support.paths import OUTPUT
from tests.support.service import SettingsFactory
from tests.support.standin import Upstream

TIMEOUT_MS: Final = 10_000
SHOTS: Final = OUTPUT / "pages"
PHONE: Final = {"width": 360, "height": 740}
DESKTOP: Final = {"width": 1280, "height": 900}


@pytest.fixture
def service(make_two_settings: SettingsFactory, clock: FakeClock) -> Iterator[str]:
    app = create_app(make_two_settings(access_log=False, upstream_timeout=1.0), clock=clock)
    with BackgroundServer(app, lifespan="on") as server:
        yield server.url


def user_page(name: str, wiki: str = "") -> str:
    return "/user?" + urlencode({"username": name, "wiki": wiki})


def _origin(url: str) -> str:
    parts = urlsplit(url.removeprefix("blob:"))
    return f"{parts.scheme}://{parts.netloc}"


class Visit:
    """A browser context that logs every request and console error, and never lets a
    request leave the service's origin."""

    def __init__(self, browser: Browser, origin: str, **options: Any) -> None:
        self.origin = origin
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.error_pages: set[str] = set()  # opened expecting an error status
        self.context: BrowserContext = browser.new_context(**{"viewport": DESKTOP, **options})
        self.context.set_default_timeout(TIMEOUT_MS)
        self.context.on("request", lambda request: self.requests.append(request.url))
        self.context.route("**/*", self._guard)
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("console", self._on_console)

    def _guard(self, route: Route) -> None:
        if _origin(route.request.url) == self.origin:
            route.continue_()
        else:
            route.abort()  # logged above all the same; the test then fails on it

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        # Chromium reports an error page's own status as a failed load: that one is expected.
        url = message.location.get("url", "")
        if url in self.error_pages and message.text.startswith("Failed to load resource"):
            return
        self.errors.append(message.text)

    def open(self, target: str, status: int = 200) -> Page:
        if status != 200:
            self.error_pages.add(self.origin + target)
        response = self.page.goto(self.origin + target)
        assert response is not None
        assert response.status == status, target
        return self.page

    def elsewhere(self) -> list[str]:
        return [url for url in self.requests if _origin(url) != self.origin]

    def shot(self, name: str) -> None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=SHOTS / f"{name}.png", full_page=True)

    def assert_clean(self) -> None:
        """Nothing asked of another host, nothing in the console."""
        assert self.elsewhere() == []
        assert self.errors == []

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def visits(browser: Browser, service: str) -> Iterator[Any]:
    opened: list[Visit] = []

    def visit(**options: Any) -> Visit:
        opened.append(Visit(browser, service, **options))
        return opened[-1]

    yield visit
    for one in opened:
        one.close()


def accessible(page: Page, label: str) -> None:
    """No serious or critical axe violation; the others are printed for the record."""
    violations = audit(page)
    print(f"axe on {label}: {summary(violations) or 'no violations'}")
    assert blocking(violations) == []


# ---- the start page and its form --------------------------------------------------


def test_the_form_finds_a_user_on_both_dashboards(visits, standin_server: StandinServer):
    visit = visits()
    page = visit.open("/")
    expect(page).to_have_title("Courses and their staff \u2013 Outreach Dashboard Helper")
    expect(page.get_by_role("heading", level=1)).to_have_text("Outreach Dashboard Helper")
    visit.shot("start")
    accessible(page, "the start page")
    page.get_by_label("Username").fill(" Ama_Twohats")
    page.get_by_label("Wiki (optional)").fill("en.wikipedia.org")
    page.get_by_label("Wiki (optional)").press("Enter")
    page.wait_for_url("**/user?username=+Ama_Twohats&wiki=en.wikipedia.org")
    expect(page.get_by_role("heading", level=1)).to_have_text(w.TWO_HATS)
    expect(page.get_by_role("heading", name="Courses on the Outreach Dashboard")).to_be_visible()
    expect(
        page.get_by_role("heading", name="Courses on the Wiki Education Dashboard")
    ).to_be_visible()
    expect(page.get_by_role("link", name="Tagalog Wikipedia Workshop")).to_have_attribute(
        "href", standin_server.url + "/courses/" + w.COURSE_TWO_HATS
    )
    talk = page.get_by_role("link", name="Old:Timer@Wiki").first
    expect(talk).to_have_attribute("href", "https://en.wikipedia.org/wiki/User_talk:Old:Timer@Wiki")
    page.wait_for_load_state("networkidle")
    visit.shot("user-both-dashboards")
    accessible(page, "a user page")
    visit.assert_clean()


def test_the_copy_button_copies_the_ping(visits, service: str):
    visit = visits()
    visit.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=service)
    page = visit.open(user_page(w.TWO_HATS, "en.wikipedia.org"))
    ping = page.get_by_label("Wikitext for a talk page")
    expect(ping).to_have_value(
        "{{ping|1=Corwin (Wiki Ed)|2=Dashboard Helper Staff|3=Greta Greeter|4=Marta Quill|"
        "5=Ngozi Eze|6=Old:Timer@Wiki|7=Rosalind Achterberg|8=Tamsin (Wiki Ed)}}"
    )
    page.get_by_role("button", name="Copy the ping").click()
    expect(page.get_by_role("status")).to_have_text("Copied to the clipboard.")
    assert page.evaluate("navigator.clipboard.readText()") == ping.input_value()
    visit.assert_clean()


def test_the_keyboard_reaches_everything_and_shows_where_it_is(visits):
    visit = visits()
    page = visit.open("/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")  # from the main landmark, the form's first field
    username = page.get_by_label("Username")
    expect(username).to_be_focused()
    outline = username.evaluate("el => getComputedStyle(el).outlineStyle")
    assert outline == "solid"
    page.keyboard.type(w.MARTA)
    page.keyboard.press("Enter")
    page.wait_for_url("**/user?username=Marta+Quill&wiki=")
    expect(page.get_by_role("heading", level=1)).to_have_text(w.MARTA)
    landmarks = [page.get_by_role(role) for role in ("banner", "main", "contentinfo")]
    for landmark in landmarks:
        expect(landmark).to_have_count(1)
    assert page.evaluate("document.documentElement.lang") == "en"
    visit.assert_clean()


def test_the_campaign_form_finds_its_active_courses_and_their_people(visits):
    visit = visits()
    page = visit.open("/")
    page.get_by_label("Campaign", exact=True).fill("Wikidata_Days_2026")
    page.get_by_label("Dashboard", exact=True).select_option(label="Outreach Dashboard")
    page.get_by_role("button", name="Look up the campaign").click()
    page.wait_for_url("**/campaign?campaign=Wikidata_Days_2026&dashboard=outreach")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Campaign {w.NORMAL_CAMPAIGN}")
    course = page.get_by_role("listitem").filter(
        has=page.get_by_role("heading", name="Tagalog Wikipedia Workshop")
    )
    expect(course.get_by_role("link", name=w.TWO_HATS)).to_be_visible()
    students = course.get_by_text("14 students")
    student = course.get_by_role("link", name="Ada Vasquez")
    expect(student).to_be_hidden()
    students.focus()
    page.keyboard.press("Enter")  # a <details>: opened by keyboard, with no script of ours
    expect(student).to_be_visible()
    expect(student).to_have_attribute("href", "/user?username=Ada+Vasquez")
    visit.shot("campaign")
    accessible(page, "a campaign page")
    visit.assert_clean()


# ---- errors ------------------------------------------------------------------------


def test_an_unknown_user_is_a_404_page_with_a_sentence(visits):
    visit = visits()
    page = visit.open(user_page("Nobody Here Xyzzy"), status=404)
    expect(page.get_by_role("heading", level=1)).to_have_text("Not found")
    expect(
        page.get_by_text("has an account named exactly \u201cNobody Here Xyzzy\u201d")
    ).to_be_visible()
    expect(page.get_by_label("Username")).to_have_value("Nobody Here Xyzzy")
    visit.shot("unknown-user")
    accessible(page, "the page of an unknown user")
    visit.assert_clean()


def test_an_impossible_name_is_a_400_page_with_a_sentence(visits):
    visit = visits()
    page = visit.open(user_page("Bad|<Name>"), status=400)
    expect(page.get_by_role("heading", level=1)).to_have_text("Not a username")
    expect(page.get_by_text("That cannot be: usernames cannot contain < > |.")).to_be_visible()
    expect(page.get_by_label("Username")).to_have_value("Bad|<Name>")
    visit.shot("invalid-name")
    accessible(page, "the page of an impossible name")
    visit.assert_clean()


def test_a_dashboard_down_leaves_the_others_courses(visits, wikiedu_upstream: Upstream):
    wikiedu_upstream.fault("drop")
    visit = visits()
    page = visit.open(user_page(w.TWO_HATS))
    expect(page.get_by_text("Some courses may be missing.")).to_be_visible()
    expect(page.get_by_text("Failed", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Tagalog Wikipedia Workshop")).to_be_visible()
    visit.shot("one-dashboard-down")
    accessible(page, "a partial user page")
    visit.assert_clean()


def test_every_dashboard_down_is_a_503_page(visits, upstream: Upstream, wikiedu_upstream):
    upstream.fault("drop")
    wikiedu_upstream.fault("drop")
    visit = visits()
    page = visit.open(user_page(w.TWO_HATS), status=503)
    expect(page.get_by_role("heading", level=1)).to_have_text("The dashboards are not answering")
    expect(page.get_by_text("Try again in a minute.")).to_be_visible()
    visit.shot("every-dashboard-down")
    accessible(page, "the page of every dashboard down")
    visit.assert_clean()


# ---- without JavaScript, on a phone, in the dark -----------------------------------


def test_with_javascript_off_everything_but_the_copy_button_works(visits):
    visit = visits(java_script_enabled=False)
    page = visit.open("/")
    page.get_by_label("Username").fill(w.TWO_HATS)
    page.get_by_label("Username").press("Enter")
    page.wait_for_url("**/user?username=Ama+Twohats&wiki=")
    expect(page.get_by_role("heading", level=1)).to_have_text(w.TWO_HATS)
    expect(page.get_by_label("Wikitext for a talk page")).to_have_value(
        "{{ping|1=Corwin (Wiki Ed)|2=Dashboard Helper Staff|3=Greta Greeter|4=Marta Quill|"
        "5=Ngozi Eze|6=Old:Timer@Wiki|7=Rosalind Achterberg|8=Tamsin (Wiki Ed)}}"
    )
    expect(page.get_by_role("button", name="Copy the ping")).to_have_count(0)
    visit.shot("javascript-off")
    visit.assert_clean()


@pytest.mark.parametrize(
    ("target", "name"),
    [
        ("/", "phone-start"),
        (user_page(w.SLUGGER), "phone-user"),
        (f"/campaign?campaign={w.NORMAL_CAMPAIGN}", "phone-campaign"),
    ],
)
def test_a_phone_sized_window_needs_no_sideways_scrolling(visits, target, name):
    visit = visits(viewport=PHONE, is_mobile=True, has_touch=True)
    page = visit.open(target)
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    visit.shot(name)
    accessible(page, f"{target} at {PHONE['width']} px")
    visit.assert_clean()


def test_dark_mode_uses_the_dark_tokens_and_stays_readable(visits):
    visit = visits(color_scheme="dark")
    page = visit.open(user_page(w.TWO_HATS, "en.wikipedia.org"))
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background != "rgb(255, 255, 255)"
    visit.shot("dark-mode")
    accessible(page, "a user page in dark mode")
    visit.assert_clean()
