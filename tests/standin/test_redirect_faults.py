"""Redirect and gateway faults: what a ``force_ssl`` loop, a host move (wmflabs to
wmcloud) or the web server in front of the app (502/503/504 pages) would send.
Upstream README: any redirect but the profile route's 302 to ``/`` is trouble."""

from __future__ import annotations

import httpx
import pytest

from outreach_standin.world import COURSE_ACTIVE, MARTA
from tests.standin.support import JSON, course_path


def fault(client: httpx.Client, **plan: object) -> httpx.Response:
    return client.post("/__standin/faults", json=plan)


def test_by_default_a_redirect_sends_the_same_path_and_query_to_https(client: httpx.Client) -> None:
    fault(client, mode="redirect").raise_for_status()
    response = client.get("/user_stats.json", params={"username": MARTA}, headers=JSON)
    host = httpx.URL(str(client.base_url)).netloc.decode()
    assert (response.status_code, response.headers["location"]) == (
        301,
        f"https://{host}/user_stats.json?username={MARTA.replace(' ', '+')}",
    )


def test_a_host_move_keeps_the_path(client: httpx.Client) -> None:
    fault(
        client, mode="redirect", redirect_status=302, redirect_base="https://dashboard.example"
    ).raise_for_status()
    path = course_path(COURSE_ACTIVE)
    response = client.get(path, headers=JSON)
    assert (response.status_code, response.headers["location"]) == (
        302,
        "https://dashboard.example" + path,
    )


def test_a_redirect_sets_the_session_cookie(client: httpx.Client) -> None:
    fault(client, mode="redirect").raise_for_status()
    response = client.get(course_path(COURSE_ACTIVE), headers=JSON)
    assert response.headers["set-cookie"].startswith("_wikiedudashboard_session=")


@pytest.mark.parametrize("status", [502, 503, 504])
def test_the_gateway_answers_for_the_app(client: httpx.Client, status: int) -> None:
    fault(client, mode="gateway", status=status, retry_after=7).raise_for_status()
    response = client.get(course_path(COURSE_ACTIVE), headers=JSON)
    retry_after = response.headers.get("retry-after")
    assert (response.status_code, response.headers["content-type"].startswith("text/html")) == (
        status,
        True,
    )
    assert retry_after == ("7" if status == 503 else None)


@pytest.mark.parametrize(
    "plan",
    [
        {"mode": "redirect", "redirect_status": 200},
        {"mode": "redirect", "redirect_base": "ftp://x"},
        {"mode": "redirect", "redirect_base": "https://x/some/path"},
        {"mode": "gateway", "status": 500},
    ],
)
def test_impossible_fault_options_are_refused(
    client: httpx.Client, plan: dict[str, object]
) -> None:
    assert fault(client, **plan).status_code == 400


def test_a_dripped_answer_is_the_real_answer_in_small_pieces(client: httpx.Client) -> None:
    whole = client.get(course_path(COURSE_ACTIVE), headers=JSON).content
    fault(client, mode="drip", slow_seconds=0.02).raise_for_status()
    with client.stream("GET", course_path(COURSE_ACTIVE), headers=JSON) as response:
        pieces = list(response.iter_raw())
    assert (b"".join(pieces), max(len(p) for p in pieces) <= 20) == (whole, True)
