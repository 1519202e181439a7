"""When is a course active? Pure functions of its dates and an instant.

Kept apart so every edge (exactly at start, exactly at end, an end before its
start in bad upstream data, missing dates) is decided in one place and tested
at chosen instants.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime


def within(start: datetime | None, end: datetime | None, now: datetime) -> bool:
    """True when ``start <= now <= end``; false for missing or inverted windows."""
    if start is None or end is None or end < start:
        return False
    return start <= now <= end


def ended(end: datetime | None, now: datetime) -> bool:
    """True once ``end`` has passed (not at the very instant of it)."""
    return end is not None and now > end


def next_change(instants: Iterable[datetime | None], now: datetime) -> float | None:
    """The first instant after ``now`` at which an answer built from these dates flips.

    An answer holding "active" flags must not be served from a hot cache past
    that moment, however fresh the documents behind it are.
    """
    future = [t.timestamp() for t in instants if t is not None and t > now]
    return min(future) if future else None
