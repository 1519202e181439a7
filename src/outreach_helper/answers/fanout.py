"""One document per course, looked up together: what was read, what is gone, what failed.

A user's courses, a campaign's courses: answers are built from many course
documents at once. One of them failing is that course's problem, not the
answer's: the answer marks it unreadable and stays a 200, and asks again a
little later instead of remembering the failure.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

from outreach_helper.answers.freshness import DEFERRED_RECHECK, UNREADABLE_RECHECK
from outreach_helper.cache.swr import Lookup
from outreach_helper.clock import Clock
from outreach_helper.errors import DocumentFailed, InvalidName, NotSent, UpstreamError
from outreach_helper.names import CourseSlug

R = TypeVar("R", bound=BaseModel)


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


async def fan_out(slugs: Slugs, look: Callable[[CourseSlug], Awaitable[Lookup[R]]]) -> Fanout[R]:
    """``look`` up each slug concurrently; a failure stays with its slug."""
    unique = tuple(slugs)

    async def one(raw: str) -> Lookup[R] | UpstreamError | None:
        slug = slugs[raw]
        if slug is None:
            return None
        try:
            return await look(slug)
        except UpstreamError as exc:
            return exc

    results = await asyncio.gather(*(one(raw) for raw in unique))
    pairs = list(zip(unique, results, strict=True))
    found = {s: r for s, r in pairs if isinstance(r, Lookup)}
    failed = frozenset(s for s, r in pairs if isinstance(r, UpstreamError))
    deferred = frozenset(s for s, r in pairs if isinstance(r, NotSent))
    return Fanout(unique, found, failed, deferred)


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
