"""Operators see an outage (docs/operations.md, "Outages"): one warning when a dashboard starts
failing (which dashboard, what kind of failure, never a user or slug), one line when it
answers again, and partial answers marked in the access log."""

from __future__ import annotations

import io
import logging

import orjson
import pytest

from outreach_helper import errors
from outreach_helper.app import create_app
from outreach_helper.upstream.client import DashboardClient
from outreach_helper.upstream.documents import USER
from outreach_standin import world as w
from tests.support.servers import free_port
from tests.support.service import serving

LOGGER = "outreach_helper.upstream.client"
# docs/politeness.md: the breaker opens after 5 failed requests in a row.
THRESHOLD = 5


class Monotonic:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def fail_many(client: DashboardClient, times: int) -> None:
    for _ in range(times):
        with pytest.raises(errors.UpstreamError):
            await client.fetch(USER, w.MARTA)


@pytest.mark.parametrize(
    ("mode", "kind"), [("drop", "unavailable"), ("redirect", "redirected"), ("slow", "timeout")]
)
async def test_one_warning_when_a_dashboard_starts_failing(
    make_settings, upstream, caplog, mode, kind
):
    upstream.fault(mode, slow_seconds=1)
    client = DashboardClient(make_settings(upstream_timeout=0.3), monotonic=Monotonic())
    with caplog.at_level(logging.INFO, logger=LOGGER):
        await fail_many(client, 3 * THRESHOLD)
    await client.aclose()
    lines = [r.getMessage() for r in caplog.records if r.name == LOGGER]
    assert lines == [
        f"dashboard outreach is failing ({kind}): asking it one request at a time every few "
        "seconds; stale answers stand in"
    ]


async def test_a_dashboard_that_cannot_be_reached_at_all_is_logged(make_settings, caplog):
    dead = f"http://127.0.0.1:{free_port()}"
    client = DashboardClient(make_settings(dashboard_url=dead), monotonic=Monotonic())
    with caplog.at_level(logging.INFO, logger=LOGGER):
        await fail_many(client, THRESHOLD)
    await client.aclose()
    assert [r.levelname for r in caplog.records if r.name == LOGGER] == ["WARNING"]


async def test_one_line_when_it_answers_again_and_no_name_in_either(
    make_settings, upstream, caplog
):
    monotonic = Monotonic()
    client = DashboardClient(make_settings(), monotonic=monotonic)
    upstream.fault("drop")
    with caplog.at_level(logging.INFO, logger=LOGGER):
        await fail_many(client, THRESHOLD)
        upstream.heal()
        monotonic.now += 5.0  # docs/politeness.md: the longest pause
        await client.fetch(USER, w.MARTA)
        await client.fetch(USER, w.ZOE)
    await client.aclose()
    lines = [r.getMessage() for r in caplog.records if r.name == LOGGER]
    assert len(lines) == 2, lines
    assert lines[-1] == "dashboard outreach answers again after 5 s"
    assert not any("Marta" in line for line in lines), "an outage line names a user"


async def test_a_partial_answer_is_marked_in_the_access_log(
    make_two_settings, clock, wikiedu_upstream
):
    stream = io.BytesIO()
    wikiedu_upstream.fault("drop")
    app = create_app(make_two_settings(), clock=clock, access_log_stream=stream)
    async with serving(app) as api:
        partial = await api.get("/api/users/Ama_Twohats/status")
        whole = await api.get("/api/users/Marta_Quill/status?wiki=de.wikipedia.org")
        again = await api.get("/api/users/Ama_Twohats/status")  # a hot copy now
    lines = [orjson.loads(line) for line in stream.getvalue().splitlines()]
    marks = [line.get("partial") for line in lines if line.get("event") == "request"]
    assert (partial.json()["partial"], whole.json()["partial"], again.json()["partial"], marks) == (
        True,
        False,
        True,
        [True, None, True],
    )
