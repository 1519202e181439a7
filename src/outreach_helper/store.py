"""Where cache entries live: one small interface, an embedded store, Redis.

Values are opaque bytes (JSON envelopes written by ``swr``); every key gets an
expiry. ``ResilientStore`` puts Redis in front of the embedded store so that a
Redis outage degrades the service to one-process caching instead of failing
it, and reconnects on its own.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Protocol

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from outreach_helper.errors import OutreachError

Clock = Callable[[], float]

# Delete the lock only if we still hold it: a holder that outlived its lock's
# expiry must not release a lock some other process has taken since.
_RELEASE_LOCK = """
if redis.call('get', KEYS[1]) == ARGV[1] then
    return redis.call('del', KEYS[1])
end
return 0
"""


class StoreUnavailable(OutreachError):
    """The store could not be reached; callers treat this as a cache miss."""


class Store(Protocol):
    """The operations the cache policy needs, and nothing more."""

    @property
    def shared(self) -> bool:
        """True when other processes see the same entries (so locks matter across them)."""
        ...

    async def get(self, key: str) -> bytes | None: ...

    async def set(self, key: str, value: bytes, ttl: float) -> None: ...

    async def acquire_lock(self, key: str, token: str, ttl_ms: int) -> bool: ...

    async def release_lock(self, key: str, token: str) -> None: ...

    async def ping(self) -> None: ...

    async def aclose(self) -> None: ...


class MemoryStore:
    """An in-process LRU store bounded by entry count; the embedded default.

    Expired entries are dropped when read; the LRU bound keeps memory flat even
    under a flood of distinct usernames, because every write past the bound
    evicts the least recently used entry.
    """

    shared = False

    def __init__(self, max_entries: int, *, clock: Clock = time.time) -> None:
        self._max = max_entries
        self._clock = clock
        self._entries: OrderedDict[str, tuple[bytes, float]] = OrderedDict()
        self._locks: dict[str, tuple[str, float]] = {}

    def __len__(self) -> int:
        return len(self._entries)

    async def get(self, key: str) -> bytes | None:
        item = self._entries.get(key)
        if item is None:
            return None
        value, expires_at = item
        if expires_at <= self._clock():
            del self._entries[key]
            return None
        self._entries.move_to_end(key)
        return value

    async def set(self, key: str, value: bytes, ttl: float) -> None:
        self._entries[key] = (value, self._clock() + ttl)
        self._entries.move_to_end(key)
        while len(self._entries) > self._max:
            self._entries.popitem(last=False)

    async def acquire_lock(self, key: str, token: str, ttl_ms: int) -> bool:
        now = self._clock()
        held = self._locks.get(key)
        if held is not None and held[1] > now:
            return False
        self._locks[key] = (token, now + ttl_ms / 1000)
        return True

    async def release_lock(self, key: str, token: str) -> None:
        held = self._locks.get(key)
        if held is not None and held[0] == token:
            del self._locks[key]

    async def ping(self) -> None:
        return None

    async def aclose(self) -> None:
        self._entries.clear()


class RedisStore:
    """Redis via one asyncio connection pool, with short timeouts.

    Short socket timeouts matter more than retries here: a hung Redis must cost
    a request milliseconds, after which ``ResilientStore`` stops asking it.
    """

    shared = True

    def __init__(self, url: str, *, timeout: float = 0.5) -> None:
        self._redis = aioredis.Redis.from_url(
            url,
            socket_timeout=timeout,
            socket_connect_timeout=timeout,
            retry_on_timeout=False,
            decode_responses=False,
            max_connections=64,
        )
        self._release = self._redis.register_script(_RELEASE_LOCK)

    async def get(self, key: str) -> bytes | None:
        try:
            value = await self._redis.get(key)
        except (RedisError, OSError) as exc:
            raise StoreUnavailable(f"redis get failed: {exc!r}") from exc
        return value if isinstance(value, bytes) else None

    async def set(self, key: str, value: bytes, ttl: float) -> None:
        try:
            await self._redis.set(key, value, px=max(1, int(ttl * 1000)))
        except (RedisError, OSError) as exc:
            raise StoreUnavailable(f"redis set failed: {exc!r}") from exc

    async def acquire_lock(self, key: str, token: str, ttl_ms: int) -> bool:
        try:
            return bool(await self._redis.set(key, token, nx=True, px=ttl_ms))
        except (RedisError, OSError) as exc:
            raise StoreUnavailable(f"redis lock failed: {exc!r}") from exc

    async def release_lock(self, key: str, token: str) -> None:
        try:
            await self._release(keys=[key], args=[token])
        except (RedisError, OSError) as exc:
            raise StoreUnavailable(f"redis unlock failed: {exc!r}") from exc

    async def ping(self) -> None:
        try:
            await self._redis.ping()
        except (RedisError, OSError) as exc:
            raise StoreUnavailable(f"redis ping failed: {exc!r}") from exc

    async def aclose(self) -> None:
        await self._redis.aclose()


class ResilientStore:
    """Redis first, the embedded store while Redis is away.

    After a failure Redis is left alone for ``retry_after`` seconds (so an
    outage costs one timeout, not one per request), then the next operation
    tries it again; the first success ends the outage. While degraded, locks
    are process-local, which still collapses concurrent requests per process.
    """

    def __init__(
        self,
        primary: Store,
        fallback: MemoryStore,
        *,
        retry_after: float = 2.0,
        clock: Clock = time.monotonic,
    ) -> None:
        self._primary = primary
        self._fallback = fallback
        self._retry_after = retry_after
        self._clock = clock
        self._down_until = 0.0
        self.last_error: str | None = None

    @property
    def shared(self) -> bool:
        return self.healthy

    @property
    def healthy(self) -> bool:
        return self.last_error is None

    def _use_primary(self) -> bool:
        return self.last_error is None or self._clock() >= self._down_until

    def _failed(self, exc: StoreUnavailable) -> None:
        self.last_error = str(exc)
        self._down_until = self._clock() + self._retry_after

    def _recovered(self) -> None:
        self.last_error = None

    async def get(self, key: str) -> bytes | None:
        if self._use_primary():
            try:
                value = await self._primary.get(key)
            except StoreUnavailable as exc:
                self._failed(exc)
            else:
                self._recovered()
                return value
        return await self._fallback.get(key)

    async def set(self, key: str, value: bytes, ttl: float) -> None:
        if self._use_primary():
            try:
                await self._primary.set(key, value, ttl)
            except StoreUnavailable as exc:
                self._failed(exc)
            else:
                self._recovered()
                return
        await self._fallback.set(key, value, ttl)

    async def acquire_lock(self, key: str, token: str, ttl_ms: int) -> bool:
        if self._use_primary():
            try:
                taken = await self._primary.acquire_lock(key, token, ttl_ms)
            except StoreUnavailable as exc:
                self._failed(exc)
            else:
                self._recovered()
                return taken
        return await self._fallback.acquire_lock(key, token, ttl_ms)

    async def release_lock(self, key: str, token: str) -> None:
        if self._use_primary():
            try:
                await self._primary.release_lock(key, token)
            except StoreUnavailable as exc:
                self._failed(exc)
        await self._fallback.release_lock(key, token)

    async def ping(self) -> None:
        """Probe Redis now (ignoring the back-off); raises StoreUnavailable if it is down."""
        try:
            await self._primary.ping()
        except StoreUnavailable as exc:
            self._failed(exc)
            raise
        self._recovered()

    async def aclose(self) -> None:
        await self._primary.aclose()
        await self._fallback.aclose()
