"""The bound on requests in flight at a dashboard, shared by every instance through Redis.

Documented behaviour (docs/politeness.md, "Two of its four workers, at most"): at most
``OUTREACH_UPSTREAM_CONCURRENCY`` requests in flight at one dashboard across
every worker and instance; a page view waiting anywhere gets the next free slot
before bulk work, and bulk work never takes the last free one; a dead instance's
slot comes back when its lease runs out; without Redis each process bounds itself.
"""

from __future__ import annotations

import asyncio
import time

import pytest

from outreach_helper.cache.stores import MemoryStore, RedisStore, ResilientStore
from outreach_helper.redis_client import SharedRedis
from outreach_helper.upstream.budget import BudgetExhausted, Priority, priority
from outreach_helper.upstream.gate import Gate
from outreach_helper.upstream.slots import RedisLedger
from tests.support.servers import free_port

INTERACTIVE, BULK = Priority.INTERACTIVE, Priority.BULK
LIMIT = 2


@pytest.fixture
async def instances(redis_server, prefix):
    """Two instances' ledgers of one dashboard, sharing one Redis."""
    key = f"{prefix}:outreach:inflight"
    processes = [SharedRedis(redis_server.url) for _ in range(2)]
    yield [RedisLedger(redis, key, lease_seconds=30) for redis in processes]
    for redis in processes:
        await redis.aclose()


async def test_two_instances_together_hold_at_most_the_limit(instances):
    a, b = instances
    claims = [
        await a.claim("a1", LIMIT, BULK),
        await b.claim("b1", LIMIT, BULK),
        await a.claim("a2", LIMIT, INTERACTIVE),
        await b.claim("b2", LIMIT, INTERACTIVE),
    ]
    assert claims == [True, True, False, False]


async def test_a_released_slot_can_be_taken_by_the_other_instance(instances):
    a, b = instances
    await a.claim("a1", LIMIT, BULK)
    await a.claim("a2", LIMIT, BULK)
    await a.release("a1")
    assert await b.claim("b1", LIMIT, BULK) is True


async def test_a_page_view_waiting_on_one_instance_goes_before_bulk_work_on_another(instances):
    a, b = instances
    await a.claim("a1", LIMIT, BULK)
    await a.claim("a2", LIMIT, BULK)
    assert await b.claim("page", LIMIT, INTERACTIVE) is False  # waits, and says so
    await a.release("a1")
    first_claims = (await a.claim("bulk", LIMIT, BULK), await b.claim("page", LIMIT, INTERACTIVE))
    assert first_claims == (False, True)


async def test_a_page_view_that_gave_up_waiting_holds_nobody_back(instances):
    a, b = instances
    await a.claim("a1", LIMIT, BULK)
    await a.claim("a2", LIMIT, BULK)
    gate = Gate(LIMIT, deadlines={INTERACTIVE: 0.05, BULK: 0.05}, ledger=b)
    with priority(INTERACTIVE), pytest.raises(BudgetExhausted):
        async with gate.slot():
            pass
    await a.release("a1")
    assert await a.claim("bulk", LIMIT, BULK) is True


async def test_a_dead_instances_slot_comes_back_when_its_lease_runs_out(redis_server, prefix):
    key = f"{prefix}:outreach:inflight"
    processes = [SharedRedis(redis_server.url) for _ in range(2)]
    dead = RedisLedger(processes[0], key, lease_seconds=0.2)
    alive = RedisLedger(processes[1], key, lease_seconds=30)
    await dead.claim("d1", 1, BULK)  # and never released: the instance died
    refused_at_first = not await alive.claim("a1", 1, BULK)
    deadline = time.monotonic() + 10  # a bound on the test, not a measure
    while not await alive.claim("a1", 1, BULK):
        assert time.monotonic() < deadline, "the dead instance's lease never ran out"
        await asyncio.sleep(0.05)
    for redis in processes:
        await redis.aclose()
    assert refused_at_first is True


async def test_while_redis_is_away_each_process_holds_one_request_at_most():
    # docs/politeness.md: without the shared count, one request in flight per process.
    nobody = SharedRedis(f"redis://127.0.0.1:{free_port()}/0")
    ledger = RedisLedger(nobody, "k", lease_seconds=30)
    claims = [await ledger.claim(f"t{n}", 2, BULK) for n in range(3)]
    limit = ledger.process_limit(2)
    await nobody.aclose()
    assert (claims, limit) == ([True, True, True], 1)


async def test_an_outage_another_part_saw_counts_for_the_leases_too():
    # One view of Redis per process: the cache store failing is Redis away for the leases.
    nobody = SharedRedis(f"redis://127.0.0.1:{free_port()}/0")
    ledger = RedisLedger(nobody, "k", lease_seconds=30)
    before = ledger.process_limit(2)
    await ResilientStore(RedisStore(nobody), MemoryStore(10)).get("k")
    limit = ledger.process_limit(2)
    await nobody.aclose()
    assert (before, limit) == (2, 1)


async def test_a_reachable_ledger_leaves_the_process_its_whole_limit(instances):
    a, _ = instances
    await a.claim("a1", LIMIT, BULK)
    assert a.process_limit(LIMIT) == LIMIT


async def most_inside_at_once(gates: list[Gate], level: Priority) -> tuple[int, int]:
    """Six requests of ``level`` through two instances' gates: how many were inside once
    the first ones were in and the others had polled the ledger a while, and the most."""
    inside, most = 0, 0
    release = asyncio.Event()
    entered = asyncio.Condition()

    async def hold(gate: Gate) -> None:
        nonlocal inside, most
        with priority(level):
            async with gate.slot():
                inside += 1
                most = max(most, inside)
                async with entered:
                    entered.notify_all()
                await release.wait()
                inside -= 1

    tasks = [asyncio.create_task(hold(gates[n % 2])) for n in range(6)]
    async with entered:
        await asyncio.wait_for(entered.wait_for(lambda: inside > 0), 30)
    # The others are polling the ledger now; let them try a few times.
    for _ in range(20):
        await asyncio.sleep(0.01)
    held_while_full = inside
    release.set()
    await asyncio.gather(*tasks)
    return held_while_full, most


def patient_gates(instances: list[RedisLedger]) -> list[Gate]:
    """A gate per instance whose waiters outlast the test."""
    return [
        Gate(LIMIT, deadlines={INTERACTIVE: 30, BULK: 30}, ledger=ledger) for ledger in instances
    ]


async def test_gates_of_two_instances_let_at_most_the_limit_in_at_once(instances):
    assert await most_inside_at_once(patient_gates(instances), INTERACTIVE) == (LIMIT, LIMIT)


async def test_bulk_work_of_two_instances_leaves_the_last_slot(instances):
    assert await most_inside_at_once(patient_gates(instances), BULK) == (LIMIT - 1, LIMIT - 1)


async def test_a_late_reply_is_asked_again_not_taken_for_an_absent_redis(instances):
    # A claim whose reply came too late may have been written: the same token again is
    # the same lease, so the instances keep counting together.
    a, b = instances
    assert await a.claim("a1", LIMIT, BULK) is True
    again = await a.claim("a1", LIMIT, BULK)  # as after a late reply
    others = [await b.claim("b1", LIMIT, BULK), await b.claim("b2", LIMIT, BULK)]
    assert (again, others, a.process_limit(LIMIT)) == (True, [True, False], LIMIT)
