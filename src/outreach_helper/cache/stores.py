"""Where cache entries live: one small interface, an embedded store, Redis.

Values are opaque bytes (JSON envelopes written by ``swr``); every key gets an
expiry. ``ResilientStore`` puts Redis in front of the embedded store so that a
Redis outage degrades the service to one-process caching instead of failing
it, and goes back to Redis on its own (when, ``SharedRedis`` decides).
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Protocol, TypeVar

from outreach_helper.clock import Clock
from outreach_helper.errors import OutreachError
from outreach_helper.redis_client import RedisAway, SharedRedis

T = TypeVar("T")

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

    async def set(self, key: str, value: bytes, ttl: float, *, disposable: bool = False) -> None:
        """Store ``value`` for ``ttl`` seconds. ``disposable`` entries (remembered "not
        found" answers, which anyone can mint by asking for invented names) must
        never push ordinary entries out."""
        ...

    async def acquire_lock(self, key: str, token: str, ttl_ms: int) -> bool: ...

    async def release_lock(self, key: str, token: str) -> None: ...

    async def ping(self) -> None: ...

    async def aclose(self) -> None: ...


class _Lru:
    """Entries with expiry times, least recently used first, bounded by count."""

    def __init__(self, max_entries: int) -> None:
        self.max = max_entries
        self.entries: OrderedDict[str, tuple[bytes, float]] = OrderedDict()

    def get(self, key: str, now: float) -> bytes | None:
        item = self.entries.get(key)
        if item is None:
            return None
        value, expires_at = item
        if expires_at <= now:
            del self.entries[key]
            return None
        self.entries.move_to_end(key)
        return value

    def set(self, key: str, value: bytes, expires_at: float) -> None:
        self.entries[key] = (value, expires_at)
        self.entries.move_to_end(key)
        while len(self.entries) > self.max:
            self.entries.popitem(last=False)


class MemoryStore:
    """An in-process LRU store bounded by entry count; the embedded default.

    Expired entries are dropped when read; the LRU bound keeps memory flat even
    under a flood of distinct usernames, because every write past the bound
    evicts the least recently used entry. Disposable entries (remembered "not
    found" answers) live in their own, smaller LRU, so a flood of invented
    names evicts only other invented names, never a real user's entry.
    """

    shared = False
    DISPOSABLE_SHARE = 4  # disposable entries may fill a quarter of the bound

    def __init__(self, max_entries: int, *, clock: Clock = time.time) -> None:
        self._clock = clock
        self._kept = _Lru(max_entries)
        self._disposable = _Lru(max(1, max_entries // self.DISPOSABLE_SHARE))
        self._locks: dict[str, tuple[str, float]] = {}

    def __len__(self) -> int:
        return len(self._kept.entries) + len(self._disposable.entries)

    async def get(self, key: str) -> bytes | None:
        now = self._clock()
        value = self._kept.get(key, now)
        return value if value is not None else self._disposable.get(key, now)

    async def set(self, key: str, value: bytes, ttl: float, *, disposable: bool = False) -> None:
        home, other = (
            (self._disposable, self._kept) if disposable else (self._kept, self._disposable)
        )
        other.entries.pop(key, None)  # a key lives in one place: a user found after all
        home.set(key, value, self._clock() + ttl)

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
        self._kept.entries.clear()
        self._disposable.entries.clear()


class RedisStore:
    """Redis, through the process's one client (``SharedRedis``: short timeouts).

    Short socket timeouts matter more than retries here: a hung Redis must cost
    a request milliseconds, after which nothing asks it for a while
    (``SharedRedis``). Every call goes through :meth:`_call`, the one place
    where Redis's absence becomes ``StoreUnavailable``.
    """

    shared = True

    def __init__(self, redis: SharedRedis) -> None:
        self.redis = redis
        self._client = redis.client
        self._release = self._client.register_script(_RELEASE_LOCK)

    async def _call(self, operation: str, run: Callable[[], Awaitable[T]]) -> T:
        try:
            return await self.redis.call(operation, run)
        except RedisAway as exc:
            raise StoreUnavailable(str(exc)) from exc

    async def get(self, key: str) -> bytes | None:
        value = await self._call("get", lambda: self._client.get(key))
        return value if isinstance(value, bytes) else None

    async def set(self, key: str, value: bytes, ttl: float, *, disposable: bool = False) -> None:
        # Disposable entries already carry their own short TTL in Redis.
        ttl_ms = max(1, int(ttl * 1000))
        await self._call("set", lambda: self._client.set(key, value, px=ttl_ms))

    async def acquire_lock(self, key: str, token: str, ttl_ms: int) -> bool:
        taken = await self._call("lock", lambda: self._client.set(key, token, nx=True, px=ttl_ms))
        return bool(taken)

    async def release_lock(self, key: str, token: str) -> None:
        await self._call("unlock", lambda: self._release(keys=[key], args=[token]))

    async def ping(self) -> None:
        """Ask Redis now, even while it is taken for away (``/health``)."""
        try:
            await self.redis.ping()
        except RedisAway as exc:
            raise StoreUnavailable(str(exc)) from exc

    async def aclose(self) -> None:
        return None  # the client is shared: whoever opened it closes it


class ResilientStore:
    """Redis first, the embedded store while Redis is away; it never raises.

    Whether Redis is away is decided once for every part that uses it
    (``SharedRedis``): after a failure anywhere it is left alone for a few
    seconds, then one call probes it, and the first success ends the outage.
    While degraded, locks are process-local, which still collapses concurrent
    requests per process.
    """

    def __init__(self, primary: RedisStore, fallback: MemoryStore) -> None:
        self._primary = primary
        self._fallback = fallback

    @property
    def shared(self) -> bool:
        return self.healthy

    @property
    def healthy(self) -> bool:
        return not self._primary.redis.away

    async def _either(
        self, primary: Callable[[Store], Awaitable[T]], fallback: Callable[[Store], Awaitable[T]]
    ) -> T:
        """``primary`` on Redis unless it is away; else ``fallback`` locally."""
        try:
            return await primary(self._primary)
        except StoreUnavailable:
            return await fallback(self._fallback)

    async def get(self, key: str) -> bytes | None:
        def read(store: Store) -> Awaitable[bytes | None]:
            return store.get(key)

        return await self._either(read, read)

    async def set(self, key: str, value: bytes, ttl: float, *, disposable: bool = False) -> None:
        def write(store: Store) -> Awaitable[None]:
            return store.set(key, value, ttl, disposable=disposable)

        await self._either(write, write)

    async def acquire_lock(self, key: str, token: str, ttl_ms: int) -> bool:
        def lock(store: Store) -> Awaitable[bool]:
            return store.acquire_lock(key, token, ttl_ms)

        return await self._either(lock, lock)

    async def release_lock(self, key: str, token: str) -> None:
        # Released in both: a lock taken locally during an outage must not outlive it.
        await self._either(lambda store: store.release_lock(key, token), _nothing)
        await self._fallback.release_lock(key, token)

    async def ping(self) -> None:
        """Probe Redis now (ignoring the back-off); raises StoreUnavailable if it is down."""
        await self._primary.ping()

    async def aclose(self) -> None:
        await self._primary.aclose()
        await self._fallback.aclose()


async def _nothing(store: Store) -> None:
    return None
