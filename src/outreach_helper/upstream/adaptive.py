"""Fewer requests at once, and fewer per second, while the dashboard is slow.

When the dashboard's four workers are all busy, requests queue in front of
them and every answer takes longer than usual. Sending as many as before
then only lengthens the queue that the people using the dashboard wait in.
So the client watches how long each answer takes against what is usual for
that document (a profile answers in tens of milliseconds, a user's
statistics in hundreds), and, in the spirit of TCP's congestion control and
of adaptive concurrency limits (Netflix's concurrency-limits, Envoy's
adaptive concurrency filter), keeps a limit below the configured ceiling:

- an answer much slower than usual (smoothed: ``SLOW`` times the usual, plus
  ``SLACK`` seconds), or a timeout, halves the limit; at most once per
  round of answers, so one burst of slow answers counts once;
- an answer in the usual time raises it by ``STEP``, so it climbs back to
  the ceiling step by step, one slot per 1 / ``STEP`` usual answers;
- it never goes below one request in flight.

The request rate follows the same share (``share``): half the slots, half
the rate. What is usual is learnt per document kind: the fastest answer
seen, drifting up slowly (``DRIFT`` of the gap per answer), so a dashboard
that became slower for good is the new usual after a few hundred answers,
while one that is queueing now is caught at once.
"""

from __future__ import annotations

from outreach_helper.upstream.contract import Attempt

# Slower than this many times the usual (plus SLACK seconds, so that the
# jitter of fast answers is not taken for queueing) is slow.
SLOW = 2.0
SLACK = 0.02
# Weight of the newest answer in the smoothed ratio of answer time to usual.
SMOOTHING = 0.3
DECREASE = 0.5
STEP = 0.1
DRIFT = 0.002


class AdaptiveLimit:
    """How many requests may be in flight at one dashboard now, from 1 to ``ceiling``."""

    def __init__(self, ceiling: int) -> None:
        self.ceiling = ceiling
        self._limit = float(ceiling)
        self._usual: dict[str, float] = {}
        self._slowness: dict[str, float] = {}
        self._since_decrease = ceiling

    def slots(self) -> int:
        """Requests that may be in flight now."""
        return max(1, int(self._limit))

    def share(self) -> float:
        """The part of the configured rate that may be spent now."""
        return self.slots() / self.ceiling

    def observe(self, endpoint: str, seconds: float, outcome: Attempt) -> None:
        """One answer of ``endpoint`` took ``seconds`` and ended as ``outcome``."""
        self._since_decrease += 1
        if outcome is Attempt.TIMEOUT:
            self._decrease()
            return
        if not outcome.answered:
            return  # failures are the circuit breaker's business, not a measure of speed
        usual = self._usual.get(endpoint)
        if usual is None:
            self._usual[endpoint] = seconds
            return
        ratio = seconds / (SLOW * usual + SLACK)
        slowness = self._slowness.get(endpoint, ratio)
        slowness += (ratio - slowness) * SMOOTHING
        self._slowness[endpoint] = slowness
        if slowness > 1.0:
            self._decrease()
        else:
            self._limit = min(float(self.ceiling), self._limit + STEP)
        self._usual[endpoint] = seconds if seconds < usual else usual + (seconds - usual) * DRIFT

    def _decrease(self) -> None:
        # Once per round: the answers already on their way were sent at the old limit.
        if self._since_decrease >= self.slots():
            self._limit = max(1.0, self._limit * DECREASE)
            self._since_decrease = 0
