"""At most N requests to the dashboard in flight; interactive work first; no endless queue.

A plain semaphore serves waiters in arrival order, so 800 queued batch
lookups made one reader's page view wait for all of them. Here waiting
interactive work is let in before waiting bulk work, and every wait has a
deadline: past it the request fails (``BudgetExhausted``) instead of queueing.

Bulk work never takes the last free slot (where there are two or more): a
page view arriving while bulk work is in flight finds a connection at once,
instead of waiting for a bulk request's answer before its own can go out.

A waiter's class is read when a slot comes free, not when it began to wait:
a page view's lookups still waiting once its answer has gone out are bulk
from then on (``Work.answered``), and wait behind the next page view instead
of holding every connection ahead of it.

Two bounds, one after the other: this process's own (``capacity()``, which
the adaptive limit lowers while the dashboard is slow), then the ledger's,
shared by every process (``slots``). Only a request holding a local slot asks
the ledger, so a process never has more than its capacity of claims open.
"""

from __future__ import annotations

import asyncio
import math
import secrets
from collections import deque
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from outreach_helper.upstream.budget import (
    BudgetExhausted,
    Priority,
    Work,
    current_priority,
    current_work,
)
from outreach_helper.upstream.slots import Ledger, ProcessLedger

# How often a request holding a local slot asks the shared ledger again for a
# global one (seconds, the last repeated): short for page views, which wait
# for a slot another instance is about to free.
LEDGER_POLL_DELAYS: tuple[float, ...] = (0.01, 0.02, 0.03, 0.05)


class Slot:
    """A held slot; ``linger(seconds)`` keeps it that long after its block ends."""

    __slots__ = ("linger_seconds",)

    def __init__(self) -> None:
        self.linger_seconds = 0.0

    def linger(self, seconds: float) -> None:
        self.linger_seconds = max(self.linger_seconds, seconds)


class _Waiter:
    """One request waiting for a slot, and the work it is for (whose class may change)."""

    __slots__ = ("future", "work")

    def __init__(self, future: asyncio.Future[None], work: Work | None) -> None:
        self.future = future
        self.work = work

    @property
    def level(self) -> Priority:
        return Priority.BULK if self.work is None else self.work.level


class Gate:
    def __init__(
        self,
        capacity: int | Callable[[], int],
        *,
        deadlines: dict[Priority, float],
        ledger: Ledger | None = None,
    ) -> None:
        self._wanted = capacity if callable(capacity) else (lambda: capacity)
        self._busy = 0
        self._deadlines = deadlines
        self._ledger = ledger or ProcessLedger()
        self._waiting: dict[Priority, deque[_Waiter]] = {level: deque() for level in Priority}
        self._lingering: set[asyncio.Task[None]] = set()  # strong references

    async def aclose(self) -> None:
        for task in list(self._lingering):
            task.cancel()
        await asyncio.gather(*self._lingering, return_exceptions=True)
        await self._ledger.aclose()

    def _capacity(self, level: Priority = Priority.INTERACTIVE) -> int:
        """Slots this process may hold now for ``level``: its own limit, less while the
        ledger is away, and one less for bulk work (never none)."""
        capacity = self._ledger.process_limit(self._wanted())
        return capacity if level is Priority.INTERACTIVE else max(1, capacity - 1)

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[Slot]:
        """Hold one slot, here and in the shared ledger, for the duration of the block.

        The block may ``linger`` its slot: keep it for a while after the block
        ends (a request the dashboard may still be working on).

        Raises:
            BudgetExhausted: no slot came free within this class's deadline.
        """
        level = current_priority()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._deadlines[level]
        await self._acquire(level)
        token = secrets.token_hex(8)
        try:
            await self._claim(token, level, deadline)
        except BaseException:
            self._release()
            raise
        held = Slot()
        try:
            yield held
        finally:
            if held.linger_seconds > 0:
                self._linger(token, held.linger_seconds)
            else:
                try:
                    await self._ledger.release(token)
                finally:
                    self._release()

    def _linger(self, token: str, seconds: float) -> None:
        """Give the slot back ``seconds`` from now, here and in the ledger."""

        async def later() -> None:
            try:
                await self._ledger.linger(token, seconds)
                await asyncio.sleep(seconds)
            finally:
                self._release()

        task = asyncio.get_running_loop().create_task(later())
        self._lingering.add(task)
        task.add_done_callback(self._lingering.discard)

    async def _claim(self, token: str, level: Priority, deadline: float) -> None:
        """A slot in the shared ledger, polled for until ``deadline``."""
        loop = asyncio.get_running_loop()
        attempt = 0
        try:
            while not await self._ledger.claim(token, self._capacity(level), level):
                level = current_priority()  # the work may have been answered meanwhile
                left = deadline - loop.time()
                if left <= 0:
                    patience = self._deadlines[level]
                    raise BudgetExhausted(retry_after=max(1.0, math.ceil(patience)))
                delay = LEDGER_POLL_DELAYS[min(attempt, len(LEDGER_POLL_DELAYS) - 1)]
                await asyncio.sleep(min(delay, left))
                attempt += 1
        except BaseException:
            await asyncio.shield(self._ledger.release(token))  # no waiter mark left behind
            raise

    async def _acquire(self, level: Priority) -> None:
        self._settle()
        if self._busy < self._capacity(level) and not self._anyone_first(level):
            self._busy += 1
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        waiter = _Waiter(future, current_work())
        self._waiting[level].append(waiter)
        deadline = self._deadlines[level]
        try:
            await asyncio.wait_for(asyncio.shield(future), deadline)
        except TimeoutError:
            if future.done():  # handed a slot just as time ran out: give it on
                self._release()
            else:
                self._forget(waiter)
            raise BudgetExhausted(retry_after=max(1.0, math.ceil(deadline))) from None
        except BaseException:
            if future.done() and not future.cancelled():
                self._release()
            else:
                self._forget(waiter)
            raise

    def _forget(self, waiter: _Waiter) -> None:
        """Take a waiter that gave up out of whichever line it is in now."""
        for queue in self._waiting.values():
            if waiter in queue:
                queue.remove(waiter)
                return

    def _settle(self) -> None:
        """Move waiters whose work has become bulk since they queued to the head of the
        bulk line (they have waited longest): interactive waiters are page views' alone."""
        interactive = self._waiting[Priority.INTERACTIVE]
        if not interactive or all(w.level is Priority.INTERACTIVE for w in interactive):
            return
        now_bulk = [w for w in interactive if w.level is Priority.BULK]
        kept = [w for w in interactive if w.level is Priority.INTERACTIVE]
        interactive.clear()
        interactive.extend(kept)
        self._waiting[Priority.BULK].extendleft(reversed(now_bulk))

    def _anyone_first(self, level: Priority) -> bool:
        """Whether work of ``level`` or a higher class already waits (it goes first)."""
        for each in Priority:  # interactive first
            if self._waiting[each]:
                return True
            if each is level:
                return False
        return False

    def _release(self) -> None:
        self._busy -= 1
        self._settle()
        # Hand free slots on, interactive waiters first (Priority lists them first),
        # as many as the capacity allows now (it may have shrunk or grown).
        for level in Priority:
            queue = self._waiting[level]
            while queue and self._busy < self._capacity(level):
                waiter = queue.popleft()
                if not waiter.future.done():
                    self._busy += 1
                    waiter.future.set_result(None)  # the slot passes straight to it
