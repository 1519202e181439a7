"""Helpers shared by the stand-in's own tests (``tests/standin/``).

Each test module starts one stand-in with a frozen clock; these helpers build
the requests the way the upstream README and the source report say a client
must: a course slug's ``/`` literal and the rest percent-encoded, a username
form-escaped before it is percent-encoded.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from urllib.parse import quote, quote_plus

import httpx

from outreach_standin import StandinServer

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
# The top-level keys of user_stats.json for a user who instructs and studies, in order.
USER_STATS_KEYS = [
    "user_recent_uploads",
    "courses_details",
    "as_instructor",
    "by_students",
    "as_student",
    "max_project",
]
# What the service sends; it makes every error body JSON (report section 7.1).
JSON = {"Accept": "application/json"}


@contextmanager
def standin_client(server: StandinServer) -> Iterator[httpx.Client]:
    """A client of ``server`` with counters, faults and clock reset around its use."""
    with httpx.Client(base_url=server.url, timeout=5) as http:
        http.post("/__standin/reset").raise_for_status()
        http.post("/__standin/now", json={"now": NOW.isoformat()}).raise_for_status()
        yield http
        http.post("/__standin/reset").raise_for_status()


def course_path(slug: str, leaf: str = "course.json") -> str:
    """``/courses/SLUG/LEAF``: the slug's ``/`` literal, every other reserved byte escaped."""
    path = f"/courses/{quote(slug, safe='/')}"
    return f"{path}/{leaf}" if leaf else path


def profile_path(name: str) -> str:
    """``/users/NAME`` as the report builds it: form-escaped, then percent-encoded."""
    return f"/users/{quote(quote_plus(name), safe='+')}"


def get_without_accept(client: httpx.Client, path: str) -> httpx.Response:
    """GET with no Accept header at all (httpx sends ``*/*`` unless told otherwise)."""
    request = client.build_request("GET", path)
    del request.headers["Accept"]
    return client.send(request)


def get_accepting(client: httpx.Client, path: str, accept: str | None) -> httpx.Response:
    """GET with ``accept`` as the Accept header, or with none at all for None."""
    if accept is None:
        return get_without_accept(client, path)
    return client.get(path, headers={"Accept": accept})
