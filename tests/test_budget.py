"""The upstream budget and the in-flight gate, with injected clocks and a real Redis.

Documented behaviour (README, "Security"): tokens refill at
``OUTREACH_UPSTREAM_RATE`` per second up to ``OUTREACH_UPSTREAM_BURST``; bulk
work stops at the interactive share of the burst; an interactive request waits
at most 3 s for its turn (a token, then a free connection), bulk work at most
1 s (``OUTREACH_UPSTREAM_WAIT_*``); interactive waiters go first.
"""

from __future__ import annotations

import asyncio

import pytest

from outreach_helper.upstream.budget import (
    Budget,
    BudgetExhausted,
    Limits,
    LocalBucket,
    Priority,
    SharedBucket,
    priority,
)
from outreach_helper.upstream.gate import Gate
from tests.support.clocks import FakeClock
from tests.support.servers import free_port

LIMITS = Limits(rate=2.0, burst=4.0, reserve=2.0)
# A token every 100 s: past every deadline, so a dry bucket refuses at once.
SLOW = Limits(rate=0.01, burst=4.0, reserve=2.0)


class ClockedSleep:
    """asyncio.sleep that moves a fake clock instead of waiting."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.slept: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.clock.advance(seconds)


# README: a page view waits at most 3 s for its turn, bulk work at most 1 s.
PATIENCE = {Priority.INTERACTIVE: 3.0, Priority.BULK: 1.0}


def budget(clock: FakeClock, limits: Limits = LIMITS) -> Budget:
    return Budget(
        LocalBucket(limits, clock=clock), limits, patience=PATIENCE, sleep=ClockedSleep(clock)
    )


async def spend_all(b: Budget, level: Priority) -> int:
    """Tokens taken before the first refusal (a frozen clock never refills)."""
    taken = 0
    with priority(level):
        while True:
            try:
                await b.spend()
            except BudgetExhausted:
                return taken
            taken += 1
            if taken > 100:
                raise AssertionError("the bucket never ran dry")


async def test_bulk_work_stops_at_the_interactive_reserve():
    frozen = Budget(LocalBucket(SLOW, clock=FakeClock(0)), SLOW, patience=PATIENCE, sleep=_never)
    assert await spend_all(frozen, Priority.BULK) == 2  # burst 4 less the reserve of 2


async def test_interactive_work_may_use_the_reserve_bulk_left():
    frozen = Budget(LocalBucket(SLOW, clock=FakeClock(0)), SLOW, patience=PATIENCE, sleep=_never)
    await spend_all(frozen, Priority.BULK)
    assert await spend_all(frozen, Priority.INTERACTIVE) == 2


async def test_an_interactive_request_waits_for_the_next_token_within_its_deadline():
    clock = FakeClock(0)
    b = budget(clock)
    with priority(Priority.INTERACTIVE):
        for _ in range(4):
            await b.spend()
        await b.spend()  # the bucket is empty: one token comes after 1 / rate seconds
    assert clock.now == pytest.approx(0.5)


async def test_a_request_refused_past_its_deadline_says_when_to_come_back():
    slow = Limits(rate=0.1, burst=1.0, reserve=0.0)  # the next token in 10 s: past any deadline
    b = Budget(LocalBucket(slow, clock=FakeClock(0)), slow, patience=PATIENCE, sleep=_never)
    with priority(Priority.INTERACTIVE):
        await b.spend()
        with pytest.raises(BudgetExhausted) as refused:
            await b.spend()
    assert refused.value.retry_after == 10


async def test_tokens_refill_at_the_rate():
    clock = FakeClock(0)
    b = Budget(LocalBucket(SLOW, clock=clock), SLOW, patience=PATIENCE, sleep=_never)
    await spend_all(b, Priority.INTERACTIVE)
    clock.advance(200.0)  # two tokens at 0.01 per second
    assert await spend_all(b, Priority.INTERACTIVE) == 2


async def test_work_is_bulk_unless_a_route_says_otherwise():
    frozen = Budget(LocalBucket(SLOW, clock=FakeClock(0)), SLOW, patience=PATIENCE, sleep=_never)
    taken = 0
    with pytest.raises(BudgetExhausted):  # noqa: PT012 - counts the spends before the refusal
        for _ in range(10):
            await frozen.spend()
            taken += 1
    assert taken == 2


async def test_workers_sharing_redis_share_one_bucket(redis_server, prefix):
    slow = Limits(rate=0.001, burst=6.0, reserve=0.0)  # no refill within the test
    key = f"{prefix}:outreach:budget"
    fallback = LocalBucket(slow)
    buckets = [SharedBucket(redis_server.url, key, slow, fallback=fallback) for _ in range(2)]
    budgets = [Budget(b, slow, patience=PATIENCE, sleep=_never) for b in buckets]
    taken = 0
    with priority(Priority.INTERACTIVE):
        for i in range(20):
            try:
                await budgets[i % 2].spend()
            except BudgetExhausted:
                break
            taken += 1
    for b in buckets:
        await b.aclose()
    assert taken == 6


async def test_without_redis_the_bucket_falls_back_to_the_process():
    dead = SharedBucket(f"redis://127.0.0.1:{free_port()}/0", "k", SLOW, fallback=LocalBucket(SLOW))
    b = Budget(dead, SLOW, patience=PATIENCE, sleep=_never)
    taken = await spend_all(b, Priority.INTERACTIVE)
    await dead.aclose()
    assert taken == 4


class Occupied:
    """Holds a gate's only slot from entering the block until ``release.set()``."""

    def __init__(self, gate: Gate) -> None:
        self.gate = gate
        self.release = asyncio.Event()
        self._inside = asyncio.Event()
        self.task: asyncio.Task[None] | None = None

    async def _hold(self) -> None:
        async with self.gate.slot():
            self._inside.set()
            await self.release.wait()

    async def __aenter__(self) -> Occupied:
        self.task = asyncio.create_task(self._hold())
        await self._inside.wait()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self.release.set()
        assert self.task is not None
        await self.task


async def test_a_waiting_interactive_request_gets_the_next_slot_before_bulk():
    gate = Gate(1, deadlines=PATIENCE)
    order: list[str] = []

    async def ask(level: Priority, name: str) -> None:
        with priority(level):
            async with gate.slot():
                order.append(name)

    async with Occupied(gate):
        bulk = asyncio.create_task(ask(Priority.BULK, "bulk"))
        await asyncio.sleep(0)  # the bulk request queues first
        interactive = asyncio.create_task(ask(Priority.INTERACTIVE, "interactive"))
        await asyncio.sleep(0)
    await asyncio.gather(bulk, interactive)
    assert order == ["interactive", "bulk"]


async def test_waiting_for_a_slot_has_a_deadline():
    gate = Gate(1, deadlines={Priority.INTERACTIVE: 0.01, Priority.BULK: 0.01})
    async with Occupied(gate):
        with pytest.raises(BudgetExhausted):
            async with gate.slot():
                pass


async def _never(seconds: float) -> None:
    raise AssertionError(f"should not wait, asked to sleep {seconds}")
