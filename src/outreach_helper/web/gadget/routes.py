"""Serving the MediaWiki gadget, and in development its demo page.

``GET /gadget/outreach-staff.js`` is the gadget with this service's public
base URL (``OUTREACH_PUBLIC_URL``) filled in, so a wiki can copy it as it is
(copy, never load it from here: see GADGET.md). Nothing about the dashboards
is: every course in the service's answers carries its own dashboard and page
URL, so the script is the same whichever dashboards the service asks. The
script is public and cached by anyone, so nothing in it comes from the request
that fetched it: without ``OUTREACH_PUBLIC_URL`` its API base is ``null``, and
the gadget does nothing until a wiki sets ``mw.config`` ``outreachStaffApi``.
``GET /gadget/GADGET.md`` is its guide for the wikis' interface administrators
(the repository's GADGET.md, as plain text), so whoever copies the script
from here finds how to install it here too.
With ``demo``, ``GET /gadget/demo?user=NAME&wiki=SERVER_NAME`` shows the gadget
working on a pretend user page of that wiki, through a minimal ``mw`` shim,
against this service. None of this is part of the API: the routes stay out of
the OpenAPI schema.
"""

from __future__ import annotations

import hashlib
import html
import json
from functools import cache
from importlib.resources import files
from string import Template
from typing import Final
from urllib.parse import quote

from fastapi import FastAPI, Request
from starlette.responses import HTMLResponse, Response

from outreach_helper.dashboards import canonical_wiki

__all__ = ["API_PLACEHOLDER", "DEMO_WIKI", "add_gadget_routes", "js_string"]

#: Where the served script gets its API base; valid JavaScript (``null``) as it stands.
API_PLACEHOLDER: Final = "/*@OUTREACH_API_BASE@*/null"

JAVASCRIPT: Final = "text/javascript; charset=utf-8"
TEXT: Final = "text/plain; charset=utf-8"
#: The installation guide, the repository's GADGET.md (a link to it in the package).
GUIDE: Final = "GADGET.md"
SCRIPT_CACHE: Final = "public, max-age=3600"
DEMO_CACHE: Final = "no-cache"
#: ``wgNamespaceIds`` of an English wiki with MediaWiki's default namespaces (its
#: canonical names and the ``Image`` aliases), as the demo page's ``mw.config`` has it.
DEMO_NAMESPACE_IDS: Final = {
    "media": -2,
    "special": -1,
    "": 0,
    "talk": 1,
    "user": 2,
    "user_talk": 3,
    "project": 4,
    "project_talk": 5,
    "file": 6,
    "file_talk": 7,
    "image": 6,
    "image_talk": 7,
    "mediawiki": 8,
    "mediawiki_talk": 9,
    "template": 10,
    "template_talk": 11,
    "help": 12,
    "help_talk": 13,
    "category": 14,
    "category_talk": 15,
}
DEMO_VIEWS: Final = ("user", "talk", "contributions")
#: The wiki the demo page plays by default (its ``wgServerName``): by default
#: both dashboards serve it, so the demo shows courses from each.
DEMO_WIKI: Final = "en.wikipedia.org"


@cache
def _asset(name: str) -> str:
    return files("outreach_helper.web.gadget").joinpath(name).read_text(encoding="utf-8")


def js_string(value: str) -> str:
    """``value`` as a JavaScript string literal, safe inside a script or an HTML <script>."""
    literal = json.dumps(value)  # ASCII only, so U+2028/U+2029 are escaped too
    return literal.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _script_json(value: object) -> str:
    """JSON that cannot end the <script> element it sits in."""
    text = json.dumps(value, ensure_ascii=True)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def render_gadget(api_base: str | None) -> str:
    """The gadget script with the API base URL filled in; ``None`` leaves it ``null``."""
    source = _asset("outreach-staff.js")
    if source.count(API_PLACEHOLDER) != 1:
        msg = f"outreach-staff.js must hold {API_PLACEHOLDER} exactly once"
        raise RuntimeError(msg)
    api = js_string(api_base.rstrip("/")) if api_base else "null"
    return source.replace(API_PLACEHOLDER, api)


def _script_response(
    request: Request, body: str, cache_control: str, media_type: str = JAVASCRIPT
) -> Response:
    data = body.encode()
    etag = '"' + hashlib.sha256(data).hexdigest()[:32] + '"'
    headers = {
        "Cache-Control": cache_control,
        "ETag": etag,
        "X-Content-Type-Options": "nosniff",
    }
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    return Response(data, media_type=media_type, headers=headers)


def _demo_page(name: str, view: str, wiki: str) -> dict[str, object]:
    """The ``mw.config`` MediaWiki gives the page of user ``name`` seen in ``view`` on ``wiki``.

    Without a name the page is about nobody (a blank special page), so the
    gadget, which acts only on pages about one user, stays out of sight.
    """
    dbkey = name.replace(" ", "_")
    special: str | bool = False  # wgCanonicalSpecialPageName is false outside Special:
    if not name:
        namespace, canonical, special, page = -1, "Special", "Blankpage", "Special:BlankPage"
    elif view == "talk":
        namespace, canonical, page = 3, "User_talk", f"User_talk:{dbkey}"
    elif view == "contributions":
        namespace, canonical, special = -1, "Special", "Contributions"
        page = f"Special:Contributions/{dbkey}"
    else:
        namespace, canonical, page = 2, "User", f"User:{dbkey}"
    return {
        "wgArticlePath": "/wiki/$1",
        "wgCanonicalNamespace": canonical,
        "wgCanonicalSpecialPageName": special,
        "wgNamespaceIds": DEMO_NAMESPACE_IDS,
        "wgNamespaceNumber": namespace,
        "wgPageName": page,
        "wgRelevantUserName": name or None,
        "wgServerName": wiki,
        "wgTitle": page.partition(":")[2].replace("_", " "),
        "wgUserLanguage": "en",
    }


def demo_wiki(wiki: str) -> str:
    """The wiki a demo page plays: ``wiki`` as a server name, or ``DEMO_WIKI`` if it is none."""
    return canonical_wiki(wiki) or DEMO_WIKI


def render_demo(user: str, view: str, wiki: str = DEMO_WIKI) -> str:
    """The demo page for ``user`` on ``wiki``, seen as their user page, talk page or contributions.

    The page asks for the name in a text box rather than offering a list: the
    service knows no users of its own, and the demo must work against any
    dashboard (the stand-in lists its invented users at ``/__standin/world``).
    """
    name = " ".join(user.replace("_", " ").split())[:255]
    wiki = demo_wiki(wiki)
    config = _demo_page(name, view, wiki)
    page = str(config["wgPageName"])
    if name:
        intro = (
            f"This stands for the page of the user <strong>{html.escape(name)}</strong> "
            f"on <strong>{html.escape(wiki)}</strong>. "
            "If they are enrolled in an active course, the gadget adds "
            "<em>Course staff</em> to the tools."
        )
    else:
        intro = "Type a username above to see the gadget on the page of that user."
    contributions = (
        f"?user={html.escape(quote(name.replace(' ', '_')))}"
        f"&amp;view=contributions&amp;wiki={html.escape(quote(wiki))}"
    )
    return Template(_asset("demo.html")).substitute(
        page_title=html.escape(page.replace("_", " ")),
        user_name=html.escape(name),
        view=html.escape(view),
        wiki=html.escape(wiki),
        intro=intro,
        config_json=_script_json(config),
        contributions_href=contributions,
    )


def add_gadget_routes(app: FastAPI, *, public_url: str | None, demo: bool) -> None:
    """Serve the gadget at ``/gadget/outreach-staff.js`` and its installation guide at
    ``/gadget/GADGET.md``; with ``demo``, its demo page too.

    The script calls the API at ``public_url`` (set it in production: the
    service's public address). Without it the script's API base is ``null``:
    never the request's Host or X-Forwarded-* headers, which whoever fetches
    the script controls, and which a shared cache would then serve to everyone.
    """

    @app.get("/gadget/outreach-staff.js", include_in_schema=False)
    async def gadget_script(request: Request) -> Response:
        body = render_gadget(public_url)
        return _script_response(request, body, SCRIPT_CACHE)

    @app.get("/gadget/" + GUIDE, include_in_schema=False)
    async def gadget_guide(request: Request) -> Response:
        return _script_response(request, _asset(GUIDE), SCRIPT_CACHE, TEXT)

    if not demo:
        return

    @app.get("/gadget/mw-shim.js", include_in_schema=False)
    async def gadget_shim(request: Request) -> Response:
        return _script_response(request, _asset("mw-shim.js"), DEMO_CACHE)

    @app.get("/gadget/demo", include_in_schema=False)
    async def gadget_demo(user: str = "", view: str = "user", wiki: str = "") -> HTMLResponse:
        page = render_demo(user, view if view in DEMO_VIEWS else "user", wiki)
        return HTMLResponse(page, headers={"Cache-Control": DEMO_CACHE})
