"""Cache policy: freshness per kind of entry, single-flight, stale-while-revalidate.

For a kind with lifetimes fresh < stale <= error (a :class:`Policy`):

    age < fresh            served as is                                  (hit)
    fresh <= age < stale   served at once, one background refresh        (stale)
    age >= stale           fetched before answering                      (miss)
                           ...unless the fetch fails and age < error     (stale-if-error)

Concurrent loads of one key share one fetch: in a process through one task
per key, across processes through a short ``SET NX PX`` lock whose waiters
re-read the cache. Nothing that failed is ever written, and nothing read is
trusted before it is validated (``entries.decode_entry``): an invalid value is
a miss, fetched again and overwritten.

The engine knows stores, keys, lifetimes and clocks only: what is cached, how
it is fetched, stored and validated, and what class of work a background
refresh is, its callers say.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import secrets
import time
from collections.abc import Awaitable, Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Generic, TypeVar

from outreach_helper.cache.entries import Codec, Entry, Keys, decode_entry, encode_entry
from outreach_helper.cache.stores import Store
from outreach_helper.clock import Clock
from outreach_helper.errors import NotFound, UpstreamError

log = logging.getLogger(__name__)

V = TypeVar("V")
Fetch = Callable[[], Awaitable[V]]

# How often a process waiting on another process's fetch re-reads the cache.
LOCK_POLL_DELAYS: tuple[float, ...] = (0.01, 0.02, 0.05, 0.1, 0.2)
# Stored TTLs are stretched by up to this fraction so keys written together
# do not all expire together.
TTL_JITTER = 0.1


@dataclass(frozen=True, slots=True)
class Policy(Generic[V]):
    """How entries of one kind are kept: how long, how stored, what "missing" means."""

    kind: str
    """The kind's segment of the key, and its metric label."""
    fresh: float
    stale: float
    missing: float
    error: float
    codec: Codec[V]
    not_found: Callable[[str], NotFound]
    """What a remembered "not found" means to whoever asked (the subject's name in it)."""


class Outcome(StrEnum):
    """How a lookup was answered: the one vocabulary of metrics, logs, headers and the CLI."""

    HIT = "hit"
    STALE = "stale"
    MISS = "miss"
    COLLAPSED = "collapsed"
    STALE_IF_ERROR = "stale_if_error"


class Refresh(StrEnum):
    """How a background refresh ended; the values are metric labels."""

    OK = "ok"
    FAILED = "failed"
    SKIPPED = "skipped"  # another process was already refreshing the entry


@dataclass(frozen=True, slots=True)
class Lookup(Generic[V]):
    """An entry and how it was obtained, which decides the HTTP cache headers."""

    entry: Entry[V]
    outcome: Outcome
    policy: Policy[V]
    subject: str  # what was asked for, as errors name it
    error: UpstreamError | None = None

    @property
    def fresh_until(self) -> float:
        ttl = self.policy.missing if self.entry.missing else self.policy.fresh
        return self.entry.fetched_at + ttl

    @property
    def stale_until(self) -> float:
        ttl = self.policy.missing if self.entry.missing else self.policy.stale
        return self.entry.fetched_at + ttl

    @property
    def data(self) -> V | None:
        """The value, or None where the fetch said "not found"."""
        return self.entry.data

    def value(self) -> V:
        """The value. Raises the kind's NotFound for a negative entry."""
        if self.entry.data is None:
            raise self.policy.not_found(self.subject)
        return self.entry.data


class CacheObserver:
    """Told what the cache did; metrics subclass it. The base does nothing."""

    def lookup(self, dashboard: str, kind: str, outcome: Outcome, missing: bool) -> None:
        """One answered lookup of a document kind of ``dashboard``."""

    def refresh(self, dashboard: str, kind: str, result: Refresh) -> None:
        """One background refresh ended."""


# An entry and whether this process fetched it (False: another one did).
Loaded = tuple["Entry[Any]", bool]


def _newer(entry: Entry[V] | None, than: Entry[V] | None) -> bool:
    return entry is not None and (than is None or entry.fetched_at > than.fetched_at)


@dataclass(frozen=True, slots=True)
class _Load(Generic[V]):
    """One key being loaded: what it is, where it lives, how to fetch it.

    ``exact_key`` (identity-exact documents): the key of the spelling asked. A
    "not found", and an answer that does not ``belong`` to the shared key, are
    stored there; the load itself is single-flight per spelling.
    """

    policy: Policy[V]
    key: str
    lock_key: str  # the cross-process lock of whoever fetches it
    fetch: Fetch[V]
    seen: Entry[V] | None  # the entry that prompted the load, if any
    exact_key: str | None = None
    belongs: Callable[[V], bool] | None = None

    @property
    def flight(self) -> str:
        """What concurrent loads of the same thing share (and lock across processes)."""
        return self.exact_key or self.key

    def store_key(self, entry: Entry[V]) -> str:
        """Where ``entry`` goes: the shared key, unless it is spelling-bound."""
        if self.exact_key is None:
            return self.key
        if entry.data is None or (self.belongs is not None and not self.belongs(entry.data)):
            return self.exact_key
        return self.key


class SWRCache:
    """Stale-while-revalidate over a :class:`Store`, with single-flight loads.

    The store must not raise: a Redis outage is the business of
    ``ResilientStore``, which falls back to the embedded store, so here a
    store is always there and a read that cannot be decoded is simply a miss.

    One cache per dashboard, over one shared store: its keys live under
    ``PREFIX:DASHBOARD:`` (``entries.Keys``), so two dashboards' documents of
    one name (a course slug both have) never mix.

    ``background`` is entered around starting a background refresh: nobody
    waits for one, and the caller says what class of work that makes it.

    ``flight_tag`` and ``on_join``: whoever starts a load may tag it (an opaque
    object read from its context when the load starts), and whoever joins that
    load is handed the tag. The caller's business: a page view learns whether a
    load it joins has gone to the dashboard already.
    """

    def __init__(
        self,
        store: Store,
        *,
        prefix: str,
        dashboard: str,
        clock: Clock = time.time,
        lock_ttl_ms: int = 15_000,
        observer: CacheObserver | None = None,
        background: Callable[[], AbstractContextManager[object]] = contextlib.nullcontext,
        flight_tag: Callable[[], object] = lambda: None,
        on_join: Callable[[object], None] = lambda tag: None,
    ) -> None:
        self.store = store
        self.dashboard = dashboard
        self.keys = Keys(prefix, dashboard)
        self._clock = clock
        self._background_work = background
        self._lock_ttl_ms = lock_ttl_ms
        self._observer = observer or CacheObserver()
        # Strong references: the event loop only keeps weak ones to tasks.
        self._inflight: dict[str, asyncio.Task[Loaded | None]] = {}
        self._flight_tag, self._on_join = flight_tag, on_join
        self._tags: dict[str, object] = {}  # by flight, while it is in flight
        self._background: set[asyncio.Task[None]] = set()

    def key(self, kind: str, ident: str) -> str:
        """Where the entry of ``kind`` for ``ident`` is stored."""
        return self.keys.entry(kind, ident)

    async def get(
        self,
        policy: Policy[V],
        ident: str,
        fetch: Fetch[V],
        *,
        subject: str | None = None,
        exact: str | None = None,
        belongs: Callable[[V], bool] | None = None,
    ) -> Lookup[V]:
        """Answer from the cache where the policy allows, else fetch once for everyone.

        ``ident`` is the key's last part; ``subject`` (default: ``ident``) names
        the thing in a "not found" error.

        ``exact`` (identity-exact documents: a user's profile) is the spelling
        asked, when ``ident`` folds spellings the dashboard may keep apart. A
        "not found" is then stored under the exact spelling only, never under
        the shared key, and an answer goes under the shared key only when
        ``belongs`` says it is the account of that key; a look-alike's 404 can
        never hide the real user.

        Raises:
            UpstreamError: the fetch failed and no entry is young enough to stand in.
        """
        kind, keys = policy.kind, self.keys
        named = ident if subject is None else subject
        key = keys.entry(kind, ident)
        if exact is None:
            exact_key, lock_key = None, keys.lock(kind, ident)
        else:  # a load per spelling: the exact entry is what it always fills
            exact_key, lock_key = (
                keys.entry(kind, exact, exact=True),
                keys.lock(kind, exact, exact=True),
            )
        entry = await self._read_for(key, exact_key, policy)
        load = _Load(policy, key, lock_key, fetch, entry, exact_key, belongs)
        if entry is not None:
            now = self._clock()
            hit = Lookup(entry, Outcome.HIT, policy, named)  # knows which TTLs apply to it
            if now < hit.fresh_until:
                return self._answer(hit)
            if now < hit.stale_until:
                self._refresh_in_background(load)
                return self._answer(Lookup(entry, Outcome.STALE, policy, named))
        try:
            fetched, outcome = await self._load(load)
        except UpstreamError as exc:
            if entry is not None and self._clock() - entry.fetched_at < policy.error:
                return self._answer(Lookup(entry, Outcome.STALE_IF_ERROR, policy, named, exc))
            raise
        return self._answer(Lookup(fetched, outcome, policy, named))

    def _answer(self, lookup: Lookup[V]) -> Lookup[V]:
        self._observer.lookup(
            self.dashboard, lookup.policy.kind, lookup.outcome, lookup.entry.missing
        )
        return lookup

    async def drain(self) -> None:
        """Wait until every background refresh started so far has ended."""
        while self._background:
            await asyncio.gather(*self._background, return_exceptions=True)

    async def aclose(self, grace: float = 2.0) -> None:
        """Let background refreshes finish for ``grace`` seconds, then cancel the rest."""
        pending = set(self._background)
        if not pending:
            return
        _, still_running = await asyncio.wait(pending, timeout=grace)
        for task in still_running:
            task.cancel()
        await asyncio.gather(*still_running, return_exceptions=True)

    # ---- single flight ------------------------------------------------------

    async def _load(self, load: _Load[V]) -> tuple[Entry[V], Outcome]:
        task = self._inflight.get(load.flight)
        if task is not None:
            self._on_join(self._tags.get(load.flight))
            shared: Loaded | None = await asyncio.shield(task)
            if shared is not None:
                return shared[0], Outcome.COLLAPSED
        task = self._start(load, background=False)
        # Shielded: a client that hangs up must not cancel a fetch others wait on.
        loaded = await asyncio.shield(task)
        if loaded is None:  # pragma: no cover - only background loads skip
            raise RuntimeError("a foreground load was skipped")
        entry, fetched_here = loaded
        return entry, Outcome.MISS if fetched_here else Outcome.COLLAPSED

    def _start(self, load: _Load[Any], *, background: bool) -> asyncio.Task[Loaded | None]:
        task = asyncio.create_task(self._load_shared(load, background=background))
        self._inflight[load.flight] = task
        self._tags[load.flight] = self._flight_tag()

        def done(finished: asyncio.Task[Loaded | None]) -> None:
            if self._inflight.get(load.flight) is finished:
                del self._inflight[load.flight]
                self._tags.pop(load.flight, None)
            if not finished.cancelled():
                finished.exception()  # retrieved here: every waiter has its own copy

        task.add_done_callback(done)
        return task

    async def _load_shared(self, load: _Load[Any], *, background: bool) -> Loaded | None:
        """Fetch under the cross-process lock, or wait for whoever holds it.

        Returns the entry and whether this process fetched it; None only for a
        background refresh that found another process already refreshing.
        """
        if not self.store.shared:
            return await self._fetch_and_store(load), True
        lock_key = load.lock_key
        token = secrets.token_hex(8)
        deadline = time.monotonic() + self._lock_ttl_ms / 1000
        attempt = 0
        while time.monotonic() < deadline:
            if await self.store.acquire_lock(lock_key, token, self._lock_ttl_ms):
                try:
                    current = await self._read_for(load.key, load.exact_key, load.policy)
                    if current is not None and _newer(current, load.seen):
                        return current, False  # written while we queued for the lock
                    return await self._fetch_and_store(load), True
                finally:
                    await self.store.release_lock(lock_key, token)
            if background:
                return None
            await asyncio.sleep(LOCK_POLL_DELAYS[min(attempt, len(LOCK_POLL_DELAYS) - 1)])
            attempt += 1
            current = await self._read_for(load.key, load.exact_key, load.policy)
            if current is not None and _newer(current, load.seen):
                return current, False
        # The holder outlived its lock without writing: fetch ourselves.
        return await self._fetch_and_store(load), True

    async def _fetch_and_store(self, load: _Load[V]) -> Entry[V]:
        policy = load.policy
        try:
            entry: Entry[V] = Entry(self._clock(), await load.fetch())
            ttl = policy.error
        except NotFound:
            entry = Entry(self._clock(), None)
            ttl = policy.missing
        jittered = ttl * random.uniform(1, 1 + TTL_JITTER)  # noqa: S311 - spread, not secrecy
        target = load.store_key(entry)
        encoded = encode_entry(entry, policy.codec)
        await self.store.set(target, encoded, jittered, disposable=entry.missing)
        return entry

    # ---- background refresh -------------------------------------------------

    def _refresh_in_background(self, load: _Load[Any]) -> None:
        if load.flight in self._inflight:
            return  # a fetch for this key is already under way
        # Nobody waits for it: the caller's kind of work that must not crowd out those who do.
        with self._background_work():
            task = self._start(load, background=True)
        watcher = asyncio.create_task(self._watch_refresh(load.policy.kind, task))
        self._background.add(watcher)
        watcher.add_done_callback(self._background.discard)

    async def _watch_refresh(self, kind: str, task: asyncio.Task[Loaded | None]) -> None:
        try:
            result = await task
        except UpstreamError as exc:
            # The old entry stays; the next request after it expires tries again.
            log.warning("background refresh of a %s entry failed (%s)", kind, type(exc).__name__)
            self._observer.refresh(self.dashboard, kind, Refresh.FAILED)
            return
        self._observer.refresh(
            self.dashboard, kind, Refresh.SKIPPED if result is None else Refresh.OK
        )

    async def _read_for(
        self, key: str, exact_key: str | None, policy: Policy[V]
    ) -> Entry[V] | None:
        """The entry for a lookup: the exact spelling's first, then the shared key's
        (where only answers that belong to it are ever written)."""
        if exact_key is not None:
            entry = await self._read(exact_key, policy)
            if entry is not None:
                return entry
            shared = await self._read(key, policy)
            return None if shared is None or shared.missing else shared
        return await self._read(key, policy)

    async def _read(self, key: str, policy: Policy[V]) -> Entry[V] | None:
        raw = await self.store.get(key)
        if raw is None:
            return None
        return decode_entry(raw, policy.codec, now=self._clock())
