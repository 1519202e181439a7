"""How Rails turns a request into a route, parameters and a response format.

The dashboard's answers depend on these rules as much as on its controllers:
the router squeezes ``//`` before matching and decodes path parameters after
it (``%XX`` only, ``+`` stays ``+``); a greedy ``constraints: /.*/`` segment
may hold ``/``; and whether an error page is JSON or HTML is decided by the
``format`` parameter, then a non-browser ``Accept`` header, then the path's
extension (Rails 8.1 ``action_dispatch/http/mime_negotiation.rb``). Only the
parts the stand-in's routes need are reproduced, as pure functions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, unquote_plus

# Accept headers that ask for anything besides something else: browsers send
# them, and Rails then ignores the header (``BROWSER_LIKE_ACCEPTS``).
BROWSER_LIKE_ACCEPTS = re.compile(r",\s*\*/\*|\*/\*\s*,")
# What ``Journey::Router::Utils.unescape_uri`` decodes (not only hex digits).
ESCAPED = re.compile(r"%[a-zA-Z0-9]{2}")
HEX_DIGITS = "0123456789abcdefABCDEF"
# The path extensions and media types the stand-in's templates exist for.
EXTENSIONS = {"json": "json", "html": "html"}
MEDIA_TYPES = {"application/json": "json", "text/html": "html", "application/xhtml+xml": "html"}


class BadRequest(Exception):
    """A path parameter that is not valid UTF-8 once decoded: Rails answers 400."""


def normalize_path(raw_path: str) -> str:
    """``Journey::Router::Utils.normalize_path``: squeeze ``/`` runs, drop a trailing ``/``."""
    path = re.sub(r"/+", "/", "/" + raw_path)
    return path if path == "/" else path.removesuffix("/")


def _ruby_hex(digits: str) -> int:
    """``String#hex``: the leading hex digits as a number, 0 if there are none."""
    lead = ""
    for ch in digits:
        if ch not in HEX_DIGITS:
            break
        lead += ch
    return int(lead, 16) if lead else 0


def unescape_uri(segment: str) -> str:
    """A path parameter as Rails decodes it: every ``%XX`` to a byte, ``+`` kept.

    Raises ``BadRequest`` if the bytes are not UTF-8.
    """
    raw = ESCAPED.sub(lambda m: chr(_ruby_hex(m.group()[1:])), segment)
    try:
        return raw.encode("latin-1").decode("utf-8")
    except UnicodeError as exc:  # non-ASCII input or invalid UTF-8 bytes
        raise BadRequest(f"Invalid encoding for parameter: {segment!r}") from exc


def cgi_unescape(value: str) -> str:
    """Ruby's ``CGI.unescape``: ``+`` to a space, ``%XX`` to bytes read as UTF-8."""
    return unquote_plus(value, encoding="utf-8", errors="replace")


def query_param(query_string: str, name: str) -> str | None:
    """A query parameter as Rack decodes it (``+`` and ``%XX``); the last one wins."""
    value: str | None = None
    pairs = parse_qsl(query_string, keep_blank_values=True, encoding="utf-8", errors="replace")
    for key, item in pairs:
        if key == name:
            value = item
    return value


def _first_media_type(accept: str) -> str:
    """The media type Rails ranks first in an ``Accept`` list (by q, then order)."""
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate(accept.split(",")):
        media, *params = (p.strip() for p in part.split(";"))
        quality = 1.0
        for param in params:
            if param.startswith("q="):
                try:
                    quality = float(param[2:])
                except ValueError:
                    quality = 0.0
        ranked.append((-quality, index, media.lower()))
    return min(ranked)[2] if ranked else ""


@dataclass(frozen=True, slots=True)
class Negotiated:
    """The format a request is answered in, and whether its Accept header decided it."""

    format: str
    by_accept: bool = False

    @property
    def json(self) -> bool:
        """Whether a template existing as both HTML and JSON is rendered as JSON."""
        return self.format == "json"


def negotiate(format_param: str | None, accept: str | None, raw_path: str) -> Negotiated:
    """``request.formats``, reduced to the one format a two-template action renders.

    In order: the ``format`` parameter (the route's ``(.:format)`` or the query's);
    an Accept header that is present and not browser-like (a lone ``*/*`` is valid
    and renders HTML, the first default format); the path's extension; HTML.
    """
    if format_param:
        return Negotiated(format_param)
    if accept and not BROWSER_LIKE_ACCEPTS.search(accept):
        return Negotiated(MEDIA_TYPES.get(_first_media_type(accept), "html"), by_accept=True)
    if match := re.search(r"\.(\w+)\Z", raw_path):
        extension = EXTENSIONS.get(match.group(1))
        if extension:
            return Negotiated(extension)
    return Negotiated("html")


def json_request(negotiated: Negotiated, raw_path: str, query_string: str) -> bool:
    """``RescueErrors#json?``: a JSON format, or ``.json`` anywhere in the full path."""
    fullpath = f"{raw_path}?{query_string}" if query_string else raw_path
    return negotiated.json or ".json" in fullpath
