"""The API's documentation page: served by us, and nothing loaded from any other host.

docs/security.md ("API documentation from our own origin") says ``/docs``
(Swagger UI) loads its code, styles and icon from this service alone, and that
there is no ``/redoc``.
The service runs on a real loopback socket; the browser test opens the page
in Debian's Chromium and reads every request from the browser's own network
log. Swagger UI exempts hosts named ``localhost`` and ``127.0.0.1`` from its
third-party validator, so the server listens on 127.0.0.2: the page behaves
as it would on a public host.
Without Chromium the browser test skips and says why (under ``CI=true`` it fails).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Final
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Route, expect

from outreach_helper.app import create_app
from outreach_standin.server import BackgroundServer
from tests.support.clocks import FakeClock
from tests.support.service import SettingsFactory

#: Not 127.0.0.1 or localhost, which Swagger UI treats as "do not call the validator".
HOST: Final = "127.0.0.2"
TIMEOUT_MS: Final = 10_000
#: An operation of the API, as docs/api.md documents it.
OPERATION: Final = "/api/users/{username}"
#: Any absolute or scheme-relative URL in an attribute of a page.
EXTERNAL: Final = re.compile(r"""(?:src|href|url)\s*=\s*["']?\s*(?:[a-z][a-z0-9+.-]*:)?//""", re.I)


@pytest.fixture
def docs_server(make_settings: SettingsFactory, clock: FakeClock) -> Iterator[str]:
    app = create_app(make_settings(access_log=False), clock=clock)
    with BackgroundServer(app, host=HOST, lifespan="on") as server:
        yield server.url


# --- served over HTTP, no browser ------------------------------------------------


def test_docs_page_names_no_other_host(docs_server: str) -> None:
    page = httpx.get(docs_server + "/docs")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "://" not in page.text
    assert not EXTERNAL.search(page.text)
    assert "<script>" not in page.text  # no inline script: the policy below allows none
    policy = page.headers["content-security-policy"]
    assert "default-src 'none'" in policy
    assert "script-src 'self';" in policy
    assert "connect-src 'self';" in policy


def test_docs_assets_are_ours(docs_server: str) -> None:
    page = httpx.get(docs_server + "/docs").text
    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert assets  # the stylesheet, the icon and the scripts
    for path in assets:
        assert path.startswith("/docs/assets/"), path
        answer = httpx.get(docs_server + path)
        assert answer.status_code == 200, path
        assert answer.headers["x-content-type-options"] == "nosniff"
        again = httpx.get(docs_server + path, headers={"If-None-Match": answer.headers["etag"]})
        assert again.status_code == 304


def test_only_listed_assets_are_served(docs_server: str) -> None:
    for path in ("/docs/assets/LICENSE", "/docs/assets/..%2Fdocs.py", "/docs/assets/core.py"):
        answer = httpx.get(docs_server + path)
        assert answer.status_code == 404, path
        assert answer.headers["content-type"] == "application/problem+json"


def test_openapi_stays_at_its_address(docs_server: str) -> None:
    schema = httpx.get(docs_server + "/openapi.json").json()
    assert OPERATION in schema["paths"]
    assert not [p for p in schema["paths"] if p.startswith(("/docs", "/redoc"))]


def test_there_is_no_redoc_page(docs_server: str) -> None:
    assert httpx.get(docs_server + "/redoc").status_code == 404


# --- in a real browser -------------------------------------------------------------


class Recorded:
    """A browser context that logs every request, and never lets one leave loopback."""

    def __init__(self, browser: Browser, origin: str) -> None:
        self.origin = origin
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.context: BrowserContext = browser.new_context()
        self.context.set_default_timeout(TIMEOUT_MS)
        self.context.on("request", lambda request: self.requests.append(request.url))
        self.context.route("**/*", self._guard)
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)

    def _guard(self, route: Route) -> None:
        if _origin(route.request.url) == self.origin:
            route.continue_()
        else:
            route.abort()  # logged above all the same; the test then fails on it

    def elsewhere(self) -> list[str]:
        return [url for url in self.requests if _origin(url) != self.origin]

    def close(self) -> None:
        self.context.close()


def _origin(url: str) -> str:
    """The origin a request goes to; a blob: URL belongs to the origin that made it."""
    if url.startswith("blob:"):
        url = url.removeprefix("blob:")
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@pytest.fixture
def recorded(browser: Browser, docs_server: str) -> Iterator[Recorded]:
    session = Recorded(browser, docs_server)
    yield session
    session.close()


def test_swagger_ui_renders_the_api_from_our_origin_alone(
    recorded: Recorded, docs_server: str
) -> None:
    page = recorded.page
    page.goto(docs_server + "/docs")
    operation = page.locator(f'.opblock-summary-path[data-path="{OPERATION}"]')
    expect(operation).to_be_visible()
    operation.click()  # open it: its parameters render too
    expect(page.locator(".opblock.is-open .parameters-container")).to_be_visible()
    page.wait_for_load_state("networkidle")

    assert recorded.elsewhere() == []
    assert docs_server + "/openapi.json" in recorded.requests
    assert docs_server + "/docs/assets/swagger-ui-bundle.js" in recorded.requests
    assert recorded.errors == []  # a CSP violation would be reported here
