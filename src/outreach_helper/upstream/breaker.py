"""A circuit breaker: during an outage, ask the dashboard a trickle, not a flood.

Without it every request for an expired entry makes its own attempt (with
retries) while the dashboard is down, so an outage multiplies the load on a
service that is already struggling, and every such request waits out the
retries before its stale answer is served. It counts requests (after their
retries), and only failures that mean the host is in trouble: connection
errors, timeouts, gateway errors. One broken course answering 500 is that
course's problem. After ``THRESHOLD`` such failures in a row the breaker
opens: requests fail at once (the cache answers with stale data) until a
cool-down passes; then exactly one request probes. Its success
closes the breaker; its failure reopens it for the next, longer cool-down,
never longer than the last of ``COOLDOWNS``.

    closed --(THRESHOLD failures in a row)--> open --(cool-down)--> half-open
      ^                                                              |   |
      +------------------------- probe succeeds ---------------------+   |
                                 open (longer) <----- probe fails -------+
"""

from __future__ import annotations

from collections import deque

from outreach_helper.clock import Clock

THRESHOLD = 5
# Short and capped: one probe every few seconds is still a trickle, and a cold
# request a few seconds after an outage ends must find the dashboard again.
COOLDOWNS: tuple[float, ...] = (2.0, 3.0, 5.0)


class Breaker:
    def __init__(self, monotonic: Clock, *, probe_window: float) -> None:
        self._monotonic = monotonic
        self._probe_window = probe_window  # how long others wait on a probe's result
        self._failures = 0
        self._trips = 0
        self._open_until = 0.0

    @property
    def tripped(self) -> bool:
        """Has it opened since the last success (an outage under way)?"""
        return self._trips > 0

    @property
    def is_open(self) -> bool:
        return self._monotonic() < self._open_until

    def allow(self) -> bool:
        """May a request go out now? In half-open state only the first caller may."""
        now = self._monotonic()
        if now < self._open_until:
            return False
        if self._trips:
            self._open_until = now + self._probe_window  # hold the rest for the probe
        return True

    def success(self) -> None:
        self._failures = 0
        self._trips = 0
        self._open_until = 0.0

    def failure(self) -> None:
        self._failures += 1
        if self._trips or self._failures >= THRESHOLD:
            cooldown = COOLDOWNS[min(self._trips, len(COOLDOWNS) - 1)]
            self._open_until = self._monotonic() + cooldown
            self._trips += 1


# A 500 (or an unusable answer) is one document's trouble, unless this many
# different documents failed so within ``SPREAD_WINDOW`` seconds: then the
# dashboard itself is failing (a bad deploy, a database down, a maintenance
# page on every route) and the breaker hears of it.
SPREAD_DOCUMENTS = 5
SPREAD_WINDOW = 10.0


class FailureSpread:
    """Tells one broken document from a dashboard that fails on every document.

    One course with broken data answers 500 for ever while everything else
    works; that must never slow the client down. But when a dashboard answers
    500 on every route, counting none of it as host trouble let every reader
    ask again and again (2.4 times the requests of a healthy spell in the
    soak). Many different documents failing within seconds is the sign.
    """

    def __init__(self, monotonic: Clock) -> None:
        self._monotonic = monotonic
        self._recent: deque[tuple[float, str]] = deque()

    def widespread(self, document: str) -> bool:
        """Note that ``document`` failed on its own; is the dashboard failing as a whole?"""
        now = self._monotonic()
        recent = self._recent
        while recent and recent[0][0] <= now - SPREAD_WINDOW:
            recent.popleft()
        recent.append((now, document))
        if len(recent) > 4 * SPREAD_DOCUMENTS:  # bounded: only distinct ones count
            recent.popleft()
        return len({key for _, key in recent}) >= SPREAD_DOCUMENTS
