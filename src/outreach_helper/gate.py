"""At most N requests to the dashboard in flight; interactive work first; no endless queue.

A plain semaphore serves waiters in arrival order, so 800 queued batch
lookups made one reader's page view wait for all of them. Here waiting
interactive work is let in before waiting bulk work, and every wait has a
deadline: past it the request fails (``BudgetExhausted``) instead of queueing.
"""

from __future__ import annotations

import asyncio
import math
from collections import deque
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager

from outreach_helper.budget import BudgetExhausted, Priority, current_priority


class Gate:
    def __init__(self, slots: int, *, deadlines: dict[Priority, float]) -> None:
        self._free = slots
        self._deadlines = deadlines
        self._waiting: dict[Priority, deque[asyncio.Future[None]]] = {
            level: deque() for level in Priority
        }

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Hold one slot for the duration of the block.

        Raises:
            BudgetExhausted: no slot came free within this class's deadline.
        """
        await self._acquire(current_priority())
        try:
            yield
        finally:
            self._release()

    async def _acquire(self, level: Priority) -> None:
        if self._free > 0 and not any(self._waiting.values()):
            self._free -= 1
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        queue = self._waiting[level]
        queue.append(waiter)
        deadline = self._deadlines[level]
        try:
            await asyncio.wait_for(asyncio.shield(waiter), deadline)
        except TimeoutError:
            if waiter.done():  # handed a slot just as time ran out: give it on
                self._release()
            else:
                queue.remove(waiter)
            raise BudgetExhausted(retry_after=max(1.0, math.ceil(deadline))) from None
        except BaseException:
            if waiter.done() and not waiter.cancelled():
                self._release()
            elif waiter in queue:
                queue.remove(waiter)
            raise

    def _release(self) -> None:
        # Interactive waiters first: Priority lists them first.
        for level in Priority:
            queue = self._waiting[level]
            while queue:
                waiter = queue.popleft()
                if not waiter.done():
                    waiter.set_result(None)  # the slot passes straight to it
                    return
        self._free += 1


class Admission:
    """At most N bulk answers (batches, campaigns, enrich) being built at once, no queue.

    A bulk answer can start hundreds of lookups; sixteen clients flooding
    batches would otherwise keep the event loop busy for everyone, page views
    included. One over the limit is refused at once (a 503 with Retry-After),
    which costs next to nothing.
    """

    def __init__(self, limit: int) -> None:
        self._free = limit

    @contextmanager
    def enter(self) -> Iterator[None]:
        """Raises BudgetExhausted when every place is taken."""
        if self._free <= 0:
            raise BudgetExhausted(retry_after=1.0)
        self._free -= 1
        try:
            yield
        finally:
            self._free += 1
