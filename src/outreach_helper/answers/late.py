"""Work an answer left running: kept alive until it ends, waited for, or cancelled.

An answer about a user goes out without a dashboard that is late, and a page
view without the courses still waiting for their turn. Their work is not
given up: what it fetches lands in the cache for the next view. The event
loop keeps only weak references to tasks, so someone must hold them; the
service must wait for them in tests and ``warm``, and end them before its
clients close, or they would fail on a closed client and be logged as bugs.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

log = logging.getLogger(__name__)


class LateWork:
    """The tasks one part of the service left running (``what`` names them in logs)."""

    def __init__(self, what: str) -> None:
        self._what = what
        self._tasks: set[asyncio.Task[Any]] = set()

    def __len__(self) -> int:
        return len(self._tasks)

    def keep(self, task: asyncio.Task[Any]) -> None:
        """Hold ``task`` until it ends; what it raises unexpectedly is logged."""
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        task.add_done_callback(self._note_unexpected)

    async def drain(self) -> None:
        """Wait until every task kept so far has ended (tests, ``warm``)."""
        while self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def aclose(self, grace: float = 2.0) -> None:
        """Let the tasks finish for ``grace`` seconds, then cancel the rest."""
        if not self._tasks:
            return
        _, still_running = await asyncio.wait(set(self._tasks), timeout=grace)
        for task in still_running:
            task.cancel()
        await asyncio.gather(*still_running, return_exceptions=True)

    def _note_unexpected(self, task: asyncio.Task[Any]) -> None:
        """Retrieve what a task raised (they return the dashboards' own errors as values),
        and log a bug's type only: its message could name the user or course asked about."""
        if not task.cancelled() and (exc := task.exception()) is not None:
            log.error("%s failed unexpectedly (%s)", self._what, type(exc).__name__)
