"""The one type for time: every part is handed its clock, none reads the time itself.

Injected clocks are what let the tests move time instead of sleeping. Two
kinds are passed around under this one name: wall time (``time.time``) for
what is dated (cache lifetimes, whether a course is active, ``Age``), and
monotonic time (``time.monotonic``) for what is measured (pauses, rates,
deadlines), which must not jump when the system clock is set.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeAlias

Clock: TypeAlias = Callable[[], float]
"""Seconds as a float: ``time.time`` or ``time.monotonic``, or a test's own."""
