"""Serving the MediaWiki gadgets, and in development their demo page.

``GET /gadget/NAME`` serves each page a wiki copies (``GADGET_FILES``): the
scripts ``outreach-staff.js`` (the course staff of a user) and
``outreach-participants.js`` (course participants marked in lists of edits),
with this service's public base URL (``OUTREACH_PUBLIC_URL``) filled in, and
the style sheet ``outreach-participants.css``. A wiki copies them as they are
(copy, never load them from here: see GADGET.md). Nothing about the dashboards
is in them: every course in the service's answers carries its own dashboard
and page URL, so the scripts are the same whichever dashboards the service
asks. They are public and cached by anyone, so nothing in them comes from the
request that fetched them: without ``OUTREACH_PUBLIC_URL`` their API base is
``null``, and the gadgets do nothing until a wiki sets ``mw.config``
``outreachStaffApi``. With ``demo``, ``GET /gadget/demo?user=NAME&wiki=SERVER_NAME``
shows the gadgets working on a pretend page of that wiki (a user page, or a
list of edits with ``view=recentchanges`` or ``view=history`` and the wiki's
``config=`` JSON page), through a minimal ``mw`` shim, against this service.
``GET /gadget/GADGET.md`` is their guide for the wikis' interface
administrators (the repository's GADGET.md, as plain text), so whoever copies
the scripts from here finds how to install them here too. None of this is part
of the API: the routes stay out of the OpenAPI schema.
"""

from __future__ import annotations

import hashlib
import html
import json
from collections.abc import Awaitable, Callable
from functools import cache
from importlib.resources import files
from string import Template
from typing import Final
from urllib.parse import quote

from fastapi import FastAPI, Request
from starlette.responses import HTMLResponse, Response

from outreach_helper.dashboards import canonical_wiki

__all__ = ["API_PLACEHOLDER", "DEMO_WIKI", "GADGET_FILES", "add_gadget_routes", "js_string"]

#: Where a served script gets its API base; valid JavaScript (``null``) as it stands.
API_PLACEHOLDER: Final = "/*@OUTREACH_API_BASE@*/null"

JAVASCRIPT: Final = "text/javascript; charset=utf-8"
CSS: Final = "text/css; charset=utf-8"
#: Every page of the gadgets a wiki copies, by the name GADGET.md's definition lines give
#: it (``MediaWiki:Gadget-NAME``), and its media type: each is served at ``/gadget/NAME``.
GADGET_FILES: Final = {
    "outreach-staff.js": JAVASCRIPT,
    "outreach-participants.js": JAVASCRIPT,
    "outreach-participants.css": CSS,
}
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
DEMO_VIEWS: Final = ("user", "talk", "contributions", "recentchanges", "history")
#: Views that list edits: their ``user`` is a list of names, one row each, ``|`` between.
DEMO_LISTS: Final = ("recentchanges", "history")
#: The page whose history the demo's history view plays.
DEMO_HISTORY_PAGE: Final = "Sandbox"
#: An unregistered editor's row in the demo's lists (an address for documentation).
DEMO_IP: Final = "192.0.2.44"
#: What ResourceLoader gives a package for a JSON page that is not JSON.
INVALID_JSON: Final = {"error": "Invalid JSON"}
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


def render_gadget(api_base: str | None, name: str = "outreach-staff.js") -> str:
    """The gadget page ``name`` as served: a script with the API base URL filled in
    (``None`` leaves it ``null``), a style sheet as it is."""
    source = _asset(name)
    if GADGET_FILES[name] != JAVASCRIPT:
        return source
    if source.count(API_PLACEHOLDER) != 1:
        msg = f"{name} must hold {API_PLACEHOLDER} exactly once"
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
    """The ``mw.config`` MediaWiki gives the page of user ``name`` seen in ``view`` on ``wiki``,
    or the list of edits of ``view`` (recent changes, a page's history).

    Without a name a user view is about nobody (a blank special page), so the
    staff gadget, which acts only on pages about one user, stays out of sight.
    """
    dbkey = name.replace(" ", "_")
    special: str | bool = False  # wgCanonicalSpecialPageName is false outside Special:
    action, relevant = "view", name or None
    if view == "recentchanges":
        namespace, canonical, special, page = (
            -1,
            "Special",
            "Recentchanges",
            "Special:RecentChanges",
        )
        relevant = None
    elif view == "history":
        namespace, canonical, page, action = 0, "", DEMO_HISTORY_PAGE, "history"
        relevant = None
    elif not name:
        namespace, canonical, special, page = -1, "Special", "Blankpage", "Special:BlankPage"
    elif view == "talk":
        namespace, canonical, page = 3, "User_talk", f"User_talk:{dbkey}"
    elif view == "contributions":
        namespace, canonical, special = -1, "Special", "Contributions"
        page = f"Special:Contributions/{dbkey}"
    else:
        namespace, canonical, page = 2, "User", f"User:{dbkey}"
    return {
        "wgAction": action,
        "wgArticlePath": "/wiki/$1",
        "wgCanonicalNamespace": canonical,
        "wgCanonicalSpecialPageName": special,
        "wgNamespaceIds": DEMO_NAMESPACE_IDS,
        "wgNamespaceNumber": namespace,
        "wgPageName": page,
        "wgRelevantUserName": relevant,
        "wgScriptPath": "/w",
        "wgServerName": wiki,
        "wgTitle": page.partition(":")[2].replace("_", " ") if namespace else page,
        "wgUserLanguage": "en",
    }


def demo_wiki(wiki: str) -> str:
    """The wiki a demo page plays: ``wiki`` as a server name, or ``DEMO_WIKI`` if it is none."""
    return canonical_wiki(wiki) or DEMO_WIKI


def _demo_name(raw: str) -> str:
    """A name as MediaWiki shows it: underscores and runs of white space as one space."""
    return " ".join(raw.replace("_", " ").split())[:255]


def _user_link(name: str) -> str:
    """A user link as MediaWiki's ``Linker::userLink`` writes one, with the user's tools."""
    text = html.escape(name)
    if name == DEMO_IP:
        return (
            f'<a href="/wiki/Special:Contributions/{text}" class="mw-userlink mw-anonuserlink" '
            f'title="Special:Contributions/{text}"><bdi>{text}</bdi></a>'
        )
    dbkey = html.escape(quote(name.replace(" ", "_"), safe=":@!$*,;"))
    return (
        f'<a href="/wiki/User:{dbkey}" class="mw-userlink" title="User:{text}">'
        f"<bdi>{text}</bdi></a>"
        f' <span class="mw-usertoollinks">(<a href="/wiki/User_talk:{dbkey}">talk</a> | '
        f'<a href="/wiki/Special:Contributions/{dbkey}">contribs</a>)</span>'
    )


def _demo_list(names: list[str], view: str) -> str:
    """The rows of recent changes or of a page's history, one edit by each name (and an IP)."""
    rows = []
    for n, name in enumerate([*names, DEMO_IP]):
        minute = f"{59 - n % 60:02d}"
        if view == "history":
            rows.append(
                f'<li data-mw-revid="{1000 - n}"><span class="mw-history-histlinks">(cur | prev)'
                f'</span> <a class="mw-changeslist-date" href="#">12:{minute}, 22 November 2026</a>'
                f' <span class="history-user">{_user_link(name)}</span>'
                f' <span class="history-size">({120 + n} bytes)</span></li>'
            )
        else:
            rows.append(
                f'<li class="mw-changeslist-line" data-mw-ts="2026112212{minute}00">'
                '<span class="mw-changeslist-links">(diff | hist)</span> . . '
                f'<a class="mw-changeslist-title" href="/wiki/{DEMO_HISTORY_PAGE}">'
                f"{DEMO_HISTORY_PAGE}</a>; "
                f'<span class="mw-changeslist-date">12:{minute}</span> . . '
                f"{_user_link(name)} "
                '<span class="comment">(a demo edit)</span></li>'
            )
    if view == "history":
        return '<ul id="pagehistory">' + "".join(rows) + "</ul>"
    button = '<p><button type="button" id="demo-new-changes">Show new changes</button></p>'
    return (
        button + '<div class="mw-changeslist"><ul class="special">' + "".join(rows) + "</ul></div>"
    )


def _demo_json_page(config: str | None) -> object:
    """The wiki's ``MediaWiki:Gadget-outreach-staff.json`` as ResourceLoader hands it to a
    package gadget: its JSON, or ``{"error": "Invalid JSON"}``."""
    if not config:
        return None
    try:
        return json.loads(config, parse_constant=_not_json)
    except ValueError:
        return INVALID_JSON


def _not_json(constant: str) -> object:
    """``NaN`` and ``Infinity`` are no JSON (Python's parser would take them)."""
    raise ValueError(constant)


def render_demo(user: str, view: str, wiki: str = DEMO_WIKI, config: str | None = None) -> str:
    """The demo page for ``user`` on ``wiki``, seen as their user page, talk page or
    contributions; or, for ``recentchanges`` and ``history``, a list of edits by each
    name of ``user`` (``|`` between them) with the participants gadget reading ``config``
    as the wiki's ``MediaWiki:Gadget-outreach-staff.json`` (None: the page does not exist).

    The page asks for the name in a text box rather than offering a list: the
    service knows no users of its own, and the demo must work against any
    dashboard (the stand-in lists its invented users at ``/__standin/world``).
    """
    listing = view in DEMO_LISTS
    names = [n for n in (_demo_name(part) for part in user.split("|")) if n] if listing else []
    name = "|".join(names) if listing else _demo_name(user)
    wiki = demo_wiki(wiki)
    settings = _demo_page("" if listing else name, view, wiki)
    page = str(settings["wgPageName"])
    if listing:
        what = "recent changes" if view == "recentchanges" else "the history of a page"
        intro = (
            f"<p>This stands for {what} on <strong>{html.escape(wiki)}</strong>, one edit by "
            "each user named above (<code>|</code> between names) and one by an IP address. "
            "With campaigns named in the page's <code>config</code> (the wiki's "
            "<code>MediaWiki:Gadget-outreach-staff.json</code>), the participants gadget "
            "marks their participants.</p>"
        )
        content = intro + _demo_list(names, view)
    elif name:
        content = (
            f"<p>This stands for the page of the user <strong>{html.escape(name)}</strong> "
            f"on <strong>{html.escape(wiki)}</strong>. "
            "If they are enrolled in an active course, the gadget adds "
            "<em>Course staff</em> to the tools.</p>"
        )
    else:
        content = "<p>Type a username above to see the gadget on the page of that user.</p>"
    contributions = (
        f"?user={html.escape(quote(name.replace(' ', '_')))}"
        f"&amp;view=contributions&amp;wiki={html.escape(quote(wiki))}"
    )
    json_page = _demo_json_page(config)
    files = {} if json_page is None else {"outreach-staff.json": json_page}
    return Template(_asset("demo.html")).substitute(
        page_title=html.escape(page.replace("_", " ")),
        user_label="Users:" if listing else "User:",
        user_name=html.escape(name),
        view=html.escape(view),
        wiki=html.escape(wiki),
        config=html.escape(config or ""),
        content=content,
        config_json=_script_json(settings),
        packages_json=_script_json({"outreach-participants.js": files}),
        contributions_href=contributions,
    )


def _file_route(body: str, media_type: str) -> Callable[[Request], Awaitable[Response]]:
    """The route serving one gadget page: the same ``body`` for every request."""

    async def gadget_file(request: Request) -> Response:
        return _script_response(request, body, SCRIPT_CACHE, media_type)

    return gadget_file


def add_gadget_routes(app: FastAPI, *, public_url: str | None, demo: bool) -> None:
    """Serve each page of the gadgets at ``/gadget/NAME`` and their installation guide at
    ``/gadget/GADGET.md``; with ``demo``, their demo page too.

    The scripts call the API at ``public_url`` (set it in production: the
    service's public address). Without it their API base is ``null``: never
    the request's Host or X-Forwarded-* headers, which whoever fetches the
    scripts controls, and which a shared cache would then serve to everyone.
    """
    for name, media_type in GADGET_FILES.items():
        route = _file_route(render_gadget(public_url, name), media_type)
        app.add_api_route(f"/gadget/{name}", route, methods=["GET"], include_in_schema=False)

    @app.get("/gadget/" + GUIDE, include_in_schema=False)
    async def gadget_guide(request: Request) -> Response:
        return _script_response(request, _asset(GUIDE), SCRIPT_CACHE, TEXT)

    if not demo:
        return

    @app.get("/gadget/mw-shim.js", include_in_schema=False)
    async def gadget_shim(request: Request) -> Response:
        return _script_response(request, _asset("mw-shim.js"), DEMO_CACHE)

    @app.get("/gadget/demo", include_in_schema=False)
    async def gadget_demo(
        user: str = "", view: str = "user", wiki: str = "", config: str | None = None
    ) -> HTMLResponse:
        page = render_demo(user, view if view in DEMO_VIEWS else "user", wiki, config)
        return HTMLResponse(page, headers={"Cache-Control": DEMO_CACHE})
