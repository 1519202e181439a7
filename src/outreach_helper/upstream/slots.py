"""At most N requests at one dashboard at once, counted across every worker and instance.

The Outreach Dashboard serves one request per application process and has
four (Passenger's ``PassengerMaxPoolSize 4``), shared with every person who
uses it. A bound per process is no bound at all once Toolforge runs two
instances of two workers each, so the bound lives where they all see it:
a Redis sorted set of leases, one member per request in flight, scored by
the moment its lease runs out. A lease is taken and released by one atomic
script each; a worker that dies holding one loses it when the lease expires
(``lease_seconds``: longer than any request may take), so a crash never
shrinks the dashboard's share for long.

Page views keep first claim: an interactive request that finds every slot
taken writes itself into a second set of waiters (with a short lease of its
own, renewed while it waits), and bulk work takes a free slot only while
nobody waits there. In one process the ``Gate`` already orders its waiters
that way; this extends the rule across processes.

Without Redis (the embedded store: one process) the ledger says yes to every
claim and the process's own ``Gate`` is the whole bound. While a configured
Redis is away (it cannot be reached, as ``SharedRedis`` decides for every part
that uses it; a late reply is only asked again), it says yes too, but each
process then lets only one request into flight (``process_limit``): the
instances cannot count together, and one each is the most that stays gentle
however many there are (two instances: two).
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any, Protocol

from redis.exceptions import TimeoutError as RedisTimeoutError

from outreach_helper.redis_client import RedisAway, SharedRedis
from outreach_helper.upstream.budget import Priority

# How long an interactive waiter's mark keeps bulk work back if its process
# stops renewing it (it renews it on every poll, every few tens of ms).
WAITER_MARK_MS = 1000


class Ledger(Protocol):
    """Where the requests in flight at one dashboard are counted."""

    def process_limit(self, limit: int) -> int:
        """How many of ``limit`` this process may hold now, whatever the others do."""
        ...

    async def claim(self, token: str, limit: int, level: Priority) -> bool:
        """Take a slot for ``token`` if fewer than ``limit`` are taken (and, for bulk
        work, no page view waits for one); False: try again later."""
        ...

    async def release(self, token: str) -> None:
        """Give the slot back, or give up waiting for one."""
        ...

    async def linger(self, token: str, seconds: float) -> None:
        """Keep the slot ``seconds`` from now, then let it go by itself."""
        ...

    async def aclose(self) -> None: ...


class ProcessLedger:
    """The embedded default: this process's ``Gate`` is the whole bound."""

    def process_limit(self, limit: int) -> int:
        return limit

    async def claim(self, token: str, limit: int, level: Priority) -> bool:
        return True

    async def release(self, token: str) -> None:
        return None

    async def linger(self, token: str, seconds: float) -> None:
        return None

    async def aclose(self) -> None:
        return None


# KEYS: leases, interactive waiters. ARGV: token, limit, lease ms, interactive (1/0),
# waiter mark ms. Redis's own clock, so instances' clocks need not agree.
_CLAIM = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
local interactive = ARGV[4] == '1'
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[2]) then
  local waiting = redis.call('ZCARD', KEYS[2])
  if redis.call('ZSCORE', KEYS[2], ARGV[1]) then waiting = waiting - 1 end
  if interactive or waiting == 0 then
    redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
    redis.call('ZREM', KEYS[2], ARGV[1])
    redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]))
    return 1
  end
end
if interactive then
  redis.call('ZADD', KEYS[2], now + tonumber(ARGV[5]), ARGV[1])
  redis.call('PEXPIRE', KEYS[2], tonumber(ARGV[5]))
end
return 0
"""


# KEYS: leases. ARGV: token, ms. The lease, if still held, now runs out in ms.
_LINGER = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[2]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]) + 1000)
return 1
"""


class RedisLedger:
    """The leases in Redis, shared by every worker and instance of the service."""

    def __init__(self, redis: SharedRedis, key: str, *, lease_seconds: float) -> None:
        self._redis = redis
        self._claim = redis.client.register_script(_CLAIM)
        self._linger = redis.client.register_script(_LINGER)
        self._leases = f"{key}:leases"
        self._waiters = f"{key}:waiters"
        self._lease_ms = max(1, round(lease_seconds * 1000))

    def process_limit(self, limit: int) -> int:
        return 1 if self._redis.away else limit

    async def claim(self, token: str, limit: int, level: Priority) -> bool:
        interactive = "1" if level is Priority.INTERACTIVE else "0"

        def run() -> Awaitable[Any]:
            return self._claim(
                keys=[self._leases, self._waiters],
                args=[token, limit, self._lease_ms, interactive, WAITER_MARK_MS],
            )

        try:
            taken = await self._redis.call("claim", run, late_is_away=False)
        except RedisTimeoutError:
            # A late reply, not an absent Redis: the claim may even have been
            # written. Claiming again with the same token is the same lease, so
            # ask again rather than stop counting with the other instances.
            return False
        except RedisAway:
            return True  # the process's own bound stands alone
        return bool(int(taken))

    async def release(self, token: str) -> None:
        async def run() -> None:
            await self._redis.client.zrem(self._leases, token)
            await self._redis.client.zrem(self._waiters, token)

        try:
            await self._redis.call("release", run)
        except RedisAway:
            return  # its lease, if any, runs out by itself

    async def linger(self, token: str, seconds: float) -> None:
        def run() -> Awaitable[Any]:
            return self._linger(keys=[self._leases], args=[token, max(1, round(seconds * 1000))])

        try:
            await self._redis.call("linger", run)
        except RedisAway:
            return

    async def aclose(self) -> None:
        return None  # the client is shared: whoever opened it closes it
