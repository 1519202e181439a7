"""Cache policy: freshness per document kind, single-flight, stale-while-revalidate.

An entry is an envelope ``{"fetched_at": t, "data": ...}`` (or ``"missing": true``
for the dashboard's 404). For a document kind with TTLs fresh < stale <= error:

    age < fresh            served as is                                  (hit)
    fresh <= age < stale   served at once, one background refresh        (stale)
    age >= stale           fetched before answering                      (miss)
                           ...unless the dashboard fails and age < error (stale-if-error)

Concurrent loads of one key share one fetch: in a process through one task
per key, across processes through a short ``SET NX PX`` lock whose waiters
re-read the cache. Nothing that failed is ever written.
"""

from __future__ import annotations

import asyncio
import logging
import random
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Generic, TypeVar

import orjson
from pydantic import BaseModel, ValidationError

from outreach_helper.errors import NotFound, UpstreamError
from outreach_helper.settings import Settings
from outreach_helper.store import Store, StoreUnavailable

log = logging.getLogger(__name__)

RecordT = TypeVar("RecordT", bound=BaseModel)
Clock = Callable[[], float]
Fetch = Callable[[], Awaitable[RecordT]]

# How often a process waiting on another process's fetch re-reads the cache.
LOCK_POLL_DELAYS: tuple[float, ...] = (0.01, 0.02, 0.05, 0.1, 0.2)
# Stored TTLs are stretched by up to this fraction so keys written together
# do not all expire together.
TTL_JITTER = 0.1


class DocKind(StrEnum):
    """The upstream documents we cache; the values are the key segments."""

    USER = "user"
    COURSE = "course"
    ROSTER = "course_users"
    CAMPAIGN = "campaign_active"


@dataclass(frozen=True, slots=True)
class Policy:
    kind: DocKind
    fresh: float
    stale: float
    missing: float
    error: float


def policies(settings: Settings) -> dict[DocKind, Policy]:
    """The one place where each document kind's lifetimes are stated."""
    missing, error = settings.ttl_missing, settings.ttl_error
    return {
        DocKind.USER: Policy(
            DocKind.USER, settings.ttl_user_fresh, settings.ttl_user_stale, missing, error
        ),
        DocKind.COURSE: Policy(
            DocKind.COURSE, settings.ttl_course_fresh, settings.ttl_course_stale, missing, error
        ),
        DocKind.ROSTER: Policy(
            DocKind.ROSTER, settings.ttl_roster_fresh, settings.ttl_roster_stale, missing, error
        ),
        DocKind.CAMPAIGN: Policy(
            DocKind.CAMPAIGN,
            settings.ttl_campaign_fresh,
            settings.ttl_campaign_stale,
            missing,
            error,
        ),
    }


class Outcome(StrEnum):
    HIT = "hit"
    STALE = "stale"
    MISS = "miss"
    COLLAPSED = "collapsed"
    STALE_IF_ERROR = "stale_if_error"


@dataclass(frozen=True, slots=True)
class Entry(Generic[RecordT]):
    fetched_at: float
    data: RecordT | None  # None: the dashboard said 404

    @property
    def missing(self) -> bool:
        return self.data is None


@dataclass(frozen=True, slots=True)
class Lookup(Generic[RecordT]):
    """An entry and how it was obtained, which decides the HTTP cache headers."""

    entry: Entry[RecordT]
    outcome: Outcome
    policy: Policy
    error: UpstreamError | None = None

    @property
    def fresh_until(self) -> float:
        ttl = self.policy.missing if self.entry.missing else self.policy.fresh
        return self.entry.fetched_at + ttl

    @property
    def stale_until(self) -> float:
        ttl = self.policy.missing if self.entry.missing else self.policy.stale
        return self.entry.fetched_at + ttl

    def value(self, not_found: Callable[[], NotFound]) -> RecordT:
        """The record, or ``not_found()`` raised for a negative entry."""
        if self.entry.data is None:
            raise not_found()
        return self.entry.data


class CacheObserver:
    """Told what the cache did; metrics subclass it. The base does nothing."""

    def lookup(self, kind: DocKind, outcome: Outcome, missing: bool) -> None:
        """One answered lookup."""

    def refresh(self, kind: DocKind, result: str) -> None:
        """One background refresh ended: ok, failed or skipped."""


def encode_entry(entry: Entry[RecordT]) -> bytes:
    if entry.data is None:
        return orjson.dumps({"fetched_at": entry.fetched_at, "missing": True})
    return orjson.dumps(
        {"fetched_at": entry.fetched_at, "data": entry.data.model_dump(mode="json")}
    )


def decode_entry(raw: bytes, model: type[RecordT]) -> Entry[RecordT] | None:
    """Parse and validate a stored envelope; anything unexpected is a miss."""
    try:
        doc = orjson.loads(raw)
        fetched_at = float(doc["fetched_at"])
        if doc.get("missing") is True:
            return Entry(fetched_at, None)
        return Entry(fetched_at, model.model_validate(doc["data"]))
    except (orjson.JSONDecodeError, ValidationError, KeyError, TypeError, ValueError):
        return None


# An entry and whether this process fetched it (False: another one did).
Loaded = tuple["Entry[Any]", bool]


def _newer(entry: Entry[RecordT] | None, than: Entry[RecordT] | None) -> bool:
    return entry is not None and (than is None or entry.fetched_at > than.fetched_at)


class SWRCache:
    """Stale-while-revalidate over a :class:`Store`, with single-flight loads."""

    def __init__(
        self,
        store: Store,
        *,
        prefix: str,
        clock: Clock = time.time,
        lock_ttl_ms: int = 15_000,
        observer: CacheObserver | None = None,
    ) -> None:
        self.store = store
        self._prefix = prefix
        self._clock = clock
        self._lock_ttl_ms = lock_ttl_ms
        self._observer = observer or CacheObserver()
        # Strong references: the event loop only keeps weak ones to tasks.
        self._inflight: dict[str, asyncio.Task[Loaded | None]] = {}
        self._background: set[asyncio.Task[None]] = set()

    def key(self, kind: DocKind, ident: str) -> str:
        return f"{self._prefix}:{kind}:{ident}"

    async def get(
        self, policy: Policy, ident: str, model: type[RecordT], fetch: Fetch[RecordT]
    ) -> Lookup[RecordT]:
        """Answer from the cache where the policy allows, else fetch once for everyone.

        Raises:
            UpstreamError: the fetch failed and no entry is young enough to stand in.
        """
        key = self.key(policy.kind, ident)
        entry = await self._read(key, model)
        if entry is not None:
            now = self._clock()
            hit = Lookup(entry, Outcome.HIT, policy)  # knows which TTLs apply to it
            if now < hit.fresh_until:
                return self._answer(hit)
            if now < hit.stale_until:
                self._refresh_in_background(policy, key, model, fetch, entry)
                return self._answer(Lookup(entry, Outcome.STALE, policy))
        try:
            fetched, outcome = await self._load(policy, key, model, fetch, entry)
        except UpstreamError as exc:
            if entry is not None and self._clock() - entry.fetched_at < policy.error:
                return self._answer(Lookup(entry, Outcome.STALE_IF_ERROR, policy, exc))
            raise
        return self._answer(Lookup(fetched, outcome, policy))

    def _answer(self, lookup: Lookup[RecordT]) -> Lookup[RecordT]:
        self._observer.lookup(lookup.policy.kind, lookup.outcome, lookup.entry.missing)
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

    async def _load(
        self,
        policy: Policy,
        key: str,
        model: type[RecordT],
        fetch: Fetch[RecordT],
        seen: Entry[RecordT] | None,
    ) -> tuple[Entry[RecordT], Outcome]:
        task = self._inflight.get(key)
        if task is not None:
            shared: Loaded | None = await asyncio.shield(task)
            if shared is not None:
                return shared[0], Outcome.COLLAPSED
        task = self._start(policy, key, model, fetch, seen, background=False)
        # Shielded: a client that hangs up must not cancel a fetch others wait on.
        loaded = await asyncio.shield(task)
        if loaded is None:  # pragma: no cover - only background loads skip
            raise RuntimeError("a foreground load was skipped")
        entry, fetched_here = loaded
        return entry, Outcome.MISS if fetched_here else Outcome.COLLAPSED

    def _start(
        self,
        policy: Policy,
        key: str,
        model: type[RecordT],
        fetch: Fetch[RecordT],
        seen: Entry[RecordT] | None,
        *,
        background: bool,
    ) -> asyncio.Task[Loaded | None]:
        task = asyncio.create_task(
            self._load_shared(policy, key, model, fetch, seen, background=background)
        )
        self._inflight[key] = task

        def done(finished: asyncio.Task[Loaded | None]) -> None:
            if self._inflight.get(key) is finished:
                del self._inflight[key]
            if not finished.cancelled():
                finished.exception()  # retrieved here: every waiter has its own copy

        task.add_done_callback(done)
        return task

    async def _load_shared(
        self,
        policy: Policy,
        key: str,
        model: type[RecordT],
        fetch: Fetch[RecordT],
        seen: Entry[RecordT] | None,
        *,
        background: bool,
    ) -> Loaded | None:
        """Fetch under the cross-process lock, or wait for whoever holds it.

        Returns the entry and whether this process fetched it; None only for a
        background refresh that found another process already refreshing.
        """
        if not self.store.shared:
            return await self._fetch_and_store(policy, key, fetch), True
        lock_key = f"{self._prefix}:lock:{key.removeprefix(self._prefix + ':')}"
        token = secrets.token_hex(8)
        deadline = time.monotonic() + self._lock_ttl_ms / 1000
        attempt = 0
        while time.monotonic() < deadline:
            if await self._try_lock(lock_key, token):
                try:
                    current = await self._read(key, model)
                    if current is not None and _newer(current, seen):
                        return current, False  # written while we queued for the lock
                    return await self._fetch_and_store(policy, key, fetch), True
                finally:
                    await self._unlock(lock_key, token)
            if background:
                return None
            await asyncio.sleep(LOCK_POLL_DELAYS[min(attempt, len(LOCK_POLL_DELAYS) - 1)])
            attempt += 1
            current = await self._read(key, model)
            if current is not None and _newer(current, seen):
                return current, False
        # The holder outlived its lock without writing: fetch ourselves.
        return await self._fetch_and_store(policy, key, fetch), True

    async def _fetch_and_store(
        self, policy: Policy, key: str, fetch: Fetch[RecordT]
    ) -> Entry[RecordT]:
        try:
            entry: Entry[RecordT] = Entry(self._clock(), await fetch())
            ttl = policy.error
        except NotFound:
            entry = Entry(self._clock(), None)
            ttl = policy.missing
        await self._write(key, entry, ttl * random.uniform(1, 1 + TTL_JITTER))  # noqa: S311
        return entry

    # ---- background refresh -------------------------------------------------

    def _refresh_in_background(
        self,
        policy: Policy,
        key: str,
        model: type[RecordT],
        fetch: Fetch[RecordT],
        seen: Entry[RecordT],
    ) -> None:
        if key in self._inflight:
            return  # a fetch for this key is already under way
        task = self._start(policy, key, model, fetch, seen, background=True)
        watcher = asyncio.create_task(self._watch_refresh(policy.kind, task))
        self._background.add(watcher)
        watcher.add_done_callback(self._background.discard)

    async def _watch_refresh(self, kind: DocKind, task: asyncio.Task[Loaded | None]) -> None:
        try:
            result = await task
        except UpstreamError as exc:
            # The old entry stays; the next request after it expires tries again.
            log.warning("background refresh failed", extra={"kind": str(kind), "error": str(exc)})
            self._observer.refresh(kind, "failed")
            return
        self._observer.refresh(kind, "skipped" if result is None else "ok")

    # ---- store access: a store failure is a miss, never a crash ------------

    async def _read(self, key: str, model: type[RecordT]) -> Entry[RecordT] | None:
        try:
            raw = await self.store.get(key)
        except StoreUnavailable as exc:
            log.warning("cache read failed", extra={"error": str(exc)})
            return None
        return None if raw is None else decode_entry(raw, model)

    async def _write(self, key: str, entry: Entry[RecordT], ttl: float) -> None:
        try:
            await self.store.set(key, encode_entry(entry), ttl)
        except StoreUnavailable as exc:
            log.warning("cache write failed", extra={"error": str(exc)})

    async def _try_lock(self, lock_key: str, token: str) -> bool:
        try:
            return await self.store.acquire_lock(lock_key, token, self._lock_ttl_ms)
        except StoreUnavailable:
            return True  # no shared lock to be had: in-process single-flight still holds

    async def _unlock(self, lock_key: str, token: str) -> None:
        try:
            await self.store.release_lock(lock_key, token)
        except StoreUnavailable:
            return
