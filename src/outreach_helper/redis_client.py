"""One way to open Redis: short timeouts, and a bounded pool that callers wait for.

Every part that keeps state in Redis (the cache store, the request budget,
the in-flight leases) opens it here. The pool is bounded and *blocking*: a
flood of hundreds of concurrent lookups waits a moment for one of a few dozen
connections instead of opening a connection each. Unbounded, a flood exhausts
the server's client limit (about a thousand under a default file limit), and
every part falls back to its per-process state at the worst moment; bounded
but not blocking, a burst fails at once for the same result.
"""

from __future__ import annotations

import redis.asyncio as aioredis

# Connections per pool: each Redis call here takes well under a millisecond,
# so a few dozen serve thousands of calls per second.
POOL_SIZE = 32


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
