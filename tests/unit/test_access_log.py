"""The access log is rendered off the request path, a slice at a time, losing nothing."""

from __future__ import annotations

import asyncio
import io

import orjson

from outreach_helper.operations.logs import AccessLog


def recorded(n: int) -> tuple[AccessLog, io.BytesIO]:
    stream = io.BytesIO()
    log = AccessLog(stream, hash_key="test")
    for i in range(n):
        log.record("GET", f"/route/{i}", 200, 0.001, "hit", None)
    return log, stream


def routes(stream: io.BytesIO) -> list[str]:
    return [orjson.loads(line)["route"] for line in stream.getvalue().splitlines()]


async def test_drain_writes_every_line_in_order():
    log, stream = recorded(1000)
    await log.drain()
    assert routes(stream) == [f"/route/{i}" for i in range(1000)]


async def test_drain_lets_other_tasks_run_before_it_is_done():
    log, _ = recorded(1000)
    events: list[str] = []

    async def draining() -> None:
        await log.drain()
        events.append("drained")

    async def other() -> None:
        events.append("other")

    await asyncio.gather(draining(), other())
    assert events == ["other", "drained"]


async def test_a_cancelled_drain_leaves_the_rest_for_flush():
    log, stream = recorded(1000)
    task = asyncio.create_task(log.drain())
    await asyncio.sleep(0)  # the first slice
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    log.flush()
    assert routes(stream) == [f"/route/{i}" for i in range(1000)]
