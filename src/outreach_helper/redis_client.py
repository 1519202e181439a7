"""Redis, opened once per process, and whether it is away now.

Every part that keeps state in Redis (the cache store, each dashboard's
request budget and in-flight leases) asks it through the one
:class:`SharedRedis` the composition root opens: one pool, and one view of
an outage, for all of them. Each part keeps its own fallback (the cache its
embedded store, a budget its process's bucket, the leases one request per
process); when to fall back is decided here, once.

The pool is bounded and *blocking*: a flood of hundreds of concurrent
lookups waits a moment for one of a few dozen connections instead of opening
a connection each. Unbounded, a flood exhausts the server's client limit
(about a thousand under a default file limit), and every part falls back to
its per-process state at the worst moment; bounded but not blocking, a burst
fails at once for the same result.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

import redis.asyncio as aioredis
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

from outreach_helper.clock import Clock

T = TypeVar("T")
log = logging.getLogger(__name__)

# Connections in the pool: each Redis call here takes well under a millisecond,
# so a few dozen serve thousands of calls per second.
POOL_SIZE = 32
# How long after a failure Redis is left alone (every call fails at once), before
# one call probes it again: a hung Redis must not make every request wait on its
# socket timeout first.
RETRY_AFTER = 5.0


def connect(url: str, *, timeout: float = 0.5) -> aioredis.Redis:
    """A client of ``url`` whose every wait (connect, reply, a free connection) ends
    after ``timeout`` seconds with a ``RedisError``."""
    pool = aioredis.BlockingConnectionPool.from_url(
        url,
        max_connections=POOL_SIZE,
        timeout=timeout,
        socket_timeout=timeout,
        socket_connect_timeout=timeout,
        retry_on_timeout=False,
    )
    return aioredis.Redis.from_pool(pool)  # the client owns the pool: aclose() closes it


class RedisAway(Exception):
    """Redis was not asked (it is away), or did not answer: the caller falls back."""


class SharedRedis:
    """The process's one Redis client, and whether Redis is away now.

    After a call fails, Redis is away: for ``retry_after`` seconds every call
    fails at once, so an outage (a hung Redis above all) costs one timeout,
    not one per request. Then one call at a time probes it, the others still
    failing at once; the first success ends the outage. The parts only use it;
    whoever opened it closes it, once, after them.
    """

    def __init__(
        self,
        url: str,
        *,
        timeout: float = 0.5,
        retry_after: float = RETRY_AFTER,
        monotonic: Clock = time.monotonic,
    ) -> None:
        self.client = connect(url, timeout=timeout)
        self._retry_after = retry_after
        self._monotonic = monotonic
        self._retry_at = 0.0
        self._probing = False
        self.last_error: str | None = None  # what failed, while Redis is away

    @property
    def away(self) -> bool:
        """From a failed call until a call succeeds again."""
        return self.last_error is not None

    async def call(
        self, operation: str, run: Callable[[], Awaitable[T]], *, late_is_away: bool = True
    ) -> T:
        """``run()`` on Redis, unless Redis is away and this is not the call to probe it.

        ``late_is_away=False``: a late reply only means "ask again" (the claim may
        even have been written); the caller gets redis' TimeoutError and Redis is
        not taken for away.

        Raises:
            RedisAway: Redis was not asked, or the call failed.
        """
        probe = False
        if self.last_error is not None:
            if self._probing or self._monotonic() < self._retry_at:
                raise RedisAway(self.last_error)
            self._probing = probe = True
        try:
            result = await run()
        except (RedisError, OSError) as exc:
            if not late_is_away and isinstance(exc, RedisTimeoutError):
                raise
            raise await self._failed(operation, exc) from exc
        finally:
            if probe:
                self._probing = False
        self.last_error = None
        return result

    async def ping(self) -> None:
        """Ask Redis now, whatever the back-off (``/health``); a success ends an outage.

        Raises:
            RedisAway: it did not answer.
        """
        try:
            await self.client.ping()
        except (RedisError, OSError) as exc:
            raise await self._failed("ping", exc) from exc
        self.last_error = None

    async def _failed(self, operation: str, exc: BaseException) -> RedisAway:
        # The type only: a server's error text can quote the command's arguments
        # (an "unknown command" error does), i.e. a key holding the secret prefix
        # and a username, and this text reaches logs and /health.
        error = f"redis {operation} failed ({type(exc).__name__})"
        if self.last_error is None:
            log.warning(
                "%s: the cache uses each process's memory, and budgets and requests in "
                "flight are counted per process, until Redis answers again",
                error,
            )
        self.last_error = error
        self._retry_at = self._monotonic() + self._retry_after
        # The idle connections went with the server: the first call on each would fail
        # once Redis is back, and be taken for another outage.
        with contextlib.suppress(RedisError, OSError):
            await self.client.connection_pool.disconnect(inuse_connections=False)
        return RedisAway(error)

    async def aclose(self) -> None:
        await self.client.aclose()
