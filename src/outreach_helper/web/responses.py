"""Finished responses: JSON bytes, ETag, cache headers, and a hot in-process copy.

A warm hit must cost almost nothing: the finished body and its ETag are kept
in process while every document behind them is fresh, so a hit is a dict
lookup and a list of header bytes that is rebuilt at most once a second,
with no store round trip, no decoding and no response-model validation.

A finished response is usually an answer's JSON; a page for people
(``web/pages``) is the same answer as HTML, with its own media type and
headers (its Content-Security-Policy), kept, validated and served alike.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Final

from pydantic import BaseModel
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import Response

from outreach_helper.answers.freshness import Freshness
from outreach_helper.cache.swr import Outcome
from outreach_helper.operations.server import prepare_head
from outreach_helper.web.cors import SIMPLE_HEADERS

CACHE_NAME = "OutreachHelper"
RawHeaders = list[tuple[bytes, bytes]]
JSON: Final = b"application/json"


class Rendered:
    """A serialized answer and its ETag, with its hit headers memoized per second."""

    __slots__ = (
        "_memo_front",
        "_memo_front_second",
        "_memo_headers",
        "_memo_second",
        "body",
        "etag",
        "extra",
        "freshness",
        "media_type",
        "partial",
    )

    def __init__(
        self,
        body: bytes,
        etag: str,
        freshness: Freshness,
        *,
        partial: bool = False,
        media_type: bytes = JSON,
        extra: RawHeaders | None = None,
    ) -> None:
        self.body = body
        self.etag = etag
        self.freshness = freshness
        self.partial = partial  # a dashboard could not be asked: the access log says so
        self.media_type = media_type
        self.extra: RawHeaders = extra or []  # headers of its own (a page's CSP), sent as they are
        self._memo_second = -1
        self._memo_headers: RawHeaders = []
        self._memo_front_second = -1
        self._memo_front: tuple[RawHeaders, tuple[bytes, int]] = ([], (b"", 0))

    def hit_headers(self, now: float) -> RawHeaders:
        """Headers of a hot hit; identical within one second, so built once per second."""
        second = int(now)
        if second != self._memo_second:
            self._memo_headers = raw_headers(self, Outcome.HIT, float(second))
            self._memo_second = second
        return self._memo_headers

    def front_hit(self, now: float) -> tuple[RawHeaders, tuple[bytes, int]]:
        """A hot hit's headers as the fast path sends them (CORS included), and the same
        head prepared for the server (``PREPARED_HEAD``); built once a second."""
        second = int(now)
        if second != self._memo_front_second:
            headers = [*self.hit_headers(now), *SIMPLE_HEADERS]
            self._memo_front = (headers, prepare_head(headers, len(self.body)))
            self._memo_front_second = second
        return self._memo_front


def strong_etag(body: bytes) -> str:
    """A strong ETag derived from the bytes themselves: equal bodies, equal tags."""
    return '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'


def render(model: BaseModel, freshness: Freshness) -> Rendered:
    """Serialize once and derive the strong ETag from the bytes themselves."""
    body = model.model_dump_json().encode()
    partial = getattr(model, "partial", False) is True
    return Rendered(body, strong_etag(body), freshness, partial=partial)


def cache_status(outcome: Outcome, freshness: Freshness, now: float) -> str:
    """An RFC 9211 ``Cache-Status`` value for how this answer was obtained."""
    ttl = freshness.ttl(now)
    if outcome in (Outcome.HIT, Outcome.STALE):
        return f"{CACHE_NAME}; hit; ttl={ttl}"
    if outcome is Outcome.MISS:
        return f"{CACHE_NAME}; fwd=miss; stored"
    if outcome is Outcome.COLLAPSED:
        return f"{CACHE_NAME}; fwd=miss; collapsed"
    status = f"; fwd-status={freshness.upstream_status}" if freshness.upstream_status else ""
    return f"{CACHE_NAME}; fwd=stale{status}; ttl={ttl}; detail=stale-if-error"


def cache_control(outcome: Outcome, freshness: Freshness, now: float) -> str:
    """Let browsers and proxies reuse the answer exactly as long as we would.

    ``max-age`` is the answer's whole fresh lifetime, counted from when the
    dashboard was asked; the ``Age`` header beside it says how much of it has
    gone. A cache subtracts ``Age`` itself (RFC 9111 4.2.3), so sending the
    seconds *left* as well would count the elapsed time twice. A fallback
    answered during an outage is never reused without asking again.
    """
    if outcome is Outcome.STALE_IF_ERROR:
        return "public, max-age=0, stale-while-revalidate=0"
    return (
        f"public, max-age={freshness.max_age}, "
        f"stale-while-revalidate={freshness.stale_while_revalidate}"
    )


def raw_headers(rendered: Rendered, outcome: Outcome, now: float) -> RawHeaders:
    freshness = rendered.freshness
    return [
        (b"content-type", rendered.media_type),
        (b"content-length", str(len(rendered.body)).encode()),
        (b"etag", rendered.etag.encode()),
        (b"cache-control", cache_control(outcome, freshness, now).encode()),
        (b"age", str(freshness.age(now)).encode()),
        (b"cache-status", cache_status(outcome, freshness, now).encode()),
        *rendered.extra,
    ]


class PreparedResponse(Response):
    """A response whose headers were built in advance (Starlette's are built per call)."""

    def __init__(self, status_code: int, body: bytes, headers: RawHeaders) -> None:
        self.status_code = status_code
        self.body = body
        self.raw_headers = headers
        self.background: BackgroundTask | None = None


def etag_matches(if_none_match: str, etag: str) -> bool:
    """Whether ``If-None-Match`` names ``etag`` (weak comparison, or ``*``)."""
    if if_none_match.strip() == "*":
        return True
    # Weak comparison (RFC 9110 13.1.2): W/ prefixes are ignored.
    return any(tag.strip().removeprefix("W/") == etag for tag in if_none_match.split(","))


def respond(
    rendered: Rendered, outcome: Outcome, now: float, if_none_match: str | None
) -> Response:
    """The HTTP response for ``rendered``: 200 with its body, or 304 if the client has it."""
    if outcome is Outcome.HIT:
        headers = rendered.hit_headers(now)
    else:
        headers = raw_headers(rendered, outcome, now)
    if if_none_match and etag_matches(if_none_match, rendered.etag):
        return PreparedResponse(304, b"", [h for h in headers if h[0] != b"content-length"])
    return PreparedResponse(200, rendered.body, headers)


class HotResponses:
    """Finished responses kept in process while they are fresh; bounded by count and bytes.

    Least recently used out first, whichever bound is reached. A body larger than
    a sixteenth of the byte bound is never kept: one huge roster must not push
    out hundreds of page views' answers.
    """

    def __init__(self, max_entries: int, max_bytes: int = 64 * 1024 * 1024) -> None:
        self._max = max_entries
        self._max_bytes = max_bytes
        self._bytes = 0
        self._entries: OrderedDict[Hashable, Rendered] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def max_entries(self) -> int:
        return self._max

    @property
    def size_bytes(self) -> int:
        """Bytes of the bodies kept now."""
        return self._bytes

    def get(self, key: Hashable, now: float) -> Rendered | None:
        rendered = self._entries.get(key)
        if rendered is None:
            return None
        if now >= rendered.freshness.fresh_until:
            self._drop(key)
            return None
        self._entries.move_to_end(key)
        return rendered

    def offer(self, key: Hashable, rendered: Rendered, now: float) -> None:
        """Keep ``rendered`` if it is fresh; stale or fallback answers are never kept."""
        fresh = rendered.freshness
        if fresh.outcome in (Outcome.STALE, Outcome.STALE_IF_ERROR) or fresh.fresh_until <= now:
            return
        if len(rendered.body) > self._max_bytes // 16:
            return
        self._drop(key)
        self._entries[key] = rendered
        self._bytes += len(rendered.body)
        while len(self._entries) > self._max or self._bytes > self._max_bytes:
            _, evicted = self._entries.popitem(last=False)
            self._bytes -= len(evicted.body)

    def _drop(self, key: Hashable) -> None:
        gone = self._entries.pop(key, None)
        if gone is not None:
            self._bytes -= len(gone.body)


@dataclass(frozen=True, slots=True)
class PackagedFile:
    """A file the package ships (vendored, or ours) and serves as it is, read once."""

    body: bytes
    media_type: str
    etag: str

    def response(self, request: Request, cache_control: str) -> Response:
        """The file, or a 304 where the client already holds these bytes; never sniffed."""
        headers = {
            "Cache-Control": cache_control,
            "ETag": self.etag,
            "X-Content-Type-Options": "nosniff",
        }
        if self.etag in request.headers.get("if-none-match", ""):
            return Response(status_code=304, headers=headers)
        return Response(self.body, media_type=self.media_type, headers=headers)
