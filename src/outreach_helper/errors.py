"""One exception tree for everything that can go wrong, and nothing HTTP-shaped.

    OutreachError
    ├── InvalidInput            bad username, slug or parameter; never reaches upstream
    │   ├── InvalidName         a username or slug that cannot exist
    │   ├── InvalidParameter    a query parameter that does not parse
    │   └── InvalidRequest      a well-formed request we will not serve (too many names)
    ├── NotFound                the dashboard says it does not exist
    │   ├── UserNotFound
    │   ├── CourseNotFound
    │   └── CampaignNotFound
    └── UpstreamError           the dashboard could not give a usable answer
        ├── UpstreamTimeout     it did not answer in time
        ├── UpstreamUnavailable unreachable or failing (5xx)
        │   ├── RateLimited     answered 429, perhaps with Retry-After
        │   ├── DocumentFailed  answered 500 for this one document
        │   ├── Redirected      answered a redirect where an answer belongs
        │   ├── NotReached      never reached the app: refused, or the proxy's 502/503
        │   └── NotSent         not asked: our own limits held the request back
        └── UpstreamBadResponse it answered 200 with something unusable

Only ``app.py`` turns these into HTTP responses. Lower layers translate the
errors of httpx and redis into these where they catch them.
"""

from __future__ import annotations

from typing import TypeVar

E = TypeVar("E", bound=BaseException)


class OutreachError(Exception):
    """Base of every error this service raises on purpose."""


def kept(error: E) -> E:
    """``error``, caught to be kept as a value (a course unread, a name's row in a
    batch), without its traceback.

    A traceback holds every frame the error went through, and those frames hold
    what the error is kept in (the gathered failures, the shared load's task), so
    each kept error was a reference cycle only the garbage collector could free. A
    flood's thousands of refused lookups a second made full collections of 30 to
    60 ms several times a minute, which every reader on the worker waited out.
    Nothing reads these tracebacks: an error raised again from here starts a new one.
    """
    return error.with_traceback(None)


class InvalidInput(OutreachError):
    """Input that cannot be valid; answered without asking the dashboard."""


class InvalidName(InvalidInput):
    """A username or course/campaign slug that cannot exist."""


class InvalidParameter(InvalidInput):
    """A query parameter whose value does not parse (``enrich=perhaps``)."""


class InvalidRequest(InvalidInput):
    """A request that parses but asks for more than the endpoint serves."""


class NotFound(OutreachError):
    """The dashboard answered that the thing does not exist (or is private)."""

    kind = "resource"

    def __init__(self, name: str) -> None:
        super().__init__(f"{self.kind} {name!r} was not found on the dashboard")
        self.name = name


class UserNotFound(NotFound):
    kind = "user"


class CourseNotFound(NotFound):
    kind = "course"


class CampaignNotFound(NotFound):
    kind = "campaign"


class UpstreamError(OutreachError):
    """The dashboard failed; callers may fall back to a stale cached answer."""

    def __init__(self, message: str, *, upstream_status: int | None = None) -> None:
        super().__init__(message)
        self.upstream_status = upstream_status


class UpstreamTimeout(UpstreamError):
    """The dashboard did not answer within the configured timeout."""


class UpstreamUnavailable(UpstreamError):
    """The dashboard is unreachable, failing (5xx) or rate-limiting us (429)."""


class RateLimited(UpstreamUnavailable):
    """The dashboard answered 429; ``retry_after`` is its ``Retry-After`` in seconds, if any."""

    def __init__(self, message: str, *, retry_after: float | None) -> None:
        super().__init__(message, upstream_status=429)
        self.retry_after = retry_after


class DocumentFailed(UpstreamUnavailable):
    """The dashboard answered 500 for this document: its data is broken, the host is fine.

    Other documents keep working, so this is never retried, never held against
    the dashboard as a whole, and makes only this document unreadable in an answer.
    """


class Redirected(UpstreamUnavailable):
    """The dashboard answered a redirect where its JSON belongs.

    Only the profile route's 302 to the dashboard's own root is an answer
    ("no such account"). Any other redirect is the dashboard or its proxy in
    trouble: a ``force_ssl`` loop, a host move, a misconfigured front end. It is
    an outage like any other: never cached, never "not found", counted by the
    circuit breaker, with stale answers standing in.
    """


class NotReached(UpstreamUnavailable):
    """The request never reached the dashboard's application.

    The connection was refused (or not made in time), or the web server in
    front answered 502/503 for it (Passenger's queue full, the app restarting).
    The only failure retried: nothing is working on it, so one more try costs
    the dashboard no second piece of work. ``retry_after`` is the 503's
    ``Retry-After`` in seconds, when it sent one.
    """

    def __init__(
        self, message: str, *, upstream_status: int | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(message, upstream_status=upstream_status)
        self.retry_after = retry_after


class NotSent(UpstreamUnavailable):
    """Not sent at all: the circuit breaker, a Retry-After or our request budget held it back.

    ``retry_after`` (seconds), when known, becomes the answer's ``Retry-After``.
    """

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class UpstreamBadResponse(UpstreamError):
    """The dashboard answered 200 with a body that is not the documented JSON."""
