"""Capacity mode: Passenger's workers and queue (``docs/WMCLOUD_SETUP/web_server.md``:
``PassengerMaxPoolSize 4``; Passenger's ``PassengerMaxRequestQueueSize`` is 100 by
default and a full queue answers 503 at once), and the traffic statistics.

Asserted on the statistics the stand-in keeps, never on elapsed time.
"""

from __future__ import annotations

import asyncio

import httpx
import pytest

from outreach_standin import StandinServer
from outreach_standin.world import MARTA
from tests.standin.support import JSON

SERVICE = {"user_stats": 100, "other": 100}


def capacity(client: httpx.Client, **plan: object) -> httpx.Response:
    return client.post("/__standin/capacity", json=plan)


async def many(server: StandinServer, n: int, agent: str = "test/1.0") -> list[int]:
    headers = {**JSON, "User-Agent": agent}
    async with httpx.AsyncClient(base_url=server.url, timeout=30, headers=headers) as http:
        answers = await asyncio.gather(
            *(http.get("/user_stats.json", params={"username": MARTA}) for _ in range(n))
        )
    return [a.status_code for a in answers]


def test_four_workers_serve_four_requests_at_once_and_queue_the_rest(
    client: httpx.Client, server: StandinServer
) -> None:
    capacity(client, workers=4, service_ms=SERVICE).raise_for_status()
    statuses = asyncio.run(many(server, 10))
    traffic = client.get("/__standin/traffic").json()
    assert (statuses, traffic["max_in_flight"], traffic["max_queued"] >= 1) == (
        [200] * 10,
        4,
        True,
    )


def test_a_full_queue_is_a_503_at_once(client: httpx.Client, server: StandinServer) -> None:
    capacity(client, workers=1, queue=0, service_ms=SERVICE).raise_for_status()
    statuses = asyncio.run(many(server, 5))
    traffic = client.get("/__standin/traffic").json()
    assert (sorted(statuses), traffic["queue_full"]) == ([200] + [503] * 4, 4)


def test_traffic_is_counted_by_user_agent(client: httpx.Client, server: StandinServer) -> None:
    asyncio.run(many(server, 3, agent="outreach-dashboard-helper/1.0 (contact) httpx/0.28"))
    asyncio.run(many(server, 2, agent="Mozilla/5.0 (X11)"))
    by_agent = client.get("/__standin/traffic").json()["by_agent"]
    assert (by_agent["outreach-dashboard-helper"]["requests"], by_agent["Mozilla"]["requests"]) == (
        3,
        2,
    )


def test_without_capacity_mode_requests_are_still_counted_in_flight(
    client: httpx.Client, server: StandinServer
) -> None:
    asyncio.run(many(server, 3))
    traffic = client.get("/__standin/traffic").json()
    assert (traffic["in_flight"], traffic["requests"], traffic["max_in_flight"] >= 1) == (
        0,
        3,
        True,
    )


def test_a_request_carrying_a_cookie_is_counted(client: httpx.Client) -> None:
    client.get("/user_stats.json", params={"username": MARTA}, headers={"Cookie": "a=b"})
    client.get("/user_stats.json", params={"username": MARTA})
    assert client.get("/__standin/traffic").json()["with_cookie"] == 1


def test_reset_switches_capacity_mode_off(client: httpx.Client) -> None:
    capacity(client, workers=2, service_ms=SERVICE).raise_for_status()
    client.post("/__standin/reset").raise_for_status()
    assert client.get("/__standin/capacity").json()["workers"] is None


@pytest.mark.parametrize(
    "plan",
    [
        {"workers": 0},
        {"workers": 2, "queue": -1},
        {"workers": 2, "service_ms": {"nowhere": 10}},
        {"workers": 2, "slowdown": 0},
        {"workers": 2, "surprise": True},
    ],
)
def test_an_impossible_capacity_is_refused(client: httpx.Client, plan: dict[str, object]) -> None:
    assert capacity(client, **plan).status_code == 400


def test_the_slowdown_multiplies_every_service_time(client: httpx.Client) -> None:
    capacity(client, workers=4, service_ms={"course": 200}, slowdown=3).raise_for_status()
    body = client.get("/__standin/capacity").json()
    assert (body["service_ms"], body["slowdown"]) == ({"course": 200.0}, 3.0)
