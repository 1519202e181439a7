"""Input limits before any work, over real HTTP (docs/security.md, "Input limits before any work").

Documented: a request path over 4096 bytes or a query string over 8192 bytes
(as sent, percent-encoded) is a 414 problem+json, answered before routing; a
username over 255 bytes of UTF-8 as written (before runs of spaces and
underscores collapse) is a 400; a course slug or campaign slug over 1024
bytes is a 400. None of them reaches the dashboard, and none is remembered.
"""

from __future__ import annotations

import gc
import io
import tracemalloc
from collections.abc import Iterator
from urllib.parse import quote

import httpx
import pytest

from outreach_helper.app import create_app
from outreach_helper.operations.logs import configure_process_logging
from outreach_standin import world as w
from tests.support.logs import restored_logging
from tests.support.servers import ServedApp

PROBLEM = "application/problem+json"
URI_TOO_LONG = "tag:outreach-dashboard-helper,2026:problem:uri-too-long"
INVALID_NAME = "tag:outreach-dashboard-helper,2026:problem:invalid-name"
USERS = "/api/users/"


@pytest.fixture
def http(make_settings, clock, upstream) -> Iterator[httpx.Client]:
    settings = make_settings(access_log=False)
    with (
        ServedApp(create_app(settings, clock=clock), settings) as served,
        httpx.Client(base_url=served.url, timeout=10) as client,
    ):
        yield client


def outcome(response: httpx.Response, upstream) -> tuple[int, str, str | None, int]:
    body = response.json() if response.headers["content-type"] == PROBLEM else {}
    return (
        response.status_code,
        response.headers["content-type"],
        body.get("type"),
        upstream.total,
    )


# ---- the request target ----------------------------------------------------------------


def test_a_path_over_4096_bytes_is_a_414_before_anything_else(http, upstream):
    response = http.get(USERS + "p" * (4096 - len(USERS) + 1))
    assert outcome(response, upstream) == (414, PROBLEM, URI_TOO_LONG, 0)


def test_a_path_of_4096_bytes_is_routed(http, upstream):
    response = http.get(USERS + "p" * (4096 - len(USERS)))
    assert outcome(response, upstream) == (400, PROBLEM, INVALID_NAME, 0)


def test_the_path_is_measured_as_sent_percent_encoded(http, upstream):
    # 1366 "é" are 2732 bytes of UTF-8, 8196 bytes on the wire.
    response = http.get(USERS + quote("é" * 1366))
    assert outcome(response, upstream) == (414, PROBLEM, URI_TOO_LONG, 0)


def test_a_query_string_over_8192_bytes_is_a_414_before_anything_else(http, upstream):
    query = "pad=" + "q" * (8192 - 4 + 1)
    response = http.get(USERS + "Marta_Quill?" + query)
    assert outcome(response, upstream) == (414, PROBLEM, URI_TOO_LONG, 0)


def test_a_query_string_of_8192_bytes_is_served(http, upstream):
    query = "pad=" + "q" * (8192 - 4)
    response = http.get(USERS + "Marta_Quill?" + query)
    # A cold real user costs the profile and the enrollments (docs/api.md, "Identity").
    assert (response.status_code, upstream.total) == (200, 2)


def test_a_414_never_echoes_the_target(http, upstream):
    response = http.get(USERS + "Echo_" + "e" * 5000)
    assert "Echo_" not in response.text, "the 414 echoes the target"
    assert response.json()["instance"] is None


# ---- names --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "x" * 256,
        "é" * 128,  # 128 characters, 256 bytes
        "A" + "_" * 300 + "B",  # "A B" once collapsed: the limit applies before
        " " * 200 + "Marta Quill" + " " * 50,
    ],
)
def test_a_username_over_255_bytes_as_written_is_refused_unasked(http, upstream, name):
    response = http.get(USERS + quote(name, safe=""))
    assert outcome(response, upstream) == (400, PROBLEM, INVALID_NAME, 0)


def test_a_username_of_255_bytes_with_a_run_of_underscores_is_one_user(http, upstream):
    name = "Marta" + "_" * 245 + "Quill"
    response = http.get(USERS + name)
    assert (response.status_code, response.json()["username"], upstream.total) == (
        200,
        w.MARTA,
        2,  # the profile and the enrollments (docs/api.md, "Identity")
    )


def test_a_long_name_in_a_batch_is_refused_on_its_own(http, upstream):
    names = ["Marta_Quill", "A" + "_" * 300 + "B"]
    response = http.get("/api/users", params={"usernames": "|".join(names)})
    users = response.json()["users"]
    asked = upstream.counters()["user_stats"]
    assert (users[0]["username"], users[1]["error"]["status"], asked) == (w.MARTA, 400, 1)


def test_a_course_slug_over_1024_bytes_is_refused_unasked(http, upstream):
    response = http.get(f"/api/courses/{'S' * 600}/{'T' * 600}")
    assert outcome(response, upstream) == (400, PROBLEM, INVALID_NAME, 0)


def test_a_campaign_slug_over_1024_bytes_is_refused_unasked(http, upstream):
    response = http.get(f"/api/campaigns/{'c' * 1025}/active-courses")
    assert outcome(response, upstream) == (400, PROBLEM, INVALID_NAME, 0)


# ---- nothing is remembered --------------------------------------------------------------


def test_distinct_long_names_leave_nothing_behind(http, upstream):
    """500 distinct 3.9 KB names that collapse to short ones: a memo would keep ~2 MB."""

    def names(start: int, count: int) -> list[str]:
        return [f"A{'_' * 3890}{i}" for i in range(start, start + count)]

    # Logging as `serve` sets it up: pytest's own capture would keep every line.
    with restored_logging():
        configure_process_logging("INFO", io.StringIO())
        statuses, retained = retained_after(http, names(0, 200), names(200, 500))
    assert statuses == {400}
    assert upstream.total == 0
    assert retained < 500_000, f"{retained} bytes retained after 500 refused names"


def retained_after(
    http: httpx.Client, warm_up: list[str], measured: list[str]
) -> tuple[set[int], int]:
    """Statuses of ``measured``, and the bytes still allocated after them, but not before."""
    tracemalloc.start()
    try:
        # First fill, while traced, what is bounded by count anyway: pools,
        # buffers, and the standard library's own memo of the last 128 URLs
        # split (urllib.parse), on both sides of the socket.
        for name in warm_up:
            http.get(USERS + name)
        gc.collect()
        before = tracemalloc.get_traced_memory()[0]
        statuses = {http.get(USERS + name).status_code for name in measured}
        gc.collect()
        return statuses, tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
