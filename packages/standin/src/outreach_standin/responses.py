"""HTTP answers as the dashboard's Rails stack sends them, and the control panel's.

Upstream answers carry Rails' content types and, for a JSON 200, its
``Cache-Control``; the canned pages are the ones the real dashboard serves
when a course is unknown or the application fails, so a client meets the same
bytes here as in production.
"""

from __future__ import annotations

from typing import Any

import orjson
from starlette.responses import Response

JSON = "application/json; charset=utf-8"
HTML = "text/html; charset=utf-8"
RAILS_CACHE_CONTROL = "max-age=0, private, must-revalidate"

# The Rails 404 page the dashboard serves for unknown or private courses.
NOT_FOUND_HTML = (
    b"<!DOCTYPE html>\n<html>\n"
    b"<head><title>The page you were looking for doesn't exist (404)</title></head>\n"
    b'<body><div class="dialog"><h1>The page you were looking for doesn\'t exist.</h1>\n'
    b"<p>You may have mistyped the address or the page may have moved.</p></div></body>\n"
    b"</html>\n"
)
# Body of user_stats for an unknown user (status 404).
USER_NOT_FOUND = b'{"error":"User not found"}'
# Rails' page for an unhandled exception (status 500).
ERROR_500_HTML = (
    b"<!DOCTYPE html>\n<html>\n<head><title>We're sorry, but something went wrong (500)"
    b'</title></head>\n<body><div class="dialog"><h1>We\'re sorry, but something went wrong.'
    b"</h1></div></body>\n</html>\n"
)
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


def not_found() -> Response:
    """The dashboard's HTML 404, whatever was asked (even a ``.json`` path)."""
    return respond(NOT_FOUND_HTML, 404, HTML)


def control_json(payload: Any, status: int = 200) -> Response:
    """An answer of the ``/__standin/`` control panel (not an upstream answer)."""
    return Response(orjson.dumps(payload), status_code=status, media_type="application/json")
