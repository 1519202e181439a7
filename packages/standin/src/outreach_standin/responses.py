"""HTTP answers as the dashboard's Rails stack sends them, and the control panel's.

Upstream answers carry Rails' content types and, for a JSON 200, its
``Cache-Control``. The canned bodies are the dashboard's own error templates
(``app/views/errors``) in HTML and JSON: which one a client gets depends on
the request's negotiated format (``rails.py``), as in production.
"""

from __future__ import annotations

from typing import Any

import orjson
from starlette.responses import Response

JSON = "application/json; charset=utf-8"
HTML = "text/html; charset=utf-8"
RAILS_CACHE_CONTROL = "max-age=0, private, must-revalidate"

# The dashboard's title, which heads its error pages (P&E's ``dashboard_title``).
DASHBOARD_TITLE = "Programs &amp; Events Dashboard"


def _error_page(heading_id: str, header: str, explanation: str) -> bytes:
    """An ``errors/*.html.haml`` page inside a reduced application layout."""
    return (
        '<!DOCTYPE html>\n<html>\n<head><meta charset="utf-8">'
        f"<title>{DASHBOARD_TITLE}</title></head>\n"
        f'<body>\n<header class="main-page"><h1>{DASHBOARD_TITLE}</h1></header>\n'
        '<section id="courses"><div class="container narrow"><div class="section-header">\n'
        f"<h2{heading_id}>{header}</h2>\n<p>{explanation}</p>\n"
        "</div></div></section>\n</body>\n</html>\n"
    ).encode()


# ``errors#file_not_found`` in HTML: unknown routes and errors not rescued as JSON.
NOT_FOUND_HTML = _error_page(
    ' id="heading404"',
    "Page not found. :-(",
    "This page doesn't exist. If you were trying to reach the dashboard for a course, "
    "that course may not be registered for this dashboard.",
)
# ``errors#internal_server_error`` in HTML (status 500).
ERROR_500_HTML = _error_page(
    "",
    "500 \u2014 internal server error.  :-(",
    "Something went wrong. Please contact the maintainers of this dashboard "
    "to let them know about the problem.",
)
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
# What a proxy in front of the dashboard answers, with a 200, during maintenance.
MAINTENANCE_HTML = (
    b"<!DOCTYPE html>\n<html>\n<head><title>Outreach Dashboard</title></head>\n"
    b"<body><h1>Service temporarily unavailable</h1>\n"
    b"<p>The dashboard is undergoing maintenance. Please try again later.</p></body>\n</html>\n"
)


def respond(body: bytes, status: int = 200, content_type: str = JSON, **headers: str) -> Response:
    """An upstream answer; ``retry_after="5"`` becomes a ``retry-after`` header."""
    all_headers = {"content-type": content_type}
    if status == 200 and content_type == JSON:
        all_headers["cache-control"] = RAILS_CACHE_CONTROL
    all_headers.update({k.replace("_", "-"): v for k, v in headers.items()})
    return Response(body, status_code=status, headers=all_headers)


def not_found(json: bool) -> Response:
    """``errors#file_not_found``, reached through ``exceptions_app``, in the negotiated format."""
    return respond(NOT_FOUND_JSON, 404) if json else respond(NOT_FOUND_HTML, 404, HTML)


def server_error(json: bool) -> Response:
    """``errors#internal_server_error``, reached through ``exceptions_app``."""
    return respond(ERROR_500_JSON, 500) if json else respond(ERROR_500_HTML, 500, HTML)


def redirect(location: str) -> Response:
    """A Rails ``redirect_to``: 302, an absolute ``Location``, an empty HTML body."""
    return respond(b"", 302, HTML, location=location)


def control_json(payload: Any, status: int = 200) -> Response:
    """An answer of the ``/__standin/`` control panel (not an upstream answer)."""
    return Response(orjson.dumps(payload), status_code=status, media_type="application/json")
