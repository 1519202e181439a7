"""Per-request metrics added up in plain Python, handed to Prometheus in bulk.

Counting one answer through prometheus_client costs three locked updates
(a counter, a histogram, another counter: about 3 us), as much as the rest
of a hot hit. Here the request path finds a row by its labels and adds to a
few numbers; ``Metrics.publish`` adds the rows to the Prometheus metrics
before every scrape and a few times a second, so that with
``PROMETHEUS_MULTIPROC_DIR`` the other workers' scrapes see them too.

Used from the event loop only: there is no lock, because nothing here is
shared with another thread.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Sequence

from prometheus_client import Histogram

from outreach_helper.cache.swr import Outcome

#: route template, method, status, cache outcome, answered by the fast path
RequestKey = tuple[str, str, int, Outcome | None, bool]


class Row:
    """Answers of one kind since the last publish: how many, their time, their buckets."""

    __slots__ = ("buckets", "count", "seconds")

    def __init__(self, buckets: int) -> None:
        self.count = 0
        self.seconds = 0.0
        self.buckets = [0] * buckets


class RequestTally:
    """Answers counted per kind, with a latency histogram, until taken."""

    def __init__(self, bounds: Sequence[float]) -> None:
        self._bounds = (*bounds, math.inf)
        self._rows: dict[RequestKey, Row] = {}

    def add(self, key: RequestKey, seconds: float) -> None:
        row = self._rows.get(key)
        if row is None:
            row = self._rows[key] = Row(len(self._bounds))
        row.count += 1
        row.seconds += seconds
        # Prometheus' buckets are "less than or equal": the first bound >= seconds.
        row.buckets[bisect_left(self._bounds, seconds)] += 1

    def take(self) -> dict[RequestKey, Row]:
        """Everything counted since the last call; the tally starts again from zero."""
        rows, self._rows = self._rows, {}
        return rows


def observe_many(histogram: Histogram, buckets: Sequence[int], seconds: float) -> None:
    """Add many observations at once to one labelled histogram.

    prometheus_client has no bulk ``observe``; a histogram child holds one
    value per bucket (not cumulative) and a sum, which this adds to exactly
    as ``observe`` would, once per observation. ``buckets`` must follow the
    histogram's own bounds, +Inf last.
    """
    histogram._sum.inc(seconds)
    for value, count in zip(histogram._buckets, buckets, strict=True):
        if count:
            value.inc(count)
