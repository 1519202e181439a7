"""One document per course, looked up together: what was read, what is gone, what failed.

A user's courses, a campaign's courses: answers are built from many course
documents at once. One of them failing is that course's problem, not the
answer's: the answer marks it unreadable and stays a 200, and asks again a
little later instead of remembering the failure.

A page view waits for the dashboard, not for its turn: its fan-outs end
``OUTREACH_PAGE_VIEW_WAIT`` after the first of them began (``answer_within``),
but for the documents already sent to the dashboard by then, which are
waited for. Those still waiting for their turn (a budget token, a free
connection) are left out of this answer like those our own limits held back
(``deferred``, rebuilt 5 s later) but are not given up: their lookups run on
in the background, as bulk work once the answer has gone out, so what they
fetch is in the cache for the reader's next view.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

from outreach_helper.answers.freshness import DEFERRED_RECHECK, UNREADABLE_RECHECK
from outreach_helper.cache.swr import Lookup
from outreach_helper.clock import Clock
from outreach_helper.errors import DocumentFailed, InvalidName, NotSent, UpstreamError, kept
from outreach_helper.names import CourseSlug
from outreach_helper.upstream.budget import Turn, watched

R = TypeVar("R", bound=BaseModel)

# However late a fan-out starts in its view, it waits this long: enough for what
# is in the cache (a loopback Redis read) to be in the answer.
FANOUT_GRACE = 0.05


class _ViewTime:
    """A page view's time for its courses: it starts when its first fan-out does."""

    __slots__ = ("by", "seconds")

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.by: float | None = None  # the event loop's time when it ends, once started

    def end(self) -> float:
        if self.by is None:
            self.by = asyncio.get_running_loop().time() + self.seconds
        return self.by


_view_time: ContextVar[_ViewTime | None] = ContextVar("outreach_view_time", default=None)


@contextmanager
def answer_within(seconds: float) -> Iterator[None]:
    """End the fan-outs of the answer built inside ``seconds`` after the first of them
    starts (see the module): the clock starts once the account is known, so a dashboard
    slow to answer about the account itself does not leave its courses no time."""
    token = _view_time.set(_ViewTime(seconds))
    try:
        yield
    finally:
        _view_time.reset(token)


@dataclass(frozen=True, slots=True)
class Fanout(Generic[R]):
    """The lookups of one document kind for many course slugs, in request order."""

    slugs: tuple[str, ...]
    found: dict[str, Lookup[R]]
    failed: frozenset[str]
    deferred: frozenset[str] = frozenset()  # held back by our own limits, not failing

    def record(self, slug: str) -> R | None:
        """The course's record; None when it is gone, private, impossible or failing."""
        lookup = self.found.get(slug)
        return None if lookup is None else lookup.data

    @property
    def records(self) -> list[R]:
        return [r for slug in self.slugs if (r := self.record(slug)) is not None]

    @property
    def lookups(self) -> list[Lookup[Any]]:
        """Every lookup that found a record: the answer's freshness comes from them."""
        return [lk for lk in self.found.values() if lk.data is not None]

    def recheck_at(self, now: float) -> float | None:
        """When an answer holding an unread document should be rebuilt, if any is."""
        if self.deferred:
            return now + DEFERRED_RECHECK
        return now + UNREADABLE_RECHECK if self.failed else None


# The distinct course slugs an answer names, as listed, each parsed once: None for
# one no URL can carry (nobody can read that course). Every fan-out over them
# (a course's document, then its roster) takes them parsed.
Slugs = Mapping[str, CourseSlug | None]


def parse_slugs(listed: Iterable[str]) -> dict[str, CourseSlug | None]:
    """Each distinct slug of ``listed``, in order, parsed (None where impossible)."""
    parsed: dict[str, CourseSlug | None] = {}
    for raw in listed:
        if raw not in parsed:
            try:
                parsed[raw] = CourseSlug.from_slug(raw)
            except InvalidName:
                parsed[raw] = None
    return parsed


class _Late:
    """A lookup still under way when its page view's time ran out."""


_LATE = _Late()
Result = Lookup[R] | UpstreamError | _Late | None


async def fan_out(
    slugs: Slugs,
    look: Callable[[CourseSlug], Awaitable[Lookup[R]]],
    *,
    keep_running: Callable[[asyncio.Task[Any]], None] | None = None,
) -> Fanout[R]:
    """``look`` up each slug concurrently; a failure stays with its slug.

    Inside ``answer_within``, the slugs not looked up by the view's time are
    ``deferred`` and their lookups are handed to ``keep_running``, which
    keeps them alive until they end (and logs what they raise unexpectedly).
    """
    unique = tuple(slugs)

    async def one(raw: str) -> Lookup[R] | UpstreamError | None:
        slug = slugs[raw]
        if slug is None:
            return None
        try:
            return await look(slug)
        except UpstreamError as exc:
            return kept(exc)

    view_time = _view_time.get()
    results: list[Result[R]]
    if view_time is None or keep_running is None:
        results = list(await asyncio.gather(*(one(raw) for raw in unique)))
    else:
        results = await _by(view_time.end(), [one(raw) for raw in unique], keep_running)
    pairs = list(zip(unique, results, strict=True))
    found = {s: r for s, r in pairs if isinstance(r, Lookup)}
    failed = frozenset(s for s, r in pairs if isinstance(r, UpstreamError))
    deferred = frozenset(s for s, r in pairs if isinstance(r, NotSent | _Late))
    return Fanout(unique, found, failed, deferred)


async def _by(
    answer_by: float,
    lookups: list[Awaitable[Lookup[R] | UpstreamError | None]],
    keep_running: Callable[[asyncio.Task[Any]], None],
) -> list[Result[R]]:
    """The lookups' results as of ``answer_by`` (at least ``FANOUT_GRACE`` from now),
    and of those whose request had gone to the dashboard by then: a lookup still
    waiting for its turn then is late, and is kept running."""

    async def run(turn: Turn, lookup: Awaitable[Lookup[R] | UpstreamError | None]) -> Any:
        with watched(turn):
            return await lookup

    turns = [Turn() for _ in lookups]
    tasks = [
        asyncio.ensure_future(run(t, lookup)) for t, lookup in zip(turns, lookups, strict=True)
    ]
    if not tasks:
        return []
    left = max(FANOUT_GRACE, answer_by - asyncio.get_running_loop().time())
    _, pending = await asyncio.wait(tasks, timeout=left)
    answering = []
    for task, turn in zip(tasks, turns, strict=True):
        if task not in pending:
            continue
        if turn.sent:
            answering.append(task)
        else:
            keep_running(task)
    if answering:  # the dashboard is on them: their answers are worth the wait
        await asyncio.wait(answering)
    # A late one done meanwhile (its turn came as an answered one freed a connection) counts.
    return [task.result() if task.done() else _LATE for task in tasks]


class RecentFailures:
    """Documents that just failed on their own, not asked for again for a minute.

    Answers are rebuilt from documents on many paths (a batch, an evicted hot
    copy), so without this a course that always fails would cost the dashboard
    a request on every one of them. Only failures of the document itself
    count (its 500): not our own limits, not host trouble (the circuit
    breaker's business), not an answer cut or garbled on the way (which the
    next request may well get whole). Nothing here is stored or shared: a
    process forgets after ``UNREADABLE_RECHECK`` seconds, or sooner under
    pressure (``max_entries``).
    """

    def __init__(self, clock: Clock, max_entries: int = 10_000) -> None:
        self._clock = clock
        self._max = max_entries
        self._until: OrderedDict[str, float] = OrderedDict()

    def holds(self, key: str) -> bool:
        until = self._until.get(key)
        if until is None:
            return False
        if until <= self._clock():
            del self._until[key]
            return False
        return True

    def note(self, key: str, error: UpstreamError) -> None:
        if isinstance(error, DocumentFailed):
            self._until[key] = self._clock() + UNREADABLE_RECHECK
            self._until.move_to_end(key)
            while len(self._until) > self._max:
                self._until.popitem(last=False)
