"""The dashboard's load has a ceiling: a token bucket shared by every worker and instance.

Caching decides how often a document is fetched; this decides how many
fetches per second the dashboard ever sees, whatever arrives. Tokens refill
at ``OUTREACH_UPSTREAM_RATE`` per second up to ``OUTREACH_UPSTREAM_BURST``.
With Redis configured the bucket lives there (one atomic script, Redis's own
clock), so all workers and instances share it; without Redis, or while Redis
is away, each process keeps its own.

Two classes of work share the bucket unequally, so a reader's page view is
never starved by fan-out work (docs/security.md, "The dashboard's load has a ceiling"):

- ``INTERACTIVE``: one user's page view (``/status``, ``/active-staff``,
  ``/api/users/{name}``, one course). It may take any token.
- ``BULK``: batches, campaigns, ``enrich``, warm-ups, background refreshes.
  It may only take a token while the bucket keeps ``reserve`` tokens for
  interactive work, so a flood of bulk work drains the bucket to the reserve
  and no further.

Nothing queues without a deadline: a request waits for a token only as long
as its class allows, then fails with ``BudgetExhausted`` (a 503 with
``Retry-After``, or a stale answer where there is one).
"""

from __future__ import annotations

import asyncio
import contextvars
import math
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

from outreach_helper.clock import Clock
from outreach_helper.errors import NotSent
from outreach_helper.redis_client import RedisAway, SharedRedis
from outreach_helper.settings import Settings

Sleep = Callable[[float], Awaitable[None]]


class Priority(StrEnum):
    INTERACTIVE = "interactive"
    BULK = "bulk"


class Work:
    """The class of one answer's work, shared by every task it starts.

    A page view's work is interactive until its answer has gone out; what it
    leaves running then (a late course, a late dashboard, fetched for the next
    view) is bulk, so it never takes a reader's turn (``answered``).
    """

    __slots__ = ("level",)

    def __init__(self, level: Priority) -> None:
        self.level = level

    def answered(self) -> None:
        """The answer has gone out: what it left running waits like bulk work."""
        self.level = Priority.BULK


_priority: contextvars.ContextVar[Work | None] = contextvars.ContextVar(
    "outreach_priority", default=None
)


def current_priority() -> Priority:
    """The class of the work under way in this task (bulk unless a route said otherwise)."""
    work = _priority.get()
    return Priority.BULK if work is None else work.level


def current_work() -> Work | None:
    """The work under way in this task, whose class may change while it waits (``answered``);
    None: bulk work no route marked."""
    return _priority.get()


class Turn:
    """Whether one lookup's request has had its turn (a token, then a connection) and gone
    to the dashboard: a page view waits for the dashboard's answer, never for a turn.

    A lookup that joins another's load of the same document (single flight)
    follows that load's turn: it has gone out when that one has.
    """

    __slots__ = ("_followed", "_sent")

    def __init__(self) -> None:
        self._sent = False
        self._followed: list[Turn] = []

    @property
    def sent(self) -> bool:
        return self._sent or any(turn.sent for turn in self._followed)

    def note_sent(self) -> None:
        self._sent = True

    def follow(self, other: Turn) -> None:
        if other is not self:
            self._followed.append(other)


_turn: contextvars.ContextVar[Turn | None] = contextvars.ContextVar("outreach_turn", default=None)


@contextmanager
def watched(turn: Turn) -> Iterator[Turn]:
    """Note in ``turn`` when the request made inside (or in tasks it starts) goes out."""
    token = _turn.set(turn)
    try:
        yield turn
    finally:
        _turn.reset(token)


def note_sent() -> None:
    """The current request has had its turn and goes to the dashboard now."""
    turn = _turn.get()
    if turn is not None:
        turn.note_sent()


def current_turn() -> Turn | None:
    """The turn of the lookup under way, if it is watched (a tag for its cache load)."""
    return _turn.get()


def follow_turn(tag: object) -> None:
    """The lookup under way joins a load tagged ``tag``: its turn is that load's."""
    turn = _turn.get()
    if turn is not None and isinstance(tag, Turn):
        turn.follow(tag)


class Allowance:
    """How many more documents the current answer may fetch from the dashboard."""

    def __init__(self, fetches: int) -> None:
        self.size = fetches
        self.left = fetches

    def take(self) -> bool:
        if self.left <= 0:
            return False
        self.left -= 1
        return True


_allowance: contextvars.ContextVar[Allowance | None] = contextvars.ContextVar(
    "outreach_allowance", default=None
)


@contextmanager
def priority(level: Priority, *, cold_fetches: int | None = None) -> Iterator[Work]:
    """Mark the work done inside (and in tasks it starts) as ``level``.

    ``cold_fetches``: how many documents this answer may fetch from the
    dashboard (``OUTREACH_UPSTREAM_COLD_FETCHES`` for a page view); the rest
    wait for the next request. None: no limit but the budget's.
    """
    allowance = None if cold_fetches is None else Allowance(cold_fetches)
    work = Work(level)
    tokens = _priority.set(work), _allowance.set(allowance)
    try:
        yield work
    finally:
        _allowance.reset(tokens[1])
        _priority.reset(tokens[0])


@contextmanager
def own_allowance() -> Iterator[None]:
    """Give the work inside an allowance of its own, as large as the current one.

    An answer about a user asks every dashboard; each dashboard's share of
    cold fetches is its own, so a user busy on one dashboard never leaves
    another unasked, and each dashboard still sees at most its share.
    """
    current = _allowance.get()
    token = _allowance.set(None if current is None else Allowance(current.size))
    try:
        yield
    finally:
        _allowance.reset(token)


class Deferred(NotSent):
    """This answer has started all the cold fetches it may; the document waits for the next."""

    def __init__(self) -> None:
        super().__init__("left for the next request: this answer has fetched its share")


def take_cold_fetch() -> None:
    """Count one fetch against the current answer's allowance. Raises Deferred when spent."""
    allowance = _allowance.get()
    if allowance is not None and not allowance.take():
        raise Deferred()


class BudgetExhausted(NotSent):
    """No token (or slot) within this class's deadline; ``retry_after`` says when to come back."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(
            "the service's request budget for the dashboard is spent for now",
            retry_after=retry_after,
        )


@dataclass(frozen=True, slots=True)
class Limits:
    rate: float  # tokens per second
    burst: float  # bucket size
    reserve: float  # tokens bulk work must leave for interactive work

    @classmethod
    def of(cls, settings: Settings) -> Limits:
        return cls(
            rate=settings.upstream_rate,
            burst=settings.upstream_burst,
            reserve=settings.upstream_burst * settings.upstream_interactive_share,
        )

    def floor(self, level: Priority) -> float:
        return 0.0 if level is Priority.INTERACTIVE else self.reserve


class Bucket(Protocol):
    async def take(self, floor: float, rate: float) -> float:
        """Take one token if that leaves at least ``floor``, refilling at ``rate`` per
        second; return 0, or seconds to wait."""
        ...

    async def aclose(self) -> None: ...


class LocalBucket:
    """A token bucket in this process (the embedded default, and the fallback)."""

    def __init__(self, limits: Limits, *, clock: Clock = time.monotonic) -> None:
        self._limits = limits
        self._clock = clock
        self._tokens = limits.burst
        self._at = clock()

    async def take(self, floor: float, rate: float) -> float:
        now = self._clock()
        self._tokens = min(self._limits.burst, self._tokens + (now - self._at) * rate)
        self._at = now
        if self._tokens - 1 >= floor:
            self._tokens -= 1
            return 0.0
        return (floor + 1 - self._tokens) / rate

    async def aclose(self) -> None:
        return None


# Same arithmetic as LocalBucket, atomically, on Redis's clock (shared by everyone).
_TAKE = """
local rate, burst, floor = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or burst
local at = tonumber(state[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - at) * rate)
local wait = 0
if tokens - 1 >= floor then tokens = tokens - 1 else wait = (floor + 1 - tokens) / rate end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)
return tostring(wait)
"""


class SharedBucket:
    """The bucket in Redis, shared by every worker and instance (local while Redis is away).

    Whether Redis is away is ``SharedRedis``'s to say: during an outage the
    tokens come from the process's own bucket without asking Redis for each.
    """

    def __init__(
        self, redis: SharedRedis, key: str, limits: Limits, *, fallback: LocalBucket
    ) -> None:
        self._redis = redis
        self._script = redis.client.register_script(_TAKE)
        self._key = key
        self._limits = limits
        self._fallback = fallback

    async def take(self, floor: float, rate: float) -> float:
        def run() -> Awaitable[Any]:
            return self._script(keys=[self._key], args=[rate, self._limits.burst, floor])

        try:
            wait = await self._redis.call("budget", run)
        except RedisAway:
            return await self._fallback.take(floor, rate)
        return float(wait)

    async def aclose(self) -> None:
        return None  # the client is shared: whoever opened it closes it


def deadlines(settings: Settings) -> dict[Priority, float]:
    """How long each class of work may wait for its turn before it gives up."""
    return {
        Priority.INTERACTIVE: settings.upstream_wait_interactive,
        Priority.BULK: settings.upstream_wait_bulk,
    }


class Budget:
    """Takes a token for every request to the dashboard, by the class of the work asking."""

    def __init__(
        self,
        bucket: Bucket,
        limits: Limits,
        *,
        patience: dict[Priority, float],
        sleep: Sleep = asyncio.sleep,
        share: Clock = lambda: 1.0,
    ) -> None:
        self._bucket = bucket
        self._limits = limits
        self._sleep = sleep
        self._deadlines = patience
        self._share = share
        # Bulk work waits in one line in this process: only its head asks the bucket
        # and sleeps until the next token; the others wait for their turn (first come,
        # first served) without waking, and one whose turn would come past its
        # deadline is refused at once. Hundreds of a flood's lookups waiting for a
        # token would otherwise all wake at every token, in one turn of the event
        # loop that every page view waits behind.
        self._line = asyncio.Lock()
        self._waiting = 0

    @property
    def rate(self) -> float:
        """Requests per second it grants now: the configured rate times the adaptive share."""
        return self._limits.rate * self._share()

    async def spend(self) -> None:
        """One token for a request about to be sent.

        Raises:
            BudgetExhausted: none within the deadline of the current class of work.
        """
        level = current_priority()
        patience = self._deadlines[level]
        if level is Priority.INTERACTIVE:
            await self._take(patience)  # a reader's few documents: no line to wait in
            return
        ahead = self._waiting
        if not self.takes_bulk_work():
            # Its turn would come after its deadline, whatever the bucket holds: say so now.
            raise BudgetExhausted(retry_after=max(1.0, math.ceil(ahead / self.rate)))
        loop = asyncio.get_running_loop()
        started = loop.time()
        self._waiting += 1
        try:
            try:
                async with asyncio.timeout(patience):
                    await self._line.acquire()
            except TimeoutError:
                raise BudgetExhausted(retry_after=max(1.0, math.ceil(patience))) from None
            try:
                await self._take(patience - (loop.time() - started))
            finally:
                self._line.release()
        finally:
            self._waiting -= 1

    def takes_bulk_work(self, share: float = 1.0) -> bool:
        """Whether bulk work asking now could have a turn within ``share`` of its wait:
        False while the bulk line already holds as many as the rate serves within it
        (with ``share`` 1, the next would be refused at once). The front door asks with
        half: a bulk answer admitted into a line fuller than that would find nearly all
        of its documents refused, at the cost of building every refusal."""
        ahead = self._waiting
        return not ahead or ahead / self.rate <= self._deadlines[Priority.BULK] * share

    async def _take(self, patience: float) -> None:
        """A token from the bucket, sleeping for it within ``patience``."""
        while True:
            # Read each time: a page view's late work becomes bulk once the view is answered.
            floor = self._limits.floor(current_priority())
            # The rate follows the adaptive limit: fewer per second while the dashboard is slow.
            wait = await self._bucket.take(floor, self.rate)
            if wait <= 0:
                return
            if wait > patience:
                raise BudgetExhausted(retry_after=max(1.0, math.ceil(wait)))
            patience -= wait
            await self._sleep(wait)

    async def aclose(self) -> None:
        await self._bucket.aclose()


def build_budget(
    settings: Settings,
    *,
    dashboard: str,
    redis: SharedRedis | None,
    monotonic: Clock = time.monotonic,
    share: Clock = lambda: 1.0,
) -> Budget:
    """One dashboard's budget in one process: shared through ``redis`` when there is one.

    Each dashboard has its own bucket: their operators are different people,
    and one dashboard's load never spends another's allowance.
    """
    limits = Limits.of(settings)
    local = LocalBucket(limits, clock=monotonic)
    patience = deadlines(settings)
    if redis is None:
        return Budget(local, limits, patience=patience, share=share)
    key = f"{settings.key_prefix}:{dashboard}:budget"
    shared = SharedBucket(redis, key, limits, fallback=local)
    return Budget(shared, limits, patience=patience, share=share)
