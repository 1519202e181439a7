"""Where cache entries live: one small interface, an embedded store, Redis.

Values are opaque bytes (JSON envelopes written by ``swr``); every key gets an
expiry. ``ResilientStore`` puts Redis in front of the embedded store so that a
Redis outage degrades the service to one-process caching instead of failing
it, and reconnects on its own.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Protocol, TypeVar

from redis.exceptions import RedisError

from outreach_helper.clock import Clock
from outreach_helper.errors import OutreachError
from outreach_helper.redis_client import connect

T = TypeVar("T")
log = logging.getLogger(__name__)

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
    """Redis via one asyncio connection pool, with short timeouts.

    Short socket timeouts matter more than retries here: a hung Redis must cost
    a request milliseconds, after which ``ResilientStore`` stops asking it.
    Every call goes through :meth:`_call`, the one place where redis errors
    become ``StoreUnavailable``.
    """

    shared = True

    def __init__(self, url: str, *, timeout: float = 0.5) -> None:
        self._redis = connect(url, timeout=timeout)
        self._release = self._redis.register_script(_RELEASE_LOCK)

    async def _call(self, operation: str, pending: Awaitable[T]) -> T:
        try:
            return await pending
        except (RedisError, OSError) as exc:
            # The type only: a server's error text can quote the command's
            # arguments (an "unknown command" error does), i.e. a key holding
            # the secret prefix and a username, and this text reaches logs and /health.
            raise StoreUnavailable(f"redis {operation} failed ({type(exc).__name__})") from exc

    async def get(self, key: str) -> bytes | None:
        value = await self._call("get", self._redis.get(key))
        return value if isinstance(value, bytes) else None

    async def set(self, key: str, value: bytes, ttl: float, *, disposable: bool = False) -> None:
        # Disposable entries already carry their own short TTL in Redis.
        await self._call("set", self._redis.set(key, value, px=max(1, int(ttl * 1000))))

    async def acquire_lock(self, key: str, token: str, ttl_ms: int) -> bool:
        return bool(await self._call("lock", self._redis.set(key, token, nx=True, px=ttl_ms)))

    async def release_lock(self, key: str, token: str) -> None:
        await self._call("unlock", self._release(keys=[key], args=[token]))

    async def ping(self) -> None:
        await self._call("ping", self._redis.ping())

    async def aclose(self) -> None:
        await self._redis.aclose()


class ResilientStore:
    """Redis first, the embedded store while Redis is away; it never raises.

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

    async def _either(
        self, primary: Callable[[Store], Awaitable[T]], fallback: Callable[[Store], Awaitable[T]]
    ) -> T:
        """``primary`` on Redis unless it is resting after a failure; else ``fallback`` locally."""
        if self.last_error is None or self._clock() >= self._down_until:
            try:
                result = await primary(self._primary)
            except StoreUnavailable as exc:
                self._failed(exc)
            else:
                self.last_error = None
                return result
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
        try:
            await self._primary.ping()
        except StoreUnavailable as exc:
            self._failed(exc)
            raise
        self.last_error = None

    def _failed(self, exc: StoreUnavailable) -> None:
        if self.last_error is None:
            log.warning("cache store unavailable; using the embedded store: %s", exc)
        self.last_error = str(exc)
        self._down_until = self._clock() + self._retry_after

    async def aclose(self) -> None:
        await self._primary.aclose()
        await self._fallback.aclose()


async def _nothing(store: Store) -> None:
    return None
