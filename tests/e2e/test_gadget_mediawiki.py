"""The gadget inside a real MediaWiki, installed the way GADGET.md tells an interface admin.

One wiki for the module: Debian's MediaWiki (1.39) with SQLite and its Gadgets
extension, installed into a temporary directory and served by ``php -S`` on
loopback, beside the stand-in dashboard and our service. The gadget is set up
with maintenance scripts exactly as GADGET.md says (its definition line
verbatim, the script as our service serves it, the description page). The wiki
enforces a Content-Security-Policy built as Wikimedia's is (``$wgCSPHeader``
without nonces or CORS sources) that lists our service in ``default-src``, which
governs ``fetch``, and not in ``script-src``: the gadget may call it, never load
code from it.

Our service asks two dashboards, two stand-ins: ``outreach`` for every wiki and
``wikiedu`` (the Wiki Education Dashboard's place) only for the wikis it serves
in the service's default configuration, English Wikipedia and Wikidata. The
test wiki is neither, so its page views must cost ``wikiedu`` nothing; one test
configures the service so that ``wikiedu`` serves the test wiki too, and the
dialog then shows the courses of both.

Headless Chromium (Debian's) then reads real pages as a logged-in user who
enabled the gadget in Special:Preferences and as an anonymous reader, in
every skin the package ships (legacy Vector, Vector 2022, MonoBook, Timeless
and Minerva), and the browser's network log says how many requests each page
view sent to our service, that each said which wiki it came from, and that
none carried cookies. Minerva shows the Tools portlet only on user and user
talk pages, as the page actions' overflow menu; on its Contributions page the
gadget has nowhere to go and asks nothing.

Expected values come from the documentation: docs/api.md's ``active-staff``
example for Ama Twohats, and the stand-in's documented world. Without
MediaWiki or Chromium the module skips and says why; with ``CI=true`` it fails.
"""

from __future__ import annotations

import json
import re
import secrets
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Final
from urllib.parse import parse_qs, unquote, urlsplit

import httpx
import pytest
from playwright.sync_api import (
    Browser,
    ConsoleMessage,
    Page,
    Request,
    StorageState,
    expect,
)
from starlette.types import ASGIApp, Receive, Scope, Send

from outreach_helper.app import create_app
from outreach_helper.records import ROLE_BY_LEVEL
from outreach_helper.settings import Settings
from outreach_standin.model import ROLE_INSTRUCTOR
from outreach_standin.server import BackgroundServer, StandinServer
from outreach_standin.world import HASHTAG, NORMAL_CAMPAIGN
from outreach_standin.world_wikiedu import (
    CAMPAIGN_FALL_2026,
    CLASS_ACTIVE,
    PROFESSOR,
    WIKIED_STAFF,
)
from tests.support import mediawiki
from tests.support.browser import clipboard_page
from tests.support.clocks import FakeClock
from tests.support.mediawiki import MediaWiki
from tests.support.paths import OUTPUT
from tests.support.programs import unavailable
from tests.support.servers import free_port
from tests.support.service import WIKIEDU_WIKIS
from tests.support.standin import FIXED_NOW, Upstream

GADGET_MD: Final = Path(__file__).resolve().parents[2] / "GADGET.md"
GADGET: Final = "ext.gadget.outreach-staff"
PARTICIPANTS_GADGET: Final = "ext.gadget.outreach-participants"
#: The gadgets GADGET.md defines, in the order of its definition lines.
GADGETS: Final = ("outreach-staff", "outreach-participants")
LINK: Final = "#t-outreach-staff a"
#: Every skin Debian's MediaWiki 1.39 ships (tests.support.mediawiki enables them all).
SKINS: Final = ("vector", "vector-2022", "monobook", "timeless", "minerva")
#: Minerva's overflow menu ("More"), which holds its Tools portlet (p-tb) on user pages.
MINERVA_MORE: Final = "label[for='page-actions-overflow-checkbox']"
TIMEOUT_MS: Final = 10_000

# docs/api.md's example answer of GET /api/users/Ama_Twohats/active-staff, in its order.
ACTIVE_USER: Final = "Ama Twohats"
ACTIVE_COURSES: Final = {
    "Tagalog Wikipedia Workshop": ["Ama Twohats", "Dashboard Helper Staff", "Old:Timer@Wiki"],
    "Wikidata Days (November)": [
        "Dashboard Helper Staff",
        "Greta Greeter",
        "Marta Quill",
        "Ngozi Eze",
    ],
}
ALL_STAFF: Final = [
    "Ama Twohats",
    "Dashboard Helper Staff",
    "Greta Greeter",
    "Marta Quill",
    "Ngozi Eze",
    "Old:Timer@Wiki",
]
# docs/api.md's example: her own role in each, and when each ends (shown as a day, UTC).
ACTIVE_FACTS: Final = [
    "Role of Ama Twohats: instructor · Ends December 17, 2026",
    "Role of Ama Twohats: student · Ends December 15, 2026",
]
# GADGET.md: the ping names them as numbered template parameters, {{ping|1=A|2=B}}, all
# but the user the page is about (she is staff of her own workshop).
PINGED: Final = [name for name in ALL_STAFF if name != ACTIVE_USER]
PING: Final = "{{ping|" + "|".join(f"{i}={name}" for i, name in enumerate(PINGED, 1)) + "}}"
# Their pages on the dashboard (docs/api.md: a course's `url`), and their schools.
COURSE_PATHS: Final = {
    "Tagalog Wikipedia Workshop": (
        "/courses/Ateneo_de_Manila_Univ./Tagalog_Wikipedia_Workshop_(2026)"
    ),
    "Wikidata Days (November)": (
        "/courses/Riverside_Library_Network/Wikidata_Days_(November)_2026"
    ),
}
SCHOOLS: Final = ["Ateneo de Manila Univ.", "Riverside Library Network"]
# The stand-in's world: Quiet Reader exists and is enrolled nowhere. Nobody Here is
# unknown to the dashboard (docs/api.md's batch example), but has a wiki account.
NO_COURSES: Final = "Quiet Reader"
UNKNOWN: Final = "Nobody Here"
IP: Final = "192.0.2.44"

PATROLLER: Final = "Patrol Tester"  # enables the gadget in Special:Preferences
NEWCOMER: Final = "Pref Tester"  # shows the preference switching it on
OWN_COPY: Final = "Own Copy"  # has the script in their own common.js

# --- the participants gadget ---
PARTICIPANTS_TITLE: Final = "Course participants"  # how GADGET.md's description begins
#: The pages of the gadgets the service serves, each saved as MediaWiki:Gadget-NAME.
SERVED_PAGES: Final = ("outreach-staff.js", "outreach-participants.js", "outreach-participants.css")
CAMPAIGNS_PAGE: Final = "MediaWiki:Gadget-outreach-staff.json"
#: The test wiki's campaigns: the Outreach world's Wikidata Days and the Wiki Education
#: world's term, both with courses active at the stand-ins' instant.
CAMPAIGNS: Final = (("outreach", NORMAL_CAMPAIGN), ("wikiedu", CAMPAIGN_FALL_2026))
CAMPAIGNS_JSON: Final = json.dumps({"campaigns": [f"{d}:{c}" for d, c in CAMPAIGNS]})
# A student in COURSE_ACTIVE ("Wikidata Days (November)", of NORMAL_CAMPAIGN); Ama
# Twohats is in both campaigns (three courses); the bystander is on no dashboard.
PARTICIPANT: Final = HASHTAG
BYSTANDER: Final = "Passing Editor"
MARKER: Final = "Mark Tester"  # enables the participants gadget
OWN_MARKER: Final = "Own Marker"  # has the participants script in their own common.js
SANDBOX: Final = "Campaign sandbox"  # edited by both participants and the bystander
#: The lists of edits the participants test reads: (title, query).
LISTS: Final = {
    "recentchanges": ("Special:RecentChanges", {"limit": "500", "days": "30"}),
    "history": (SANDBOX, {"action": "history"}),
}


# --- what GADGET.md says -------------------------------------------------------


def _gadget_md() -> str:
    return GADGET_MD.read_text(encoding="utf-8")


def _code_blocks(markdown: str) -> list[str]:
    blocks = re.findall(r"^( *)```[a-z]*\n(.*?)^\1```", markdown, flags=re.M | re.S)
    return [textwrap.dedent(body) for _, body in blocks]


def documented_definition(gadget: str = "outreach-staff") -> str:
    """The line GADGET.md tells administrators to add to MediaWiki:Gadgets-definition
    for ``gadget``."""
    lines = [
        line
        for block in _code_blocks(_gadget_md())
        for line in block.splitlines()
        if line.startswith(f"* {gadget}[")
    ]
    assert len(lines) == 1, lines
    return lines[0]


def documented_definitions() -> str:
    """MediaWiki:Gadgets-definition as GADGET.md makes it: the line of each gadget."""
    return "\n".join(documented_definition(gadget) for gadget in GADGETS)


def documented_description(title: str = "Course staff") -> str:
    """The example description of a gadget (MediaWiki:Gadget-NAME) in GADGET.md."""
    found = re.search(rf"`({title}: [^`]+)`", _gadget_md())
    assert found is not None
    return found.group(1)


def documented_translation() -> str:
    """GADGET.md's example of MediaWiki:Gadget-outreach-staff-i18n.js."""
    blocks = [b for b in _code_blocks(_gadget_md()) if "mw.messages.set" in b]
    assert len(blocks) == 1
    return blocks[0]


# --- the service, the wiki, the browser -----------------------------------------


class Received:
    """Our app, noting the path and header names of every HTTP request it receives.

    The browser's log cannot prove that a request went without cookies when the
    request failed (Chromium reports no headers for a CORS failure), so the
    receiving end keeps its own record.
    """

    def __init__(self, app: ASGIApp, requests: list[tuple[str, frozenset[str]]]) -> None:
        self.app = app
        self.requests = requests

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            names = frozenset(name.decode("latin-1").lower() for name, _ in scope["headers"])
            self.requests.append((scope["path"], names))
        await self.app(scope, receive, send)


class Service:
    """Our service on a fixed loopback port, so that it can go down and come back.

    It asks two dashboards: ``outreach`` (every wiki) and ``wikiedu``, by default only
    for the wikis the service's default gives it (English Wikipedia, Wikidata), which
    leave out the test wiki.
    """

    def __init__(self, outreach_url: str, wikiedu_url: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.dashboards = f"outreach={outreach_url},wikiedu={wikiedu_url}"
        self.settings = self._settings(WIKIEDU_WIKIS)
        self._server: BackgroundServer | None = None
        self.received: list[tuple[str, frozenset[str]]] = []

    def _settings(self, dashboard_wikis: str) -> Settings:
        return Settings.model_validate(
            {
                "dashboards": self.dashboards,
                "dashboard_wikis": dashboard_wikis,
                "key_prefix": f"test-{secrets.token_hex(6)}",
                "upstream_timeout": 2.0,
                "upstream_retries": 0,
                "access_log": False,
                # As in production: the script a wiki copies names the service's public URL.
                "public_url": self.url,
            }
        )

    def restart(self, *, dashboard_wikis: str) -> None:
        """Start again with this OUTREACH_DASHBOARD_WIKIS, and a fresh cache."""
        self.stop()
        self.settings = self._settings(dashboard_wikis)
        self.start()

    def start(self) -> None:
        app = create_app(self.settings, clock=FakeClock(FIXED_NOW.timestamp()))
        recording = Received(app, self.received)
        self._server = BackgroundServer(recording, port=self.port, lifespan="on").start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None


@pytest.fixture(scope="module")
def service(standin_server: StandinServer, wikiedu_server: StandinServer) -> Iterator[Service]:
    running = Service(standin_server.url, wikiedu_server.url)
    running.start()
    yield running
    running.stop()


def _wiki_settings(service: Service) -> str:
    """Our additions to LocalSettings.php: a CSP built like Wikimedia's, user scripts."""
    return textwrap.dedent(
        f"""\
        $wgCSPHeader = [
            'useNonces' => false,
            'includeCORS' => false,
            'default-src' => [],
            'script-src' => [],
        ];
        // default-src (which governs fetch) allows our service; script-src does not.
        // The hook is needed because MediaWiki drops listed hosts equal to its own.
        $wgHooks['ContentSecurityPolicyDefaultSource'][] = static function ( &$defaultSrc ) {{
            $defaultSrc[] = '{service.url}';
        }};
        $wgAllowUserJs = true; // as on Wikimedia wikis: GADGET.md's personal copy needs it
        $wgAllowUserCss = true; // and the participants gadget's copy, its styles
        $wgJobRunRate = 0;
        """
    )


def _install_gadgets(wiki: MediaWiki, service: Service) -> None:
    """GADGET.md's steps, with edit.php as the interface administrator: each page as the
    service serves it, the descriptions and definition lines verbatim, and the test
    wiki's campaigns as its JSON page."""
    summary = "Install the outreach gadgets (GADGET.md)"
    for page in SERVED_PAGES:
        served = httpx.get(f"{service.url}/gadget/{page}", timeout=10)
        served.raise_for_status()
        wiki.edit(f"MediaWiki:Gadget-{page}", served.text, summary)
    wiki.edit("MediaWiki:Gadget-outreach-staff", documented_description(), summary)
    participants = documented_description(PARTICIPANTS_TITLE)
    wiki.edit("MediaWiki:Gadget-outreach-participants", participants, summary)
    wiki.edit(CAMPAIGNS_PAGE, CAMPAIGNS_JSON, summary)
    wiki.edit("MediaWiki:Gadgets-definition", documented_definitions(), summary)


@pytest.fixture(scope="module")
def wiki(service: Service) -> Iterator[MediaWiki]:
    reason = mediawiki.missing()
    if reason is not None:
        unavailable(reason)
    password = "Pw-" + secrets.token_hex(12)  # never starts with "-", which scripts would parse
    with MediaWiki(
        name="Gadget Test Wiki",
        admin="Interface Admin",
        password=password,
        settings=_wiki_settings(service),
    ) as running:
        _install_gadgets(running, service)
        accounts = (ACTIVE_USER, NO_COURSES, UNKNOWN, PATROLLER, NEWCOMER, OWN_COPY)
        for name in (*accounts, PARTICIPANT, BYSTANDER, MARKER, OWN_MARKER):
            running.create_account(name, password)
        for name in (ACTIVE_USER, NO_COURSES, UNKNOWN):
            running.edit(f"User:{name}", f"I am {name}.", "My user page")
            running.edit(f"User talk:{name}", "== Hello ==\nWelcome! ~~~~", "Welcome")
        # Edits by two participants of the wiki's campaigns and by someone else.
        for n, name in enumerate((PARTICIPANT, BYSTANDER, ACTIVE_USER, PARTICIPANT)):
            running.edit(SANDBOX, f"Edit {n} by {name}.", "Trying things", user=name)
        yield running


class Visit:
    """A browser context on the wiki that records every request to our service."""

    def __init__(
        self,
        browser: Browser,
        wiki: MediaWiki,
        service: Service,
        storage_state: StorageState | None = None,
    ) -> None:
        self.wiki, self.service = wiki, service
        self.context, self.page = clipboard_page(
            browser,
            wiki.url,
            width=1200,
            height=800,
            timeout_ms=TIMEOUT_MS,
            storage_state=storage_state,
        )
        self.requests: list[Request] = []
        self.failed: list[Request] = []
        self.errors: list[str] = []
        self.console: list[str] = []
        self.page.on("request", self._on_request)
        self.page.on("requestfailed", self._on_failed)
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("console", self._on_console)

    def _ours(self, request: Request) -> bool:
        return request.url.startswith(self.service.url + "/")

    def _on_request(self, request: Request) -> None:
        if self._ours(request):
            self.requests.append(request)

    def _on_failed(self, request: Request) -> None:
        if self._ours(request):
            self.failed.append(request)

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.location.get("url") == f"{self.wiki.url}/favicon.ico":
            return  # the test wiki has no favicon; browsers ask for one anyway
        self.console.append(f"{message.type}: {message.text}")

    def open(self, title: str, **params: str) -> Page:
        """Load a wiki page, and wait until it and anything the gadget asked are done."""
        self.requests.clear()
        self.failed.clear()
        self.service.received.clear()
        self.page.goto(self.wiki.page_url(title, **params))
        self.page.wait_for_load_state("networkidle")
        return self.page

    def open_with_gadget(self, title: str, module: str = GADGET, **params: str) -> Page:
        """Load a page on which the gadget must run, and wait until it ran and settled.

        ``module`` is the ResourceLoader module that carries the script: the
        gadget's, or ``user`` for a copy in the user's own common.js.
        """
        page = self.open(title, **params)
        page.wait_for_function(f"() => mw.loader.getState('{module}') === 'ready'")
        page.wait_for_load_state("networkidle")
        return page

    def service_paths(self) -> list[str]:
        """Paths of this page view's requests to our service, in order."""
        return [urlsplit(r.url).path for r in self.requests]

    def service_wikis(self) -> list[list[str]]:
        """The ``wiki`` parameters of each of this page view's requests to our service."""
        return [parse_qs(urlsplit(r.url).query).get("wiki", []) for r in self.requests]

    def check_no_credentials(self) -> None:
        """No request of this page view carried cookies or credentials, as sent and as received."""
        for request in self.requests:
            headers = request.all_headers()
            assert "cookie" not in headers, request.url
            assert "authorization" not in headers, request.url
        assert [path for path, _ in self.service.received] == self.service_paths()
        for path, names in self.service.received:
            assert not names & {"cookie", "authorization"}, path

    def check_no_errors(self) -> None:
        assert self.errors == []
        problems = [m for m in self.console if m.startswith("error:") or "Security Policy" in m]
        assert problems == []

    def close(self) -> None:
        self.context.close()


def log_in(page: Page, wiki: MediaWiki, username: str) -> None:
    """Log in through Special:UserLogin, as a person would."""
    page.goto(wiki.page_url("Special:UserLogin"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(wiki.password)
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()
    assert page.evaluate("mw.config.get('wgUserName')") == username


def enable_gadget(page: Page, wiki: MediaWiki, gadget: str = "outreach-staff") -> None:
    """Tick a gadget in Special:Preferences (its label: the description page) and save."""
    page.goto(wiki.page_url("Special:Preferences") + "#mw-prefsection-gadgets")
    title = "Course staff" if gadget == "outreach-staff" else PARTICIPANTS_TITLE
    box = page.get_by_label(documented_description(title))
    box.check()
    with page.expect_navigation():
        page.get_by_role("button", name="Save").click()
    assert page.evaluate(f"mw.user.options.get('gadget-{gadget}')") in ("1", 1)


@pytest.fixture(scope="module")
def patroller(browser: Browser, wiki: MediaWiki, service: Service) -> StorageState:
    """The storage state (session cookies) of a user who enabled the gadget."""
    visit = Visit(browser, wiki, service)
    try:
        log_in(visit.page, wiki, PATROLLER)
        enable_gadget(visit.page, wiki)
        return visit.context.storage_state()
    finally:
        visit.close()


@pytest.fixture
def visit(browser: Browser, wiki: MediaWiki, service: Service, patroller) -> Iterator[Visit]:
    """A visit as the logged-in patroller who enabled the gadget."""
    opened = Visit(browser, wiki, service, storage_state=patroller)
    yield opened
    opened.close()


@pytest.fixture
def anonymous(browser: Browser, wiki: MediaWiki, service: Service) -> Iterator[Visit]:
    opened = Visit(browser, wiki, service)
    yield opened
    opened.close()


def show_tools(page: Page, skin: str) -> None:
    """Open the menu that holds the Tools portlet where the skin hides it: Minerva's
    overflow menu of page actions. Other skins show their Tools as they are."""
    if skin == "minerva":
        page.locator(MINERVA_MORE).click()


def _status(name: str) -> str:
    return f"/api/users/{name.replace(' ', '_')}/status"


def _active_staff(name: str) -> str:
    return f"/api/users/{name.replace(' ', '_')}/active-staff"


# --- installation ---------------------------------------------------------------


def test_gadget_is_installed_as_gadget_md_says(wiki: MediaWiki, service: Service) -> None:
    def raw(title: str) -> str:
        answer = httpx.get(wiki.page_url(title, action="raw"), timeout=10)
        answer.raise_for_status()
        return answer.text

    for page in SERVED_PAGES:
        served = httpx.get(f"{service.url}/gadget/{page}", timeout=10).text
        assert raw(f"MediaWiki:Gadget-{page}").strip() == served.strip()
    assert raw("MediaWiki:Gadgets-definition").strip() == documented_definitions()
    assert raw("MediaWiki:Gadget-outreach-staff").strip() == documented_description()
    participants = raw("MediaWiki:Gadget-outreach-participants").strip()
    assert participants == documented_description(PARTICIPANTS_TITLE)
    # ResourceLoader accepts the scripts as they are (MediaWiki 1.39 validates them as
    # ES5, package gadgets included), and gives the participants gadget its JSON page.
    for module, text in ((GADGET, "outreach-staff-portlet"), (PARTICIPANTS_GADGET, "wikiedu:")):
        loaded = httpx.get(f"{wiki.url}/load.php", params={"modules": module}, timeout=10).text
        assert "parse error" not in loaded
        assert text in loaded
    assert '"outreach-staff.json"' in loaded  # the package's file, for require()


def test_wiki_sends_a_csp_that_allows_the_service_only_for_connections(
    wiki: MediaWiki, service: Service
) -> None:
    answer = httpx.get(wiki.page_url("Main Page"), timeout=10)
    policy = dict(
        directive.strip().split(" ", 1)
        for directive in answer.headers["content-security-policy"].split(";")
    )
    assert service.url in policy["default-src"].split()
    assert service.url not in policy["script-src"]
    assert "connect-src" not in policy  # so fetch() falls back to default-src


# --- a user in an active course -------------------------------------------------


PAGES: Final = (
    f"User:{ACTIVE_USER}",
    f"User talk:{ACTIVE_USER}",
    f"Special:Contributions/{ACTIVE_USER}",
)
#: Minerva renders its Tools (the overflow menu) only on user and user talk pages.
WITH_TOOLS: Final = [
    (title, skin)
    for skin in SKINS
    for title in PAGES
    if not (skin == "minerva" and title.startswith("Special:"))
]


@pytest.mark.parametrize(("title", "skin"), WITH_TOOLS)
def test_course_staff_dialog(
    visit: Visit, standin_server: StandinServer, wikiedu_upstream: Upstream, title, skin
) -> None:
    page = visit.open_with_gadget(title, useskin=skin)
    assert page.evaluate("mw.config.get('skin')") == skin
    expect(page.locator(f"#p-tb {LINK}")).to_have_count(1)  # in the skin's Tools
    show_tools(page, skin)
    link = page.get_by_role("link", name="Course staff", exact=True)
    expect(link).to_have_count(1)
    assert link.get_attribute("title") == "Staff of this user's active dashboard courses"
    link.click()

    dialog = page.get_by_role("dialog", name=f"Course staff of {ACTIVE_USER}")
    expect(dialog).to_be_visible()
    courses = dialog.locator(".outreach-staff-course")
    expect(courses).to_have_count(len(ACTIVE_COURSES))
    shown = {
        course.locator("h3").inner_text(): course.locator("li").all_inner_texts()
        for course in courses.all()
    }
    assert shown == ACTIVE_COURSES
    assert list(shown) == list(ACTIVE_COURSES)
    assert dialog.locator(".outreach-staff-school").all_inner_texts() == SCHOOLS
    assert dialog.locator(".outreach-staff-facts").all_inner_texts() == ACTIVE_FACTS
    # Each is labelled with its dashboard: one not known by name shows its host.
    outreach_host = urlsplit(standin_server.url).netloc
    labels = dialog.locator(".outreach-staff-dashboard").all_inner_texts()
    assert labels == [outreach_host] * len(ACTIVE_COURSES)

    # Course links lead to the courses' dashboard pages, which exist.
    for title_text, path in COURSE_PATHS.items():
        course_link = dialog.get_by_role("link", name=title_text)
        href = course_link.get_attribute("href")
        assert href == standin_server.url + path
        assert course_link.get_attribute("title") == f"The course on {outreach_host}"
        assert visit.context.request.get(href).status == 200
    # Staff links lead to their talk pages on this wiki.
    for name in ALL_STAFF:
        person = dialog.locator(".outreach-staff-person", has_text=name).first
        expected = page.evaluate("name => mw.util.getUrl('User talk:' + name)", name)
        assert person.get_attribute("href") == expected

    expect(dialog.locator("code")).to_have_text(PING)
    dialog.get_by_role("button", name="Copy ping for all staff").click()
    expect(dialog.get_by_role("status")).to_have_text(f"Copied to the clipboard: {PING}")
    assert page.evaluate("navigator.clipboard.readText()") == PING

    if title.startswith("User:"):
        OUTPUT.mkdir(exist_ok=True)
        page.screenshot(path=OUTPUT / f"mediawiki-{skin}-dialog.png")

    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    page.wait_for_load_state("networkidle")
    assert visit.service_paths() == [_status(ACTIVE_USER), _active_staff(ACTIVE_USER)]
    # Both requests name this wiki, which the second dashboard does not serve: not asked.
    assert visit.service_wikis() == [[_server_name(page)]] * 2
    assert wikiedu_upstream.total == 0
    assert visit.context.cookies(visit.service.url)  # the session cookie would qualify...
    visit.check_no_credentials()  # ...but the gadget sends none
    visit.check_no_errors()


def test_nowhere_to_show_it_nothing_is_asked(visit: Visit) -> None:
    # Minerva renders no Tools portlet on special pages (no page actions there), and
    # mw.util.addPortletLink returns null for a portlet that is not on the page: the
    # gadget, with nowhere to put its link, sends no request and adds nothing.
    page = visit.open_with_gadget(f"Special:Contributions/{ACTIVE_USER}", useskin="minerva")
    assert page.evaluate("mw.config.get('skin')") == "minerva"
    assert page.evaluate("mw.config.get('wgRelevantUserName')") == ACTIVE_USER
    assert page.locator("#p-tb").count() == 0
    assert page.evaluate("mw.util.addPortletLink('p-tb', '#', 'x')") is None
    expect(page.locator(LINK)).to_have_count(0)
    assert page.locator("[class*='outreach-staff'], [id*='outreach-staff']").count() == 0
    assert visit.service_paths() == []
    visit.check_no_errors()


def _server_name(page: Page) -> str:
    """The wiki's wgServerName, which MediaWiki takes from $wgServer (the wiki's URL)."""
    name = page.evaluate("mw.config.get('wgServerName')")
    assert isinstance(name, str)
    return name


def _active_courses(standin: StandinServer, username: str) -> dict[str, tuple[str, list[str]]]:
    """Title -> (slug, staff) of the user's courses active at FIXED_NOW in the stand-in's world."""
    world = standin.world
    found: dict[str, tuple[str, list[str]]] = {}
    for enrollment in world.visible_enrollments_of(username):
        course = world.course(enrollment.course_slug)
        assert course is not None
        if course.tracking_active(FIXED_NOW):
            staff = {e.username for e in world.roster(course.slug) if e.role >= ROLE_INSTRUCTOR}
            found[course.title] = (course.slug, sorted(staff))
    return found


@pytest.fixture
def wikiedu_serves_this_wiki(service: Service, wiki: MediaWiki) -> Iterator[str]:
    """The service restarted with ``wikiedu`` serving the test wiki too; undone after.

    Yields the wiki's server name: the host of its URL, as MediaWiki derives wgServerName.
    """
    server_name = urlsplit(wiki.url).hostname
    assert server_name is not None
    service.restart(dashboard_wikis=f"{WIKIEDU_WIKIS}|{server_name}")
    try:
        yield server_name
    finally:
        service.restart(dashboard_wikis=WIKIEDU_WIKIS)


def test_this_wiki_costs_the_second_dashboard_nothing(
    visit: Visit, upstream: Upstream, wikiedu_upstream: Upstream
) -> None:
    for title in (f"User:{ACTIVE_USER}", f"User:{NO_COURSES}"):
        page = visit.open_with_gadget(title)
        assert _server_name(page) == urlsplit(visit.wiki.url).hostname
        assert visit.service_wikis()  # the gadget asked...
        assert visit.service_wikis() == [[_server_name(page)]] * len(visit.requests)
    assert upstream.total > 0  # ...the first dashboard...
    assert wikiedu_upstream.total == 0  # ...and never the second
    visit.check_no_errors()


@pytest.mark.parametrize("skin", SKINS)
def test_courses_of_both_dashboards_where_both_serve_the_wiki(
    visit: Visit,
    standin_server: StandinServer,
    wikiedu_server: StandinServer,
    wikiedu_upstream: Upstream,
    wikiedu_serves_this_wiki: str,
    skin: str,
) -> None:
    page = visit.open_with_gadget(f"User:{ACTIVE_USER}", useskin=skin)
    show_tools(page, skin)
    page.locator(LINK).click()
    dialog = page.get_by_role("dialog", name=f"Course staff of {ACTIVE_USER}")
    expect(dialog).to_be_visible()
    expect(dialog.locator("p").first).to_have_text(
        f"Active dashboard courses of {ACTIVE_USER} and their staff:"
    )

    # The courses of each dashboard, from that dashboard's world, labelled and linked there.
    expected = []
    for standin in (standin_server, wikiedu_server):
        host = urlsplit(standin.url).netloc
        for title, (slug, staff) in _active_courses(standin, ACTIVE_USER).items():
            expected.append((host, title, slug, staff))
    shown = []
    for course in dialog.locator(".outreach-staff-course").all():
        link = course.locator(".outreach-staff-course-link")
        href = link.get_attribute("href")
        assert href is not None
        label = course.locator(".outreach-staff-dashboard").inner_text()
        parts = urlsplit(href)
        assert parts.netloc == label  # the label names the host the link goes to
        assert visit.context.request.get(href).status == 200  # a page that exists there
        slug = unquote(parts.path.removeprefix("/courses/"))
        staff = sorted(course.locator(".outreach-staff-person").all_inner_texts())
        shown.append((label, link.inner_text(), slug, staff))
    assert sorted(shown) == sorted(expected)
    # The stand-ins' documented worlds: docs/api.md's two Outreach courses, and the Wiki
    # Education class Ama Twohats is a student in, with its professor and Wiki Ed's staff.
    outreach_host = urlsplit(standin_server.url).netloc
    wikiedu_host = urlsplit(wikiedu_server.url).netloc
    assert [(label, title) for label, title, *_ in shown if label == outreach_host] == [
        (outreach_host, title) for title in ACTIVE_COURSES
    ]
    (wiki_ed,) = [course for course in shown if course[0] == wikiedu_host]
    assert wiki_ed[2] == CLASS_ACTIVE
    assert {PROFESSOR, WIKIED_STAFF} <= set(wiki_ed[3])
    # One ping for every staff member of every course, each once.
    ping = dialog.locator("code").inner_text()
    assert ping.startswith("{{ping|")
    assert ping.endswith("}}")
    params = ping.removeprefix("{{ping|").removesuffix("}}").split("|")
    numbers = [param.partition("=")[0] for param in params]
    assert numbers == [str(i) for i in range(1, len(params) + 1)]
    pinged = [param.partition("=")[2] for param in params]
    assert sorted(pinged) == sorted({n for *_, names in expected for n in names} - {ACTIVE_USER})

    OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=OUTPUT / f"mediawiki-{skin}-two-dashboards.png")

    page.keyboard.press("Escape")
    page.wait_for_load_state("networkidle")
    # Still one status request per page view, and one for the staff; both name the wiki.
    assert visit.service_paths() == [_status(ACTIVE_USER), _active_staff(ACTIVE_USER)]
    assert visit.service_wikis() == [[wikiedu_serves_this_wiki]] * 2
    assert wikiedu_upstream.total > 0
    visit.check_no_credentials()
    visit.check_no_errors()


def test_staff_link_opens_the_talk_page(visit: Visit) -> None:
    page = visit.open_with_gadget(f"User:{ACTIVE_USER}")
    page.locator(LINK).click()
    dialog = page.get_by_role("dialog")
    with page.expect_navigation():
        dialog.get_by_role("link", name="Old:Timer@Wiki").click()
    assert page.evaluate("mw.config.get('wgPageName')") == "User_talk:Old:Timer@Wiki"


@pytest.mark.parametrize("skin", SKINS)
def test_keyboard_and_screen_reader_basics(visit: Visit, skin) -> None:
    page = visit.open_with_gadget(f"User:{ACTIVE_USER}", useskin=skin)
    show_tools(page, skin)
    link = page.get_by_role("link", name="Course staff", exact=True)
    assert link.get_attribute("aria-haspopup") == "dialog"
    expect(link).to_have_attribute("aria-expanded", "false")
    link.focus()
    page.keyboard.press("Enter")

    dialog = page.get_by_role("dialog", name=f"Course staff of {ACTIVE_USER}")
    expect(dialog).to_be_visible()
    expect(dialog).to_be_focused()
    expect(dialog).to_have_attribute("aria-modal", "true")
    expect(link).to_have_attribute("aria-expanded", "true")
    expect(dialog.get_by_role("heading", name=f"Course staff of {ACTIVE_USER}")).to_be_visible()
    close = dialog.get_by_role("button", name="Close")
    copy = dialog.get_by_role("button", name="Copy ping for all staff")
    expect(close).to_be_visible()
    expect(copy).to_be_visible()

    # Tab stays inside the dialog: from the last control it wraps to the first.
    page.keyboard.press("Tab")
    expect(close).to_be_focused()
    copy.focus()
    page.keyboard.press("Tab")
    expect(close).to_be_focused()
    page.keyboard.press("Shift+Tab")
    expect(copy).to_be_focused()

    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    expect(link).to_be_focused()
    expect(link).to_have_attribute("aria-expanded", "false")
    visit.check_no_errors()


# --- nothing to show ------------------------------------------------------------


@pytest.mark.parametrize("user", [NO_COURSES, UNKNOWN])
def test_nothing_for_a_user_without_an_active_course(visit: Visit, user) -> None:
    page = visit.open_with_gadget(f"User:{user}")
    assert page.evaluate("mw.config.get('wgRelevantUserName')") == user
    expect(page.locator(LINK)).to_have_count(0)
    assert visit.service_paths() == [_status(user)]
    visit.check_no_credentials()
    visit.check_no_errors()


def test_no_request_for_an_ip(visit: Visit) -> None:
    page = visit.open_with_gadget(f"Special:Contributions/{IP}")
    assert page.evaluate("mw.config.get('wgRelevantUserName')") == IP
    expect(page.locator(LINK)).to_have_count(0)
    assert visit.service_paths() == []
    visit.check_no_errors()


def test_other_pages_cost_nothing(visit: Visit) -> None:
    # MediaWiki 1.39 does not know the definition's namespaces=, so the gadget loads
    # on every page there; on a page about no user it must do nothing.
    page = visit.open("Main Page")
    expect(page.locator(LINK)).to_have_count(0)
    assert visit.service_paths() == []
    visit.check_no_errors()


def test_service_down_leaves_the_page_alone(visit: Visit, service: Service) -> None:
    service.stop()
    try:
        page = visit.open_with_gadget(f"User:{ACTIVE_USER}")
    finally:
        service.start()
    expect(page.locator(LINK)).to_have_count(0)
    assert page.locator("[class*='outreach-staff'], [id*='outreach-staff']").count() == 0
    expect(page.locator("#firstHeading")).to_have_text(f"User:{ACTIVE_USER}")
    expect(page.locator("#t-contributions a")).to_be_visible()
    assert visit.service_paths() == [_status(ACTIVE_USER)]
    assert [r.url for r in visit.failed] == [r.url for r in visit.requests]
    assert visit.errors == []
    assert any("[outreach-staff]" in m for m in visit.console if m.startswith("warning:"))


# --- who gets the gadget --------------------------------------------------------


def test_anonymous_readers_do_not_get_the_gadget(anonymous: Visit) -> None:
    page = anonymous.open(f"User:{ACTIVE_USER}")
    assert page.evaluate("mw.config.get('wgUserName')") is None
    assert page.evaluate(f"mw.loader.getState('{GADGET}')") == "registered"
    expect(page.locator(LINK)).to_have_count(0)
    assert anonymous.service_paths() == []
    anonymous.check_no_errors()


def test_the_preference_turns_the_gadget_on(anonymous: Visit, wiki: MediaWiki) -> None:
    page = anonymous.page
    log_in(page, wiki, NEWCOMER)
    anonymous.open(f"User:{ACTIVE_USER}")
    assert page.evaluate(f"mw.loader.getState('{GADGET}')") == "registered"
    assert anonymous.service_paths() == []

    enable_gadget(page, wiki)
    anonymous.open_with_gadget(f"User:{ACTIVE_USER}")
    expect(page.locator(LINK)).to_have_count(1)
    assert anonymous.service_paths() == [_status(ACTIVE_USER), _active_staff(ACTIVE_USER)]
    anonymous.check_no_credentials()


# --- translation ----------------------------------------------------------------


@pytest.fixture
def translated(wiki: MediaWiki) -> Iterator[None]:
    """GADGET.md's i18n page, listed before the staff gadget's script and after the
    participants gadget's pages (a package runs only its first script); undone after."""
    definition = documented_definitions()
    summary = "Translate the outreach gadgets (GADGET.md)"
    wiki.edit("MediaWiki:Gadget-outreach-staff-i18n.js", documented_translation(), summary)
    staff = documented_definition("outreach-staff")
    participants = documented_definition("outreach-participants")
    with_i18n = "\n".join(
        [
            staff.replace("|outreach-staff.js", "|outreach-staff-i18n.js|outreach-staff.js"),
            participants + "|outreach-staff-i18n.js",
        ]
    )
    assert with_i18n.count("outreach-staff-i18n.js") == 2
    wiki.edit("MediaWiki:Gadgets-definition", with_i18n, summary)
    yield
    wiki.edit("MediaWiki:Gadgets-definition", definition, "Back to GADGET.md's definition")


def test_translation_set_through_mw_messages(visit: Visit, translated: None) -> None:
    page = visit.open_with_gadget(f"User:{ACTIVE_USER}", uselang="fr")
    # GADGET.md's French example; the messages it leaves out stay English.
    link = page.get_by_role("link", name="Encadrants du cours", exact=True)
    link.click()
    dialog = page.get_by_role("dialog", name=f"Encadrants des cours de {ACTIVE_USER}")
    expect(dialog).to_be_visible()
    expect(dialog.locator("code")).to_have_text(PING.replace("{{ping|", "{{notif|"))
    expect(dialog.get_by_role("button", name="Copy ping for all staff")).to_be_visible()
    assert visit.service_paths() == [_status(ACTIVE_USER), _active_staff(ACTIVE_USER)]
    visit.check_no_errors()


def test_the_participants_gadget_reads_the_same_translation(
    marking: Visit, translated: None
) -> None:
    # A package gadget runs only its first script, which require()s the page listed after.
    title, query = LISTS["history"]
    page = marking.open_with_gadget(title, module=PARTICIPANTS_GADGET, uselang="fr", **query)
    markers = page.locator(".outreach-participant-marker")
    expect(markers.first).to_have_text("cours")
    # The messages the example leaves out stay English.
    tooltip = markers.first.get_attribute("title")
    assert tooltip is not None
    assert tooltip.startswith("Active dashboard courses of ")
    marking.check_no_errors()


# --- a personal copy ------------------------------------------------------------


def test_a_personal_copy_in_common_js(browser: Browser, wiki: MediaWiki, service: Service) -> None:
    """GADGET.md's route for one user: the served script copied into their common.js."""
    script = httpx.get(f"{service.url}/gadget/outreach-staff.js", timeout=10).text
    wiki.edit(f"User:{OWN_COPY}/common.js", script, "My copy of outreach-staff", user=OWN_COPY)
    visit = Visit(browser, wiki, service)
    try:
        page = visit.page
        log_in(page, wiki, OWN_COPY)
        visit.open_with_gadget(f"User:{ACTIVE_USER}", module="user")
        assert page.evaluate(f"mw.loader.getState('{GADGET}')") == "registered"
        expect(page.locator(LINK)).to_have_count(1)
        assert visit.service_paths() == [_status(ACTIVE_USER), _active_staff(ACTIVE_USER)]
        visit.check_no_credentials()

        # With the gadget enabled as well, the script still runs once.
        enable_gadget(page, wiki)
        visit.open_with_gadget(f"User:{ACTIVE_USER}")
        page.wait_for_function("() => mw.loader.getState('user') === 'ready'")
        page.wait_for_load_state("networkidle")
        expect(page.locator(LINK)).to_have_count(1)
        assert visit.service_paths() == [_status(ACTIVE_USER), _active_staff(ACTIVE_USER)]
        visit.check_no_errors()
    finally:
        visit.close()


# --- the participants gadget ------------------------------------------------------


@pytest.fixture(scope="module")
def marker(browser: Browser, wiki: MediaWiki, service: Service) -> StorageState:
    """The storage state of a user who enabled the participants gadget (only that one)."""
    visit = Visit(browser, wiki, service)
    try:
        log_in(visit.page, wiki, MARKER)
        enable_gadget(visit.page, wiki, "outreach-participants")
        return visit.context.storage_state()
    finally:
        visit.close()


@pytest.fixture
def marking(browser: Browser, wiki: MediaWiki, service: Service, marker) -> Iterator[Visit]:
    """A visit as the logged-in user who enabled the participants gadget."""
    opened = Visit(browser, wiki, service, storage_state=marker)
    yield opened
    opened.close()


@pytest.fixture
def campaigns_page(wiki: MediaWiki) -> Iterator[MediaWiki]:
    """A test may save its own MediaWiki:Gadget-outreach-staff.json; put back after."""
    yield wiki
    wiki.edit(CAMPAIGNS_PAGE, CAMPAIGNS_JSON, "Back to the test wiki's campaigns")


def _participants(dashboard: str, campaign: str) -> str:
    """The gadget's request for a campaign, as path and query."""
    return f"/api/campaigns/{campaign}/participants?dashboard={dashboard}"


def _requests(visit: Visit) -> list[str]:
    """This page view's requests to our service, as path and query, sorted."""
    return sorted(f"{urlsplit(r.url).path}?{urlsplit(r.url).query}" for r in visit.requests)


def _tooltips(
    standins: dict[str, StandinServer],
    *users: str,
    campaigns: tuple[tuple[str, str], ...] = CAMPAIGNS,
) -> dict[str, str]:
    """Each user's marker tooltip as GADGET.md shows it, from the stand-ins' worlds: their
    courses active at FIXED_NOW in each campaign, in the campaigns' order, by title."""
    tooltips = {}
    for user in users:
        lines = []
        for dashboard, campaign in campaigns:
            world = standins[dashboard].world
            host = urlsplit(standins[dashboard].url).netloc
            found = world.campaign(campaign)
            assert found is not None
            courses = []
            for slug in found.course_slugs:
                course = world.course(slug)
                assert course is not None
                if course.private or course.broken or not course.tracking_active(FIXED_NOW):
                    continue
                roles = [e.role for e in world.roster(slug) if e.username == user]
                if roles:
                    role = ROLE_BY_LEVEL[max(roles)].value.replace("_", " ")
                    courses.append(f"{course.title}: {role}, {host}")
            lines += sorted(courses)
        assert lines, user
        tooltips[user] = "\n".join([f"Active dashboard courses of {user}:", *lines])
    return tooltips


def _check_marks(page: Page, tooltips: dict[str, str]) -> dict[str, int]:
    """Every user link on the page is marked, once, exactly when its user is a participant,
    with the tooltip expected; how many links of each user there are."""
    links = page.locator("a.mw-userlink").evaluate_all(
        """links => links.map(a => {
            const next = a.nextSibling && a.nextSibling.nodeType === 1 ? a.nextSibling : null;
            return {
                name: a.textContent,
                marked: a.classList.contains('outreach-participant'),
                marker: Boolean(next && next.className === 'outreach-participant-marker'),
                title: next && next.getAttribute('title'),
                text: next && next.textContent,
            };
        })"""
    )
    seen: dict[str, int] = {}
    for link in links:
        name = link["name"]
        seen[name] = seen.get(name, 0) + 1
        if name in tooltips:
            assert (link["marked"], link["marker"]) == (True, True), link
            assert (link["title"], link["text"]) == (tooltips[name], "course"), link
        else:
            assert (link["marked"], link["marker"]) == (False, False), link
    markers = page.locator(".outreach-participant-marker")
    assert markers.count() == sum(n for name, n in seen.items() if name in tooltips)
    return seen


@pytest.mark.parametrize("skin", SKINS)
@pytest.mark.parametrize("listing", list(LISTS))
def test_participants_are_marked_in_lists_of_edits(
    marking: Visit,
    standin_server: StandinServer,
    wikiedu_server: StandinServer,
    listing: str,
    skin: str,
) -> None:
    title, query = LISTS[listing]
    page = marking.open_with_gadget(title, module=PARTICIPANTS_GADGET, useskin=skin, **query)
    assert page.evaluate("mw.config.get('skin')") == skin
    standins = {"outreach": standin_server, "wikiedu": wikiedu_server}
    tooltips = _tooltips(standins, PARTICIPANT, ACTIVE_USER)
    expect(page.locator(".outreach-participant-marker").first).to_be_visible()
    seen = _check_marks(page, tooltips)
    # Both participants' edits and the bystander's are listed; only theirs are marked.
    assert seen.get(PARTICIPANT, 0) >= 2
    assert seen.get(ACTIVE_USER, 0) >= 1
    assert seen.get(BYSTANDER, 0) >= 1
    # Ama Twohats is in three courses of the two campaigns: each has its line.
    assert tooltips[ACTIVE_USER].count("\n") == 3

    # Recent changes group the sandbox's edits by page (the default): open the group, so
    # that the screenshot shows each edit's marks as well as the group's list of editors.
    group = page.locator("table.mw-enhanced-rc.mw-collapsible", has_text=SANDBOX)
    if listing == "recentchanges" and group.count():
        group.locator(".mw-enhancedchanges-arrow").first.click()
        nested = group.locator("tr.mw-rcfilters-ui-highlights-enhanced-nested", has_text=BYSTANDER)
        expect(nested.first).to_be_visible()
    OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=OUTPUT / f"mediawiki-{skin}-{listing}-participants.png", full_page=True)

    # One request per campaign for this page view, nothing about any user.
    assert _requests(marking) == sorted(_participants(d, c) for d, c in CAMPAIGNS)
    marking.check_no_credentials()
    marking.check_no_errors()


@pytest.mark.parametrize(("skin", "how"), [("vector", "new changes"), ("monobook", "live")])
def test_rows_that_come_later_are_marked(
    marking: Visit,
    standin_server: StandinServer,
    wikiedu_server: StandinServer,
    skin: str,
    how: str,
) -> None:
    # The structured filters replace the list without loading the page: "View new
    # changes" once they saw a newer edit, or at once with live updates on.
    title, query = LISTS["recentchanges"]
    page = marking.open_with_gadget(title, module=PARTICIPANTS_GADGET, useskin=skin, **query)
    expect(page.locator(".outreach-participant-marker").first).to_be_visible()
    if how == "live":
        page.locator(".mw-rcfilters-ui-liveUpdateButtonWidget a").click()
    time.sleep(1.1)  # edits are stamped to the second: the new one must come after the list
    summary = f"Later, in {skin}"
    marking.wiki.edit(SANDBOX, f"A later edit, in {skin}.", summary, user=PARTICIPANT)
    if how == "new changes":
        button = page.locator(".mw-rcfilters-ui-filterWrapperWidget-showNewChanges a")
        button.click(timeout=20_000)  # the filters look for newer edits every 3 s
    # A row of its own (li), or in "group changes by page" (the default) a nested row (tr).
    row = page.locator(".mw-changeslist li, .mw-changeslist tr", has_text=summary)
    expect(row).to_have_count(1, timeout=20_000)
    expect(row.locator("a.mw-userlink.outreach-participant")).to_have_text(PARTICIPANT)
    expect(row.locator(".outreach-participant-marker")).to_have_count(1)
    standins = {"outreach": standin_server, "wikiedu": wikiedu_server}
    _check_marks(page, _tooltips(standins, PARTICIPANT, ACTIVE_USER))
    # The new list cost the service nothing: still one request per campaign.
    page.wait_for_load_state("networkidle")
    assert _requests(marking) == sorted(_participants(d, c) for d, c in CAMPAIGNS)
    marking.check_no_errors()


def test_no_campaign_named_no_request(marking: Visit, campaigns_page: MediaWiki) -> None:
    campaigns_page.edit(CAMPAIGNS_PAGE, json.dumps({"campaigns": []}), "No campaign")
    title, query = LISTS["recentchanges"]
    page = marking.open_with_gadget(title, module=PARTICIPANTS_GADGET, **query)
    assert page.locator("a.mw-userlink").count() > 0
    expect(page.locator(".outreach-participant-marker")).to_have_count(0)
    assert page.locator(".outreach-participant").count() == 0
    assert marking.service_paths() == []
    marking.check_no_errors()


def test_entries_that_are_no_campaigns_are_skipped(
    marking: Visit, standin_server: StandinServer, campaigns_page: MediaWiki
) -> None:
    entries: list[object] = [
        f"outreach:{NORMAL_CAMPAIGN}",
        "nocolon",
        42,
        "Outreach:upper_case_dashboard",
        f"outreach:{NORMAL_CAMPAIGN.upper()}",  # the same campaign: read once
        "outreach:no such!",
    ]
    campaigns_page.edit(CAMPAIGNS_PAGE, json.dumps({"campaigns": entries}), "Odd campaigns")
    page = marking.open_with_gadget(SANDBOX, module=PARTICIPANTS_GADGET, action="history")
    expect(page.locator(".outreach-participant-marker").first).to_be_visible()
    # Only the Outreach campaign's courses: Ama Twohats' Wiki Education class is not named.
    outreach = (("outreach", NORMAL_CAMPAIGN),)
    tooltips = _tooltips({"outreach": standin_server}, PARTICIPANT, ACTIVE_USER, campaigns=outreach)
    assert tooltips[ACTIVE_USER].count("\n") == 2  # her two Outreach courses
    _check_marks(page, tooltips)
    assert _requests(marking) == [_participants("outreach", NORMAL_CAMPAIGN)]
    skipped = [m for m in marking.console if "[outreach-participants] skipped" in m]
    assert len(skipped) == 4, marking.console
    marking.check_no_errors()


def test_a_personal_copy_reads_the_campaigns_through_api_php(
    browser: Browser,
    wiki: MediaWiki,
    service: Service,
    standin_server: StandinServer,
    wikiedu_server: StandinServer,
) -> None:
    """GADGET.md: a copy in common.js has no package, so it asks api.php for the JSON page."""
    for page_name, own in (("js", "common.js"), ("css", "common.css")):
        served = httpx.get(f"{service.url}/gadget/outreach-participants.{page_name}", timeout=10)
        wiki.edit(f"User:{OWN_MARKER}/{own}", served.text, "My copy", user=OWN_MARKER)
    visit = Visit(browser, wiki, service)
    asked: list[Request] = []
    visit.page.on(
        "request",
        lambda r: asked.append(r) if "outreach-staff.json" in unquote(r.url) else None,
    )
    try:
        log_in(visit.page, wiki, OWN_MARKER)
        title, query = LISTS["recentchanges"]
        asked.clear()
        page = visit.open_with_gadget(title, module="user", **query)
        expect(page.locator(".outreach-participant-marker").first).to_be_visible()
        standins = {"outreach": standin_server, "wikiedu": wikiedu_server}
        _check_marks(page, _tooltips(standins, PARTICIPANT, ACTIVE_USER))
        # Its styles came from common.css.
        assert (
            page.locator(".outreach-participant-marker").first.evaluate(
                "m => getComputedStyle(m).borderStyle"
            )
            == "solid"
        )
        # One request to the wiki for the campaigns, cacheable, without cookies...
        (config,) = asked
        parts = urlsplit(config.url)
        assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"{wiki.url}/api.php"
        assert parse_qs(parts.query)["maxage"] == parse_qs(parts.query)["smaxage"] == ["300"]
        assert "cookie" not in config.all_headers()
        # ...and one per campaign to the service.
        assert _requests(visit) == sorted(_participants(d, c) for d, c in CAMPAIGNS)
        visit.check_no_credentials()
        visit.check_no_errors()
    finally:
        visit.close()
