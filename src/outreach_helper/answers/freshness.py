"""How long an answer may be reused, from the documents it was built from.

An answer is as old as its oldest document, fresh only while every one of them
is, and obtained as badly as its worst lookup: a fallback served during an
outage taints the whole answer. It must also be rebuilt as soon as its content
would change by itself (a course's dates flip an "active" flag) or a part it
lacks should be asked for again (an unreadable course, a dashboard that failed
or was late). Those rules are decided here, on plain values, so each one is
tested at chosen instants; the cache headers are read off the result.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from outreach_helper.cache.swr import Lookup, Outcome

# An answer that holds an unreadable course is reused for at most this long,
# so a course that fails for a moment is asked for again soon, and one that
# always fails costs the dashboard one request a minute per answer, not one
# per page view.
UNREADABLE_RECHECK = 60.0
# An answer missing courses that our own limits held back (the request
# budget, the answer's share of cold fetches) is rebuilt much sooner.
DEFERRED_RECHECK = 5.0

# Worst first: the combined answer is as stale as its stalest part.
_OUTCOME_RANK = [
    Outcome.STALE_IF_ERROR,
    Outcome.STALE,
    Outcome.MISS,
    Outcome.COLLAPSED,
    Outcome.HIT,
]


@dataclass(frozen=True, slots=True)
class Freshness:
    """How old an answer is and how long it may be reused, over all its documents."""

    fetched_at: float
    fresh_until: float
    stale_until: float
    outcome: Outcome
    upstream_status: int | None = None

    @classmethod
    def of_lookup(cls, lookup: Lookup[Any]) -> Freshness:
        """One document's freshness, as the cache answered it."""
        return cls(
            fetched_at=lookup.entry.fetched_at,
            fresh_until=lookup.fresh_until,
            stale_until=lookup.stale_until,
            outcome=lookup.outcome,
            upstream_status=None if lookup.error is None else lookup.error.upstream_status,
        )

    @property
    def max_age(self) -> int:
        """Whole seconds the answer is fresh for, counted from its oldest document's fetch."""
        return max(0, int(self.fresh_until - self.fetched_at))

    @property
    def stale_while_revalidate(self) -> int:
        """Whole seconds past ``max_age`` it may still be served while it is rebuilt."""
        return max(0, int(self.stale_until - self.fresh_until))

    def age(self, now: float) -> int:
        """Whole seconds since its oldest document was fetched."""
        return max(0, int(now - self.fetched_at))

    def ttl(self, now: float) -> int:
        """Whole seconds it stays fresh from ``now`` (negative once it is past)."""
        return int(self.fresh_until - now)

    def until(self, instant: float | None) -> Freshness:
        """Fresh no later than ``instant`` (None: as it is), however fresh its documents."""
        if instant is None or instant >= self.fresh_until:
            return self
        return dataclasses.replace(self, fresh_until=instant)


def combine(parts: Iterable[Freshness], now: float) -> Freshness:
    """The freshness of an answer built from ``parts``: the oldest fetch, the earliest
    ends, the worst outcome, the first upstream status that failed.

    With no parts (nothing could be answered) the result is already stale,
    so no cache keeps it.
    """
    parts = list(parts)
    if not parts:
        return Freshness(now, now, now, Outcome.MISS)
    return Freshness(
        fetched_at=min(p.fetched_at for p in parts),
        fresh_until=min(p.fresh_until for p in parts),
        stale_until=min(p.stale_until for p in parts),
        outcome=min((p.outcome for p in parts), key=_OUTCOME_RANK.index),
        upstream_status=next((p.upstream_status for p in parts if p.upstream_status), None),
    )


def of_lookups(
    lookups: Iterable[Lookup[Any]], now: float, *, rebuild_at: float | None = None
) -> Freshness:
    """The freshness of an answer read from ``lookups``, rebuilt by ``rebuild_at`` at the latest."""
    return combine((Freshness.of_lookup(lk) for lk in lookups), now).until(rebuild_at)


def partial(freshness: Freshness, now: float, *, held_back: bool) -> Freshness:
    """A partial answer's freshness: it is rebuilt soon, and never served stale.

    Soon is seconds when what is missing was only held back (a breaker, our
    budget, or still on its way), a minute when it failed: the next rebuild
    asks again, and one a minute is all a failing dashboard should cost.
    """
    until = min(
        freshness.fresh_until, now + (DEFERRED_RECHECK if held_back else UNREADABLE_RECHECK)
    )
    return dataclasses.replace(freshness, fresh_until=until, stale_until=until)


def earliest(*instants: float | None) -> float | None:
    """The first of the instants that are set (when an answer must be rebuilt)."""
    known = [t for t in instants if t is not None]
    return min(known) if known else None


__all__ = [
    "DEFERRED_RECHECK",
    "UNREADABLE_RECHECK",
    "Freshness",
    "combine",
    "earliest",
    "of_lookups",
    "partial",
]
