"""Pages made from templates, and the files they load, all from our own origin.

Templates are Jinja2 with autoescape on for every template and undefined
values refused, so a name or title from a dashboard is text wherever it
lands, whatever it holds (``&``, ``<``, quotes), and a template cannot
quietly print nothing. Every page is sent with a Content-Security-Policy
that lets the browser load styles, the one script and images from this
origin alone, and run no inline script: nothing reaches another host, as
the Wikimedia Cloud Services terms of use ask of a tool, and a name that
slipped through escaping could not run anyway.

The files the pages load (``static/``: the vendored Codex design tokens,
our stylesheet, the copy button's script, the icon) are served from a fixed
list, each under a URL holding its content's hash, so they can be cached
for a year and a new release is fetched at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any, Final

from jinja2 import Environment, PackageLoader, StrictUndefined

from outreach_helper.answers.freshness import Freshness
from outreach_helper.web.responses import PackagedFile, RawHeaders, Rendered, strong_etag

STATIC_PATH: Final = "/static"
HTML: Final = "text/html; charset=utf-8"

#: Same origin only, and no inline script or style: the pages need nothing else.
PAGE_CSP: Final = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "form-action 'self'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    )
)
#: Headers every page is sent with. No referrer: a link to a wiki must not tell it
#: which user's page the reader came from.
PAGE_HEADERS: Final[RawHeaders] = [
    (b"content-security-policy", PAGE_CSP.encode()),
    (b"referrer-policy", b"no-referrer"),
    (b"x-content-type-options", b"nosniff"),
]

_CSS: Final = "text/css; charset=utf-8"
#: Every file under STATIC_PATH: its place in ``static/`` and its media type.
STATIC_FILES: Final[dict[str, tuple[str, str]]] = {
    "codex-tokens.css": ("codex/theme-wikimedia-ui.css", _CSS),
    "codex-tokens-dark.css": ("codex/theme-wikimedia-ui-mode-dark.css", _CSS),
    "page.css": ("page.css", _CSS),
    "copy.js": ("copy.js", "text/javascript; charset=utf-8"),
    "icon.svg": ("icon.svg", "image/svg+xml"),
}
STATIC_CACHE: Final = "public, max-age=31536000, immutable"


@dataclass(frozen=True, slots=True)
class StaticFile(PackagedFile):
    """A file the pages load, served under a URL holding its version."""

    @property
    def version(self) -> str:
        return self.etag.strip('"')[:12]


def static_file(name: str) -> StaticFile | None:
    """One file the pages load, read once; None for a name not on the list.

    The name comes from the URL: only listed names reach the memo, so made-up
    names cannot grow it.
    """
    return _read_static(name) if name in STATIC_FILES else None


@cache
def _read_static(name: str) -> StaticFile:
    place, media_type = STATIC_FILES[name]
    body = files("outreach_helper.web.pages").joinpath("static", *place.split("/")).read_bytes()
    return StaticFile(body, media_type, strong_etag(body))


def static_url(name: str) -> str:
    """Where a page loads ``name`` from: its content's hash in the URL, so that a
    year-long cache never serves an old release's copy."""
    found = static_file(name)
    if found is None:
        raise KeyError(name)
    return f"{STATIC_PATH}/{name}?v={found.version}"


@cache
def environment() -> Environment:
    """The templates, autoescaped, with undefined values an error."""
    env = Environment(
        loader=PackageLoader("outreach_helper.web.pages", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["static_url"] = static_url
    return env


def html(template: str, **context: Any) -> bytes:
    """A template rendered with ``context``, as UTF-8."""
    return environment().get_template(template).render(**context).encode()


def rendered_page(body: bytes, freshness: Freshness, *, partial: bool) -> Rendered:
    """A page kept and served as an answer is: hot copy, ETag, cache headers, 304."""
    return Rendered(
        body,
        strong_etag(body),
        freshness,
        partial=partial,
        media_type=HTML.encode(),
        extra=PAGE_HEADERS,
    )
