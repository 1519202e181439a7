"""Clocks and sleeps that move only when a test moves them.

Named fakes over anonymous mocks: a ``FakeClock`` is a real clock you can
move, a ``RecordingSleep`` a real sleep that keeps its own time instead of
waiting, so no test measures or waits for the wall clock.
"""

from __future__ import annotations


class FakeClock:
    """Unix time that only moves when told to."""

    def __init__(self, start: float = 1_795_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class RecordingSleep:
    """Records back-off delays and moves its own monotonic clock instead of waiting."""

    def __init__(self) -> None:
        self.delays: list[float] = []
        self.elapsed = 1000.0

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)
        self.elapsed += seconds

    def monotonic(self) -> float:
        return self.elapsed
