"""What the dashboard's answers mean: pure functions, no I/O.

The client sends requests and waits; deciding what an answer means is here,
from (document, status, headers, body) to a record or a typed error, so every
rule of the upstream contract is tested on bytes in milliseconds. Nothing here
changes state: a 429's ``Retry-After`` travels on the error it raises, and the
client decides what to do with it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar
from urllib.parse import urljoin, urlsplit

import orjson
from pydantic import BaseModel

from outreach_helper.errors import (
    DocumentFailed,
    NotFound,
    NotReached,
    NotSent,
    OutreachError,
    RateLimited,
    Redirected,
    UpstreamBadResponse,
    UpstreamTimeout,
    UpstreamUnavailable,
)
from outreach_helper.upstream.documents import Document

RecordT = TypeVar("RecordT", bound=BaseModel)
MAX_BODY_BYTES = 8 * 1024 * 1024


class Attempt(StrEnum):
    """How one request to the dashboard ended; the values are metric labels."""

    OK = "ok"
    NOT_FOUND = "not_found"
    TIMEOUT = "timeout"
    UNAVAILABLE = "unavailable"
    RATE_LIMITED = "rate_limited"
    REDIRECTED = "redirected"
    DOCUMENT_FAILED = "document_failed"
    BAD_RESPONSE = "bad_response"
    CANCELLED = "cancelled"

    @classmethod
    def of(cls, error: BaseException | None) -> Attempt:
        """The outcome an attempt that raised ``error`` (None: returned) stands for."""
        if error is None:
            return cls.OK
        for kind, outcome in _ATTEMPT_BY_ERROR:
            if isinstance(error, kind):
                return outcome
        return cls.CANCELLED  # cancelled or crashed: it proves nothing about the dashboard

    @property
    def answered(self) -> bool:
        """The dashboard answered as itself: data, a real "not found", or one broken document."""
        return self in (Attempt.OK, Attempt.NOT_FOUND, Attempt.DOCUMENT_FAILED)


_ATTEMPT_BY_ERROR: tuple[tuple[type[BaseException], Attempt], ...] = (
    (NotFound, Attempt.NOT_FOUND),
    (UpstreamTimeout, Attempt.TIMEOUT),
    (RateLimited, Attempt.RATE_LIMITED),
    (NotSent, Attempt.CANCELLED),
    (DocumentFailed, Attempt.DOCUMENT_FAILED),
    (Redirected, Attempt.REDIRECTED),
    (UpstreamUnavailable, Attempt.UNAVAILABLE),
    (UpstreamBadResponse, Attempt.BAD_RESPONSE),
)


@dataclass(frozen=True, slots=True)
class Reply:
    """One answer of the dashboard, as it came off the wire."""

    status: int
    headers: Mapping[str, str]
    body: bytes
    url: str = ""
    """The URL asked: a redirect's ``Location`` is read against it."""


def interpret(document: Document[Any, RecordT], subject: str, reply: Reply) -> RecordT:
    """The record an answer carries.

    Raises:
        NotFound: the document's own "not found" (``document.not_found``).
        UpstreamError: anything else that is not the documented JSON.
    """
    return document.parse(read_json(document, subject, reply))


def read_json(document: Document[Any, Any], subject: str, reply: Reply) -> Any:
    """The parsed JSON of a successful answer (``inspect`` shows it raw), or the error."""
    if reply.status == 200:
        return _json_body(reply.headers, reply.body)
    raise failure(document, subject, reply)


def failure(document: Document[Any, Any], subject: str, reply: Reply) -> OutreachError:
    """The typed error a non-200 answer stands for."""
    status = reply.status
    if 300 <= status < 400:
        if status == 302 and document.redirect_means_missing and _to_own_root(reply):
            return document.not_found(subject)
        return Redirected(
            f"{document.endpoint} answered a redirect ({status})", upstream_status=status
        )
    if status == 404:
        if not _is_json_object(reply.body):
            # The dashboard's 404s on .json routes are JSON; anything else means
            # another server answered, which must not be cached as "no such thing".
            return UpstreamBadResponse(
                f"{document.endpoint} answered 404 without its JSON body", upstream_status=404
            )
        return document.not_found(subject)
    if status == 429:
        return RateLimited(
            "the dashboard is rate-limiting us (429)",
            retry_after=retry_after_seconds(reply.headers.get("retry-after")),
        )
    if status == 500:
        # The app's own error page for this document (JSON when asked for JSON):
        # its data is broken; the host and every other document are fine.
        return DocumentFailed(
            f"this {document.endpoint}'s page fails on the dashboard itself (500); "
            "the dashboard and its other documents work",
            upstream_status=500,
        )
    if status in (502, 503):
        # The web server in front answered for the app (Passenger's queue is
        # full, the app is restarting): the request never reached a worker.
        return NotReached(
            f"the dashboard's web server answered {status}",
            upstream_status=status,
            retry_after=retry_after_seconds(reply.headers.get("retry-after")),
        )
    if status > 500:
        # 504 and the rest: the app may have been reached and may still be working.
        return UpstreamUnavailable(f"the dashboard failed ({status})", upstream_status=status)
    return UpstreamBadResponse(
        f"unexpected status {status} from the dashboard", upstream_status=status
    )


def may_retry(error: BaseException) -> bool:
    """May the request that failed with ``error`` be sent once more?

    Only when it never reached the application (a refused connection, the
    proxy's 502 or 503). A timeout is never retried: the dashboard may still be
    working on it, and a second request would make one of its four workers do
    the same work twice. A 429 is the client's own business (``Retry-After``).
    """
    return isinstance(error, NotReached)


def host_trouble(error: BaseException) -> bool:
    """Does ``error`` say the dashboard's host is in trouble (not one document, not us)?

    Connection errors, timeouts, gateway answers (502, 503, 504, other 5xx
    but 500) and redirects: what the circuit breaker counts.
    """
    if isinstance(error, UpstreamTimeout):
        return True
    return isinstance(error, UpstreamUnavailable) and not isinstance(
        error, RateLimited | DocumentFailed | NotSent
    )


def retry_after_seconds(value: str | None) -> float | None:
    """``Retry-After`` in seconds; None when absent or an HTTP-date (the caller's cap applies)."""
    if value is None:
        return None
    try:
        seconds = float(value)
    except ValueError:
        return None
    return max(0.0, seconds) if seconds == seconds else None  # NaN is "unknown"


def _json_body(headers: Mapping[str, str], body: bytes) -> Any:
    content_type = headers.get("content-type", "")
    if "json" not in content_type:
        raise UpstreamBadResponse(f"expected JSON, got {content_type or 'no content type'}")
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise UpstreamBadResponse("the dashboard's JSON does not parse (cut off?)") from exc


def _to_own_root(reply: Reply) -> bool:
    """Does a redirect send the client to the dashboard's own home page (``/``)?

    That is where ``user_profiles#show`` sends an unknown user (``redirect_to
    controller: 'dashboard', action: 'index'``, whose first route is the root).
    The same origin and scheme: a redirect to ``https:`` or to another host is
    ``force_ssl`` or a host move, not an answer.
    """
    location = reply.headers.get("location")
    if not location:
        return False
    target = urlsplit(urljoin(reply.url, location))
    root = urlsplit(urljoin(reply.url, "/"))
    return (
        target.scheme == root.scheme
        and target.netloc.lower() == root.netloc.lower()
        and target.path == "/"
        and not target.query
    )


def _is_json_object(body: bytes) -> bool:
    try:
        return isinstance(orjson.loads(body), dict)
    except orjson.JSONDecodeError:
        return False
