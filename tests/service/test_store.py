"""One contract for every store, run against the embedded store and a real Redis."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from outreach_helper.cache.stores import (
    MemoryStore,
    RedisStore,
    ResilientStore,
    Store,
    StoreUnavailable,
)
from outreach_helper.redis_client import SharedRedis
from tests.support.clocks import FakeClock
from tests.support.servers import RedisServer, free_port


@pytest.fixture(params=["memory", "redis"])
async def store(request, prefix) -> AsyncIterator[tuple[Store, str]]:
    if request.param == "memory":
        yield MemoryStore(100), prefix
        return
    server: RedisServer = request.getfixturevalue("redis_server")
    redis = SharedRedis(server.url)
    yield RedisStore(redis), prefix
    await redis.aclose()


async def test_get_of_an_unknown_key_is_none(store):
    backend, prefix = store
    assert await backend.get(f"{prefix}:nothing") is None


async def test_set_then_get_returns_the_bytes(store):
    backend, prefix = store
    await backend.set(f"{prefix}:k", b'{"a": 1}', ttl=60)
    assert await backend.get(f"{prefix}:k") == b'{"a": 1}'


async def test_a_lock_is_exclusive_until_released(store):
    backend, prefix = store
    first = await backend.acquire_lock(f"{prefix}:lock", "one", 5000)
    second = await backend.acquire_lock(f"{prefix}:lock", "two", 5000)
    await backend.release_lock(f"{prefix}:lock", "one")
    third = await backend.acquire_lock(f"{prefix}:lock", "three", 5000)
    assert (first, second, third) == (True, False, True)


async def test_only_the_holder_can_release_a_lock(store):
    backend, prefix = store
    await backend.acquire_lock(f"{prefix}:lock", "holder", 5000)
    await backend.release_lock(f"{prefix}:lock", "someone-else")
    assert await backend.acquire_lock(f"{prefix}:lock", "late", 5000) is False


async def test_redis_keys_carry_an_expiry(redis_server, prefix):
    import redis.asyncio as aioredis

    redis = SharedRedis(redis_server.url)
    await RedisStore(redis).set(f"{prefix}:k", b"v", ttl=120)
    raw = aioredis.Redis.from_url(redis_server.url)
    ttl_ms = await raw.pttl(f"{prefix}:k")
    await raw.aclose()
    await redis.aclose()
    assert 0 < ttl_ms <= 120_000


async def test_memory_entries_expire_by_the_injected_clock():
    clock = FakeClock()
    backend = MemoryStore(10, clock=clock)
    await backend.set("k", b"v", ttl=10)
    clock.advance(10)
    assert await backend.get("k") is None


async def test_memory_store_stays_within_its_bound_after_100k_names():
    backend = MemoryStore(1000)
    for i in range(100_000):
        await backend.set(f"outreach:user:Editor {i}", b'{"fetched_at":0,"missing":true}', 600)
    assert len(backend) == 1000


async def test_a_flood_of_remembered_misses_never_evicts_a_real_entry():
    backend = MemoryStore(1000)
    await backend.set("outreach:user:Marta Quill", b"real", 3600)
    for i in range(100_000):
        await backend.set(f"outreach:user_profile:invented {i}", b"miss", 600, disposable=True)
    assert (await backend.get("outreach:user:Marta Quill"), len(backend)) == (b"real", 251)


async def test_memory_store_evicts_the_least_recently_used():
    backend = MemoryStore(2)
    await backend.set("a", b"1", 60)
    await backend.set("b", b"2", 60)
    await backend.get("a")
    await backend.set("c", b"3", 60)
    assert (await backend.get("a"), await backend.get("b")) == (b"1", None)


async def test_redis_store_raises_store_unavailable_when_nothing_listens():
    nobody = SharedRedis(f"redis://127.0.0.1:{free_port()}/0", timeout=0.2)
    with pytest.raises(StoreUnavailable):
        await RedisStore(nobody).get("k")
    await nobody.aclose()


async def test_resilient_store_falls_back_and_reports_unhealthy():
    nobody = SharedRedis(f"redis://127.0.0.1:{free_port()}/0", timeout=0.2)
    backend = ResilientStore(RedisStore(nobody), MemoryStore(10))
    await backend.set("k", b"v", 60)
    assert (await backend.get("k"), backend.healthy, backend.shared) == (b"v", False, False)
    await backend.aclose()
    await nobody.aclose()


async def test_after_a_failure_redis_is_left_alone_then_asked_again_by_itself(
    private_redis, prefix
):
    # docs/caching.md, "Stores": the service goes back to Redis by itself when Redis returns
    # (after a pause of 5 s, as for the in-flight leases).
    monotonic = FakeClock(0)
    redis = SharedRedis(private_redis.url, monotonic=monotonic)
    backend = ResilientStore(RedisStore(redis), MemoryStore(10))
    await asyncio.to_thread(private_redis.stop)
    await backend.set(f"{prefix}:k", b"during", 60)
    await asyncio.to_thread(private_redis.start)
    await backend.set(f"{prefix}:k", b"paused", 60)  # still left alone: kept locally
    paused = (backend.healthy, await stored(private_redis.url, f"{prefix}:k"))
    monotonic.advance(5.0)
    await backend.set(f"{prefix}:k", b"back", 60)
    back = (backend.healthy, await stored(private_redis.url, f"{prefix}:k"))
    await redis.aclose()
    assert (paused, back) == ((False, None), (True, b"back"))


async def test_health_asks_redis_at_once_and_ends_the_outage(private_redis, prefix):
    monotonic = FakeClock(0)
    redis = SharedRedis(private_redis.url, monotonic=monotonic)
    backend = ResilientStore(RedisStore(redis), MemoryStore(10))
    await asyncio.to_thread(private_redis.stop)
    await backend.get(f"{prefix}:k")
    await asyncio.to_thread(private_redis.start)
    await backend.ping()  # /health's probe, within the pause
    await backend.set(f"{prefix}:k", b"v", 60)
    landed = await stored(private_redis.url, f"{prefix}:k")
    await redis.aclose()
    assert (backend.healthy, landed) == (True, b"v")


async def stored(url: str, key: str) -> bytes | None:
    import redis.asyncio as aioredis

    raw = aioredis.Redis.from_url(url)
    value = await raw.get(key)
    await raw.aclose()
    return value if isinstance(value, bytes) else None
