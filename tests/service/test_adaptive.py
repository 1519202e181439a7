"""The adaptive limit, from docs/politeness.md ("Fewer when it is slow"):

an answer more than twice as slow as usual (plus 20 ms), or a timeout, halves
the requests in flight (at least one); every answer in the usual time gives a
tenth of a slot back; the rate follows the same share; a dashboard slower for
good becomes the new usual.
"""

from __future__ import annotations

import pytest

from outreach_helper.app import build_parts
from outreach_helper.upstream.adaptive import AdaptiveLimit
from outreach_helper.upstream.client import DashboardClient
from outreach_helper.upstream.contract import Attempt
from outreach_helper.upstream.documents import USER
from outreach_standin import world as w

OK, TIMEOUT = Attempt.OK, Attempt.TIMEOUT
USUAL = 0.4  # user_stats, seconds


def warmed(ceiling: int = 2) -> AdaptiveLimit:
    limit = AdaptiveLimit(ceiling)
    for _ in range(5):
        limit.observe("user_stats", USUAL, OK)
    return limit


def test_answers_in_the_usual_time_keep_the_ceiling():
    limit = warmed()
    assert (limit.slots(), limit.share()) == (2, 1.0)


def test_answers_three_times_slower_than_usual_halve_the_requests_in_flight_and_the_rate():
    limit = warmed()
    for _ in range(3):
        limit.observe("user_stats", 3 * USUAL, OK)
    assert (limit.slots(), limit.share()) == (1, 0.5)


def test_a_timeout_halves_the_requests_in_flight():
    limit = warmed(ceiling=8)
    limit.observe("user_stats", 10.0, TIMEOUT)
    assert limit.slots() == 4


def test_however_slow_at_least_one_request_is_in_flight():
    limit = warmed(ceiling=8)
    for _ in range(100):
        limit.observe("user_stats", 10.0, TIMEOUT)
    assert limit.slots() == 1


def test_the_limit_climbs_back_step_by_step_when_answers_are_usual_again():
    limit = warmed()
    for _ in range(3):
        limit.observe("user_stats", 3 * USUAL, OK)
    climb = []
    for _ in range(12):
        limit.observe("user_stats", USUAL, OK)
        climb.append(limit.slots())
    # A tenth of a slot per usual answer: back to two after about ten of them, not at once.
    assert (climb[0], climb[-1]) == (1, 2)


def test_what_is_usual_is_learnt_per_document():
    limit = warmed()
    for _ in range(10):
        limit.observe("user_profile", 0.03, OK)  # a profile is much faster: no sign of trouble
    assert limit.slots() == 2


def test_failures_are_not_a_measure_of_speed():
    limit = warmed()
    for _ in range(10):
        limit.observe("user_stats", 5.0, Attempt.UNAVAILABLE)
    assert limit.slots() == 2


def test_a_dashboard_slower_for_good_becomes_the_new_usual():
    limit = warmed()
    for _ in range(1000):
        limit.observe("user_stats", 3 * USUAL, OK)
    assert limit.slots() == 2


@pytest.fixture
async def client(make_settings):
    dashboard = DashboardClient(make_settings(upstream_concurrency=2))
    yield dashboard
    await dashboard.aclose()


async def test_a_dashboard_that_slows_down_gets_fewer_requests_at_once(client, upstream):
    for _ in range(5):
        await client.fetch(USER, w.MARTA)
    upstream.latency(400)  # its workers are queueing
    for _ in range(3):
        await client.fetch(USER, w.MARTA)
    assert client.limit.slots() == 1


async def test_every_dashboards_rate_in_the_app_follows_its_adaptive_limit(make_two_settings):
    """docs/politeness.md, "Fewer when it is slow": half the slots, half the rate, for the
    clients the app builds too (they once took a budget that ignored the limit)."""
    settings = make_two_settings(upstream_concurrency=2, upstream_rate=3.0)
    async with build_parts(settings) as parts:
        for service in parts.services:
            client = service.client
            assert client.budget.rate == 3
            for _ in range(2):  # a round of answers: one halving
                client.limit.observe(USER.endpoint, 10.0, Attempt.TIMEOUT)
            assert client.limit.slots() == 1
            assert client.budget.rate == 1.5
