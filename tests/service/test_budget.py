"""The upstream budget and the in-flight gate, with injected clocks and a real Redis.

Documented behaviour (docs/security.md, "The dashboard's load has a ceiling"): tokens
refill at ``OUTREACH_UPSTREAM_RATE`` per second up to ``OUTREACH_UPSTREAM_BURST``; bulk
work stops at the interactive share of the burst; an interactive request waits at most
3 s for its turn (a token, then a free connection), bulk work at most 1 s
(``OUTREACH_UPSTREAM_WAIT_*``); interactive waiters go first. Bulk work waits in one
line per process: only its head asks the bucket, and work whose turn would come past its
wait (one token per turn, at the rate) is refused at once. A page view's work left
running once its answer has gone out is bulk.
"""

from __future__ import annotations

import asyncio

import pytest

from outreach_helper.cache.stores import MemoryStore, RedisStore, ResilientStore
from outreach_helper.redis_client import SharedRedis
from outreach_helper.upstream.budget import (
    Budget,
    BudgetExhausted,
    Limits,
    LocalBucket,
    Priority,
    SharedBucket,
    current_priority,
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


# docs/security.md: a page view waits at most 3 s for its turn, bulk work at most 1 s.
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
    workers = [SharedRedis(redis_server.url) for _ in range(2)]
    buckets = [SharedBucket(redis, key, slow, fallback=fallback) for redis in workers]
    budgets = [Budget(b, slow, patience=PATIENCE, sleep=_never) for b in buckets]
    taken = 0
    with priority(Priority.INTERACTIVE):
        for i in range(20):
            try:
                await budgets[i % 2].spend()
            except BudgetExhausted:
                break
            taken += 1
    for redis in workers:
        await redis.aclose()
    assert taken == 6


async def test_without_redis_the_bucket_falls_back_to_the_process():
    nobody = SharedRedis(f"redis://127.0.0.1:{free_port()}/0")
    dead = SharedBucket(nobody, "k", SLOW, fallback=LocalBucket(SLOW))
    b = Budget(dead, SLOW, patience=PATIENCE, sleep=_never)
    taken = await spend_all(b, Priority.INTERACTIVE)
    await nobody.aclose()
    assert taken == 4


# ---- Redis away: one view of the outage for every part (docs/operations.md, "Outages"):
# after Redis could not be reached it is left alone for 5 s, then asked again. ----

# Tokens enough for every test below from the process's own bucket (a frozen clock).
PLENTY = Limits(rate=1.0, burst=100.0, reserve=0.0)
BACK_OFF = 5.0


async def budget_calls(url: str) -> int:
    """How many times the server ran the budget's script, by its own count."""
    import redis.asyncio as aioredis

    raw = aioredis.Redis.from_url(url)
    stats = await raw.info("commandstats")
    await raw.aclose()
    return sum(stats.get(name, {}).get("calls", 0) for name in ("cmdstat_evalsha", "cmdstat_eval"))


def shared_budget(redis: SharedRedis, monotonic: FakeClock, key: str = "budget") -> Budget:
    local = LocalBucket(PLENTY, clock=monotonic)
    return Budget(SharedBucket(redis, key, PLENTY, fallback=local), PLENTY, patience=PATIENCE)


async def test_while_redis_is_away_the_budget_does_not_ask_it_for_every_token(private_redis):
    monotonic = FakeClock(0)
    redis = SharedRedis(private_redis.url, monotonic=monotonic)
    b = shared_budget(redis, monotonic)
    with priority(Priority.INTERACTIVE):
        await asyncio.to_thread(private_redis.stop)
        await b.spend()  # Redis cannot be reached: a token of the process's own
        await asyncio.to_thread(private_redis.start)
        for _ in range(10):
            await b.spend()
        during = await budget_calls(private_redis.url)
        monotonic.advance(BACK_OFF)
        await b.spend()
        after = await budget_calls(private_redis.url)
    await redis.aclose()
    assert (during, after > 0) == (0, True)


async def test_once_the_pause_is_over_one_token_asks_redis_and_the_others_do_not_wait(
    private_redis,
):
    monotonic = FakeClock(0)
    redis = SharedRedis(private_redis.url, monotonic=monotonic)
    b = shared_budget(redis, monotonic)
    with priority(Priority.INTERACTIVE):
        await asyncio.to_thread(private_redis.stop)
        await b.spend()
        await asyncio.to_thread(private_redis.start)
        other = SharedRedis(private_redis.url)  # another worker, whose token loads the script
        await shared_budget(other, FakeClock(0)).spend()
        await other.aclose()
        before = await budget_calls(private_redis.url)
        monotonic.advance(BACK_OFF)
        await asyncio.gather(*(b.spend() for _ in range(10)))
        asked = await budget_calls(private_redis.url) - before
    await redis.aclose()
    assert asked == 1


async def test_an_outage_the_cache_store_saw_holds_the_budget_back_too(private_redis, prefix):
    monotonic = FakeClock(0)
    redis = SharedRedis(private_redis.url, monotonic=monotonic)
    b = shared_budget(redis, monotonic)
    await asyncio.to_thread(private_redis.stop)
    cache = ResilientStore(RedisStore(redis), MemoryStore(10))
    await cache.get(f"{prefix}:k")  # the cache finds Redis away
    await asyncio.to_thread(private_redis.start)
    with priority(Priority.INTERACTIVE):
        for _ in range(10):
            await b.spend()
    asked = await budget_calls(private_redis.url)
    await redis.aclose()
    assert asked == 0


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


async def test_a_page_views_lookups_waiting_once_it_is_answered_wait_behind_the_next_view():
    # docs/security.md: what a page view leaves running once answered is bulk, and a
    # waiting page view gets the next slot before bulk work, whenever the work queued.
    gate = Gate(1, deadlines=PATIENCE)
    order: list[str] = []

    async def ask(name: str) -> None:
        async with gate.slot():
            order.append(name)

    async with Occupied(gate):
        with priority(Priority.INTERACTIVE) as answered_view:
            late = asyncio.create_task(ask("late lookup of an answered view"))
        await asyncio.sleep(0)  # it queues while its view is still a page view
        answered_view.answered()
        with priority(Priority.INTERACTIVE):
            next_view = asyncio.create_task(ask("next page view"))
        await asyncio.sleep(0)
    await asyncio.gather(late, next_view)
    assert order == ["next page view", "late lookup of an answered view"]


async def test_waiting_for_a_slot_has_a_deadline():
    gate = Gate(1, deadlines={Priority.INTERACTIVE: 0.01, Priority.BULK: 0.01})
    async with Occupied(gate):
        with pytest.raises(BudgetExhausted):
            async with gate.slot():
                pass


async def test_bulk_work_leaves_the_last_free_slot_to_page_views():
    # docs/security.md: bulk work never takes the last free connection (of two or more).
    gate = Gate(2, deadlines={Priority.INTERACTIVE: 30, Priority.BULK: 0.01})
    async with Occupied(gate):  # bulk work (no route said otherwise) holds one of two
        with pytest.raises(BudgetExhausted):
            async with gate.slot():  # more bulk work: the free one is the last
                pass
        with priority(Priority.INTERACTIVE):
            async with gate.slot():  # a page view takes it at once
                pass


async def test_a_page_view_passes_bulk_work_waiting_for_a_slot():
    gate = Gate(2, deadlines=PATIENCE)
    order: list[str] = []

    async def bulk() -> None:
        async with gate.slot():
            order.append("bulk")

    async def page_view() -> None:
        with priority(Priority.INTERACTIVE):
            async with gate.slot():
                order.append("page view")

    async with Occupied(gate):  # bulk work holds one of two
        waiting = asyncio.create_task(bulk())
        await asyncio.sleep(0)  # more bulk work waits: the free slot is the last
        # A bound on the test, not a measure: the page view enters without waiting.
        await asyncio.wait_for(page_view(), PATIENCE[Priority.INTERACTIVE])
        assert not waiting.done()
    await waiting  # its turn came once the first bulk holder left
    assert order == ["page view", "bulk"]


async def test_with_one_slot_bulk_work_still_gets_it():
    gate = Gate(1, deadlines={Priority.INTERACTIVE: 0.01, Priority.BULK: 0.01})
    async with gate.slot():
        pass


class CountingBucket:
    """A local bucket that counts how often it is asked."""

    def __init__(self, limits: Limits, clock: FakeClock) -> None:
        self.inner = LocalBucket(limits, clock=clock)
        self.asked = 0

    async def take(self, floor: float, rate: float) -> float:
        self.asked += 1
        return await self.inner.take(floor, rate)

    async def aclose(self) -> None:
        return None


class HeldSleep:
    """A sleep that lasts until the test lets it end."""

    def __init__(self) -> None:
        self.over = asyncio.Event()
        self.sleeping = 0

    async def __call__(self, seconds: float) -> None:
        self.sleeping += 1
        await self.over.wait()


async def test_bulk_work_waits_in_one_line_whose_head_alone_asks_the_bucket():
    limits = Limits(rate=2.0, burst=4.0, reserve=4.0)  # bulk finds no token: all must wait
    bucket, sleep = CountingBucket(limits, FakeClock(0)), HeldSleep()
    b = Budget(bucket, limits, patience=PATIENCE, sleep=sleep)

    async def bulk() -> None:
        with priority(Priority.BULK):
            await b.spend()

    waiting = [asyncio.create_task(bulk()) for _ in range(3)]
    for _ in range(5):
        await asyncio.sleep(0)
    assert bucket.asked == 1  # the head asked and sleeps; the others wait their turn
    assert sleep.sleeping == 1
    # A fourth would have its turn 3 tokens from now: 1.5 s at 2 a second, past bulk's 1 s.
    with pytest.raises(BudgetExhausted) as refused:
        await bulk()
    assert refused.value.retry_after == 2
    assert bucket.asked == 1  # refused without asking
    for task in waiting:
        task.cancel()
    await asyncio.gather(*waiting, return_exceptions=True)


async def test_the_bulk_line_says_how_full_it_is_against_a_share_of_the_wait():
    limits = Limits(rate=2.0, burst=4.0, reserve=4.0)
    b = Budget(
        LocalBucket(limits, clock=FakeClock(0)), limits, patience=PATIENCE, sleep=HeldSleep()
    )

    async def bulk() -> None:
        with priority(Priority.BULK):
            await b.spend()

    assert b.takes_bulk_work(share=0.5)  # an empty line takes anyone
    waiting = [asyncio.create_task(bulk())]
    await asyncio.sleep(0)
    # One waits: its turn is 0.5 s away, within half of bulk work's 1 s.
    assert b.takes_bulk_work(share=0.5)
    waiting.append(asyncio.create_task(bulk()))
    await asyncio.sleep(0)
    # Two: a newcomer's turn would be 1 s away, past half the wait, not past all of it.
    assert not b.takes_bulk_work(share=0.5)
    assert b.takes_bulk_work()
    for task in waiting:
        task.cancel()
    await asyncio.gather(*waiting, return_exceptions=True)


async def test_a_page_view_does_not_wait_in_the_bulk_line():
    limits = Limits(rate=2.0, burst=4.0, reserve=4.0)
    sleep = HeldSleep()
    b = Budget(LocalBucket(limits, clock=FakeClock(0)), limits, patience=PATIENCE, sleep=sleep)

    async def bulk() -> None:
        with priority(Priority.BULK):
            await b.spend()

    waiting = [asyncio.create_task(bulk()) for _ in range(2)]
    await asyncio.sleep(0)
    with priority(Priority.INTERACTIVE):
        await b.spend()  # the reserve is the page view's, at once
    assert sleep.sleeping == 1  # only the bulk head sleeps
    for task in waiting:
        task.cancel()
    await asyncio.gather(*waiting, return_exceptions=True)


async def test_what_a_page_view_leaves_running_once_answered_is_bulk():
    frozen = Budget(LocalBucket(SLOW, clock=FakeClock(0)), SLOW, patience=PATIENCE, sleep=_never)
    with priority(Priority.INTERACTIVE) as work:
        await frozen.spend()
        await frozen.spend()  # 2 of 4 left: the reserve, a page view's alone
        work.answered()
        with pytest.raises(BudgetExhausted):
            await frozen.spend()
        assert current_priority() is Priority.BULK


async def _never(seconds: float) -> None:
    raise AssertionError(f"should not wait, asked to sleep {seconds}")
