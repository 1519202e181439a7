"""HTTP answers as the dashboard's Rails stack sends them, and the control panel's.

Upstream answers carry Rails' content types and, for a JSON 200, its
``Cache-Control``. The canned bodies are the dashboard's own error templates
(``app/views/errors``) in HTML and JSON: which one a client gets depends on
the request's negotiated format (``rails.py``), as in production.
"""

from __future__ import annotations

from functools import cache
from html import escape
from typing import Any

import orjson
from starlette.responses import Response

from outreach_standin.instances import OUTREACH, Instance

JSON = "application/json; charset=utf-8"
HTML = "text/html; charset=utf-8"
RAILS_CACHE_CONTROL = "max-age=0, private, must-revalidate"


def _error_page(instance: Instance, heading_id: str, header: str, explanation: str) -> bytes:
    """An ``errors/*.html.haml`` page inside a reduced application layout.

    The instance's ``dashboard_title`` heads it, as ``ENV['dashboard_title']`` does.
    """
    title = escape(instance.dashboard_title)
    return (
        '<!DOCTYPE html>\n<html>\n<head><meta charset="utf-8">'
        f"<title>{title}</title></head>\n"
        f'<body>\n<header class="main-page"><h1>{title}</h1></header>\n'
        '<section id="courses"><div class="container narrow"><div class="section-header">\n'
        f"<h2{heading_id}>{header}</h2>\n<p>{explanation}</p>\n"
        "</div></div></section>\n</body>\n</html>\n"
    ).encode()


@cache
def not_found_html(instance: Instance = OUTREACH) -> bytes:
    """``errors#file_not_found`` in HTML: unknown routes and errors not rescued as JSON."""
    return _error_page(
        instance,
        ' id="heading404"',
        "Page not found. :-(",
        "This page doesn't exist. If you were trying to reach the dashboard for a course, "
        "that course may not be registered for this dashboard.",
    )


@cache
def error_500_html(instance: Instance = OUTREACH) -> bytes:
    """``errors#internal_server_error`` in HTML (status 500)."""
    return _error_page(
        instance,
        "",
        "500 \u2014 internal server error.  :-(",
        "Something went wrong. Please contact the maintainers of this dashboard "
        "to let them know about the problem.",
    )


@cache
def maintenance_html(instance: Instance = OUTREACH) -> bytes:
    """What a proxy in front of the dashboard answers, with a 200, during maintenance."""
    return (
        "<!DOCTYPE html>\n<html>\n"
        f"<head><title>{escape(instance.short_name)}</title></head>\n"
        "<body><h1>Service temporarily unavailable</h1>\n"
        "<p>The dashboard is undergoing maintenance. Please try again later.</p></body>\n</html>\n"
    ).encode()


# The Outreach Dashboard's pages, by their old names.
DASHBOARD_TITLE = escape(OUTREACH.dashboard_title)
NOT_FOUND_HTML = not_found_html(OUTREACH)
ERROR_500_HTML = error_500_html(OUTREACH)
# The same two in JSON (``errors/*.json.jbuilder``), when the request's format is JSON.
NOT_FOUND_JSON = b'{"message":"Not found"}'
ERROR_500_JSON = b'{"message":"Internal server error"}'
# ``rescue_unknown_format``: an HTML-only action asked for another format.
UNKNOWN_FORMAT_TEXT = (
    b"This page doesn't exist. If you were trying to reach the dashboard for a course, "
    b"that course may not be registered for this dashboard.\n"
)
# Body of user_stats for an unknown user (status 404).
USER_NOT_FOUND = b'{"error":"User not found"}'
MAINTENANCE_HTML = maintenance_html(OUTREACH)


def respond(body: bytes, status: int = 200, content_type: str = JSON, **headers: str) -> Response:
    """An upstream answer; ``retry_after="5"`` becomes a ``retry-after`` header."""
    all_headers = {"content-type": content_type}
    if status == 200 and content_type == JSON:
        all_headers["cache-control"] = RAILS_CACHE_CONTROL
    all_headers.update({k.replace("_", "-"): v for k, v in headers.items()})
    return Response(body, status_code=status, headers=all_headers)


def not_found(json: bool, instance: Instance = OUTREACH) -> Response:
    """``errors#file_not_found``, reached through ``exceptions_app``, in the negotiated format."""
    return respond(NOT_FOUND_JSON, 404) if json else respond(not_found_html(instance), 404, HTML)


def server_error(json: bool, instance: Instance = OUTREACH) -> Response:
    """``errors#internal_server_error``, reached through ``exceptions_app``."""
    return respond(ERROR_500_JSON, 500) if json else respond(error_500_html(instance), 500, HTML)


def redirect(location: str) -> Response:
    """A Rails ``redirect_to``: 302, an absolute ``Location``, an empty HTML body."""
    return respond(b"", 302, HTML, location=location)


def control_json(payload: Any, status: int = 200) -> Response:
    """An answer of the ``/__standin/`` control panel (not an upstream answer)."""
    return Response(orjson.dumps(payload), status_code=status, media_type="application/json")
